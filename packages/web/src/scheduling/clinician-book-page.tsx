import { Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Patient } from '@medplum/fhirtypes';
import { useNavigate, useParams } from 'react-router';
import { readResource } from '../api/fhir.js';
import { AsyncView, useAsync } from '../layout/async.js';
import { dayKey, formatDate, formatDateTime, formatName } from '../lib/format.js';
import { BookVisit } from './book-visit.js';

/** A clinician (or the front desk) books a visit for a patient in their care, from the patient's chart. */
export function ClinicianBookPage() {
  const { patientId = '' } = useParams();
  const navigate = useNavigate();
  const patient = useAsync((signal) => readResource<Patient>('Patient', patientId, signal), [patientId]);
  return (
    <Stack gap="md" maw={1100}>
      <AsyncView async={patient} loadingLabel="Loading the patient…">
        {(p) => (
          <>
            <div>
              <Title order={1} size="h2">
                Book a visit for {formatName(p.name) || 'this patient'}
              </Title>
              <Text c="dimmed" size="sm">
                {p.birthDate ? `Born ${formatDate(p.birthDate)}` : ''}
              </Text>
            </div>
            <BookVisit
              patientId={patientId}
              onDone={(a) => {
                notifications.show({ color: 'salus', title: 'Visit booked', message: `${formatDateTime(a.start)}. The patient is sent a confirmation.` });
                void navigate(a.start ? `/clinician/schedule?day=${dayKey(a.start)}` : '/clinician/schedule');
              }}
            />
          </>
        )}
      </AsyncView>
    </Stack>
  );
}

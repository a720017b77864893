import { Button, Group, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { IconCalendarPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { readResource } from '../api/fhir.js';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { formatDateTime } from '../lib/format.js';
import { PatientPage } from '../patient/patient-page.js';
import { AppointmentCard } from './appointment-card.js';
import { canJoin, splitAppointments } from './appointments.js';
import { BookVisit } from './book-visit.js';
import { cancelAppointment, listAppointments, type AppointmentList } from './booking-api.js';
import { browserZone } from './slots.js';

/** How far back the list of past visits goes; older ones are in the record's Visits. */
const PAST_DAYS = 90;

/** The patient's appointments: what is coming (join, move, cancel) and what has been, and booking a new one. */
export function AppointmentsPage({ patient, whose }: { patient: Patient; whose: string }) {
  const id = patient.id!;
  const base = `/patient/${encodeURIComponent(id)}/appointments`;
  const since = new Date(Date.now() - PAST_DAYS * 86_400_000).toISOString().slice(0, 10);
  const list = useAsync((signal) => listAppointments([['patient', `Patient/${id}`], ['date', `ge${since}`]], signal), [id]);
  const [cancelling, setCancelling] = useState<Appointment>();
  const [reason, setReason] = useState('');
  const timeZone = browserZone();
  const now = new Date();

  return (
    <PatientPage title="Appointments" patient={patient} intro={`Book, move or cancel ${whose} visits. Video visits are joined from here.`}>
      <Group>
        <Button component={Link} to={`${base}/book`} leftSection={<IconCalendarPlus size={18} aria-hidden />}>
          Book a visit
        </Button>
      </Group>
      <AsyncView async={list} loadingLabel="Loading appointments…">
        {(l) => {
          const { upcoming, past } = splitAppointments(l.appointments, now);
          return (
            <Stack gap="lg">
              <Stack component="section" aria-labelledby="upcoming-title" gap="sm">
                <Title order={2} size="h4" id="upcoming-title">
                  Coming up
                </Title>
                {upcoming.length === 0 && <EmptyState>No visits are booked.</EmptyState>}
                {upcoming.map((a) => (
                  <AppointmentCard
                    key={a.id}
                    appointment={a}
                    named={l.named}
                    who="Practitioner"
                    timeZone={timeZone}
                    now={now}
                    actions={
                      <>
                        {canJoin(a, now) && (
                          <Button component={Link} to={`/patient/${encodeURIComponent(id)}/video/${encodeURIComponent(a.id!)}`} size="sm">
                            Join video visit
                          </Button>
                        )}
                        {a.status === 'booked' && (
                          <>
                            <Button component={Link} to={`${base}/book?reschedule=${encodeURIComponent(a.id!)}`} variant="default" size="sm">
                              Change time
                            </Button>
                            <Button variant="subtle" color="red" size="sm" onClick={() => setCancelling(a)}>
                              Cancel
                            </Button>
                          </>
                        )}
                      </>
                    }
                  />
                ))}
              </Stack>
              {past.length > 0 && <PastVisits list={l} past={past} timeZone={timeZone} now={now} />}
            </Stack>
          );
        }}
      </AsyncView>
      <ConfirmDialog
        opened={!!cancelling}
        title="Cancel this visit?"
        confirmLabel="Cancel visit"
        onClose={() => {
          setCancelling(undefined);
          setReason('');
        }}
        onConfirm={async () => {
          await cancelAppointment(cancelling!.id!, reason);
          notifications.show({ color: 'salus', title: 'Visit cancelled', message: 'The time is free for someone else. We have sent you a confirmation.' });
          list.reload();
        }}
      >
        <Text size="sm">{cancelling?.start && `${formatDateTime(cancelling.start, { timeZone })}. `}The clinic is told at once.</Text>
        <Textarea label="Reason (optional)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={300} rows={2} />
      </ConfirmDialog>
    </PatientPage>
  );
}

function PastVisits({ list, past, timeZone, now }: { list: AppointmentList; past: Appointment[]; timeZone: string; now: Date }) {
  return (
    <Stack component="section" aria-labelledby="past-title" gap="sm">
      <Title order={2} size="h4" id="past-title">
        Past and cancelled
      </Title>
      {past.map((a) => (
        <AppointmentCard key={a.id} appointment={a} named={list.named} who="Practitioner" timeZone={timeZone} now={now} />
      ))}
    </Stack>
  );
}

/** Choosing a time for a new visit, or (`?reschedule=id`) a new time for a booked one. */
export function BookPage({ patient }: { patient: Patient }) {
  const id = patient.id!;
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const moving = params.get('reschedule');
  const current = useAsync((signal) => (moving ? readResource<Appointment>('Appointment', moving, signal) : Promise.resolve(undefined)), [moving]);
  const back = `/patient/${encodeURIComponent(id)}/appointments`;
  return (
    <PatientPage title={moving ? 'Change the time of a visit' : 'Book a visit'} patient={patient}>
      <AsyncView async={current}>
        {(appointment) => (
          <BookVisit
            patientId={id}
            rescheduling={appointment}
            onDone={(a) => {
              notifications.show({
                color: 'salus',
                title: moving ? 'Visit moved' : 'Visit booked',
                message: `${formatDateTime(a.start)}. A confirmation with a calendar file is on its way.`,
              });
              void navigate(back);
            }}
          />
        )}
      </AsyncView>
    </PatientPage>
  );
}

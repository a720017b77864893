import { Alert, Badge, Button, Group, Modal, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { notifications } from '@mantine/notifications';
import { IconActivityHeartbeat, IconAlertTriangle, IconCalendarPlus, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { formatAge, formatConcept, formatDate, formatName } from '../lib/format.js';
import { DocumentsView } from '../record/documents-view.js';
import { RecordGate } from '../record/record-gate.js';
import { ResultsView } from '../record/results-view.js';
import { SummaryView } from '../record/summary-view.js';
import { TimelineView } from '../record/timeline-view.js';
import { usePatientRecord, type PatientRecord } from '../record/use-patient-record.js';
import { VisitsView } from '../record/visits-view.js';
import { useMe } from '../session/session.js';
import { recordNumber } from './patient-list.js';
import { ProblemForm } from './problem-form.js';
import { VitalsForm } from './vitals-form.js';
import { ClinicianCheckIns } from '../check-ins/clinician-check-ins.js';
import { ClinicianMonitoring } from '../monitoring/patient-monitoring.js';

const SECTIONS = [
  { path: 'summary', label: 'Summary' },
  { path: 'results', label: 'Results' },
  { path: 'visits', label: 'Visits' },
  { path: 'documents', label: 'Documents' },
  { path: 'timeline', label: 'Timeline' },
  { path: 'check-ins', label: 'Check-ins' },
  { path: 'monitoring', label: 'Monitoring' },
] as const;

/** Who the chart is about, always in view: name, age, sex, record number, and allergies first. */
function PatientBanner({ patient, record }: { patient: Patient; record: PatientRecord }) {
  const allergies = record.allergies.filter((a) => a.clinicalStatus?.coding?.[0]?.code !== 'inactive' && a.clinicalStatus?.coding?.[0]?.code !== 'resolved');
  return (
    <Paper withBorder p="md" component="header" aria-label="Patient">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <div>
          <Title order={1} size="h2">
            {formatName(patient.name) || 'Unnamed patient'}
          </Title>
          <Text size="sm" c="dimmed">
            {[patient.birthDate && `Born ${formatDate(patient.birthDate)} (${formatAge(patient.birthDate)})`, patient.gender, recordNumber(patient) && `Record ${recordNumber(patient)}`].filter(Boolean).join(' · ')}
          </Text>
        </div>
        {allergies.length > 0 ? (
          // Named, not counted: the allergen is what a prescriber must see before anything else.
          <Badge color="red" variant="light" size="lg" tt="none" leftSection={<IconAlertTriangle size={14} aria-hidden />} maw="100%">
            {`Allergies: ${allergies.map((a) => formatConcept(a.code) || 'unnamed').join(', ')}`}
          </Badge>
        ) : (
          // "No known allergies" is a clinical statement someone must make; an empty list only says none was recorded.
          <Badge color="gray" variant="light" size="lg" tt="none">
            No allergies recorded
          </Badge>
        )}
      </Group>
    </Paper>
  );
}

/** The patient chart: the record's sections as tabs, and entry of vital signs and problems. */
export function ChartPage() {
  const { patientId = '' } = useParams();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const record = usePatientRecord(patientId);
  const [entry, setEntry] = useState<'vitals' | 'problem'>();
  const base = `/clinician/patients/${patientId}`;
  const section = location.pathname.slice(base.length).split('/')[1] || 'summary';

  const saved = (message: string) => {
    setEntry(undefined);
    notifications.show({ color: 'salus', title: 'Saved', message });
    record.reload();
  };

  return (
    <RecordGate record={record}>
      {(r) => (
        <Stack>
          <PatientBanner patient={r.patient} record={r} />
          <Group gap="xs">
            <Button leftSection={<IconActivityHeartbeat size={16} aria-hidden />} onClick={() => setEntry('vitals')}>
              Record vital signs
            </Button>
            <Button variant="light" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEntry('problem')}>
              Add a problem
            </Button>
            <Button component={Link} to={`/clinician/book/${encodeURIComponent(r.patient.id!)}`} variant="light" leftSection={<IconCalendarPlus size={16} aria-hidden />}>
              Book a visit
            </Button>
          </Group>
          {r.patient.active === false && <Alert color="gray">This record is marked inactive.</Alert>}
          <Tabs value={section} onChange={(v) => navigate(!v || v === 'summary' ? base : `${base}/${v}`)} keepMounted={false}>
            <Tabs.List>
              {SECTIONS.map((s) => (
                <Tabs.Tab key={s.path} value={s.path}>
                  {s.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <Routes>
            <Route index element={<SummaryView record={r} />} />
            <Route path="results/:test?" element={<ResultsView record={r} />} />
            <Route path="visits" element={<VisitsView record={r} />} />
            <Route path="documents" element={<DocumentsView record={r} />} />
            <Route path="timeline" element={<TimelineView record={r} />} />
            <Route path="check-ins" element={<ClinicianCheckIns patientId={patientId} me={me.account.fhirUser} nameOf={r.nameOf} />} />
            <Route path="monitoring" element={<ClinicianMonitoring key={patientId} patientId={patientId} />} />
          </Routes>
          <Modal opened={entry === 'vitals'} onClose={() => setEntry(undefined)} title="Record vital signs" size="lg">
            <VitalsForm patientId={patientId} performer={me.account.fhirUser} onCancel={() => setEntry(undefined)} onSaved={(n) => saved(`${n} ${n === 1 ? 'measurement' : 'measurements'} added to the record.`)} />
          </Modal>
          <Modal opened={entry === 'problem'} onClose={() => setEntry(undefined)} title="Add a problem">
            <ProblemForm patientId={patientId} recorder={me.account.fhirUser} onCancel={() => setEntry(undefined)} onSaved={() => saved('The problem is on the problem list.')} />
          </Modal>
        </Stack>
      )}
    </RecordGate>
  );
}

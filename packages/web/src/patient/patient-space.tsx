import { Button, Stack, Text, Title } from '@mantine/core';
import { IconCalendarEvent, IconChartLine, IconClipboardHeart, IconHeartRateMonitor, IconDownload, IconEye, IconFileText, IconLayoutDashboard, IconShare, IconStethoscope } from '@tabler/icons-react';
import { Link, Navigate, Route, Routes, useParams } from 'react-router';
import { AppFrame, type NavItem } from '../layout/app-frame.js';
import { formatName } from '../lib/format.js';
import { DocumentsView } from '../record/documents-view.js';
import { RecordGate } from '../record/record-gate.js';
import { ResultsView } from '../record/results-view.js';
import { SummaryView } from '../record/summary-view.js';
import { usePatientRecord, type PatientRecord } from '../record/use-patient-record.js';
import { VisitsView } from '../record/visits-view.js';
import { useMe } from '../session/session.js';
import { AccessLogPage } from './access-log-page.js';
import { DownloadPage } from './download-page.js';
import { PatientPage } from './patient-page.js';
import { SharingPage } from './sharing-page.js';
import { WhoseRecord } from './whose-record.js';
import { CheckInsPage } from '../check-ins/check-ins-page.js';
import { AppointmentsPage, BookPage } from '../scheduling/appointments-page.js';
import { PatientVisitPage } from '../telehealth/patient-visit-page.js';
import { PatientVisitsPage } from '../telehealth/patient-visits-page.js';
import { ReadingsPage } from '../monitoring/readings-page.js';

const ICON = { size: 18, 'aria-hidden': true } as const;

function navFor(base: string): NavItem[] {
  return [
    { to: base, label: 'Summary', icon: <IconLayoutDashboard {...ICON} />, end: true },
    { to: `${base}/results`, label: 'Results', icon: <IconChartLine {...ICON} /> },
    { to: `${base}/readings`, label: 'My readings', icon: <IconHeartRateMonitor {...ICON} /> },
    { to: `${base}/check-ins`, label: 'Check-ins', icon: <IconClipboardHeart {...ICON} /> },
    { to: `${base}/appointments`, label: 'Appointments', icon: <IconCalendarEvent {...ICON} /> },
    { to: `${base}/visits`, label: 'Visits', icon: <IconStethoscope {...ICON} /> },
    { to: `${base}/documents`, label: 'Documents', icon: <IconFileText {...ICON} /> },
    { to: `${base}/access-log`, label: 'Who has seen my record', icon: <IconEye {...ICON} /> },
    { to: `${base}/sharing`, label: 'Sharing', icon: <IconShare {...ICON} /> },
    { to: `${base}/download`, label: 'Download my record', icon: <IconDownload {...ICON} /> },
  ];
}

/** "your" on one's own record; "Zoë's" on a ward's, so that a caregiver always reads whose it is. */
function whoseWord(record: PatientRecord, self: string | undefined): string {
  if (self === `Patient/${record.patient.id}`) return 'your';
  const given = record.patient.name?.[0]?.given?.[0] ?? formatName(record.patient.name);
  return given ? `${given}’s` : 'this person’s';
}

function RecordPages({ record, self }: { record: PatientRecord; self: string | undefined }) {
  const patient = record.patient;
  const id = patient.id!;
  const whose = whoseWord(record, self);
  return (
    <Routes>
      <Route
        index
        element={
          <PatientPage title="Summary" patient={patient}>
            <SummaryView record={record} />
          </PatientPage>
        }
      />
      <Route
        path="results/:test?"
        element={
          <PatientPage title="Results" patient={patient}>
            <ResultsView record={record} />
          </PatientPage>
        }
      />
      <Route
        path="visits"
        element={
          <PatientPage title="Visits" patient={patient}>
            <VisitsView record={record} />
          </PatientPage>
        }
      />
      <Route
        path="documents"
        element={
          <PatientPage title="Documents" patient={patient}>
            <DocumentsView record={record} />
          </PatientPage>
        }
      />
      <Route path="appointments" element={<AppointmentsPage key={id} patient={patient} whose={whose} />} />
      <Route path="appointments/book" element={<BookPage key={id} patient={patient} />} />
      <Route path="video" element={<PatientVisitsPage key={id} patient={patient} />} />
      <Route path="video/:appointmentId" element={<PatientVisitPage key={id} patient={patient} />} />
      <Route path="access-log" element={<AccessLogPage key={id} patient={patient} whose={whose} />} />
      <Route path="sharing" element={<SharingPage key={id} patient={patient} whose={whose} />} />
      <Route path="download" element={<DownloadPage patient={patient} whose={whose} />} />
      <Route path="check-ins" element={<CheckInsPage key={id} patient={patient} whose={whose} />} />
      <Route path="readings" element={<ReadingsPage key={id} patient={patient} whose={whose} />} />
      <Route
        path="*"
        element={
          <PatientPage title="Page not found" patient={patient}>
            <Text>There is no page at this address.</Text>
            <Button component={Link} to={`/patient/${encodeURIComponent(id)}`} style={{ alignSelf: 'flex-start' }}>
              Go to the summary
            </Button>
          </PatientPage>
        }
      />
    </Routes>
  );
}

/** One patient's record and its pages, for the patient or a caregiver looking after them. */
function PatientRecordSpace() {
  const { patientId = '' } = useParams();
  const me = useMe();
  const { patientIds, roles, fhirUser } = me.account;
  const record = usePatientRecord(patientId);
  const own = patientIds[0];
  // The menu leads into records the account holds, even from the address of one it does not.
  const navId = patientIds.includes(patientId) ? patientId : (own ?? patientId);
  const navHeader = roles.includes('caregiver') && patientIds.length > 0 ? <WhoseRecord patientIds={patientIds} current={patientId} self={fhirUser} /> : undefined;
  return (
    <AppFrame nav={navFor(`/patient/${encodeURIComponent(navId)}`)} navHeader={navHeader}>
      <RecordGate
        record={record}
        notFound={
          own && (
            <Button component={Link} to={`/patient/${encodeURIComponent(own)}`} style={{ alignSelf: 'flex-start' }}>
              Go to {roles.includes('caregiver') ? 'the records I look after' : 'my record'}
            </Button>
          )
        }
      >
        {(r) => <RecordPages record={r} self={fhirUser} />}
      </RecordGate>
    </AppFrame>
  );
}

function NotLinked() {
  return (
    <AppFrame nav={[]}>
      <Stack gap="sm" maw={560}>
        <Title order={1} size="h2">
          No health record yet
        </Title>
        <Text>Your account is not linked to a health record. Your clinic links it when they register you; ask them if you expected to see your record here.</Text>
      </Stack>
    </AppFrame>
  );
}

/** The patient space, mounted at /patient/*: one's own record, or for a caregiver, each ward's. */
export function PatientSpace() {
  const me = useMe();
  const first = me.account.patientIds[0];
  return (
    <Routes>
      <Route index element={first ? <Navigate to={`/patient/${encodeURIComponent(first)}`} replace /> : <NotLinked />} />
      {/* Emails and notifications link here, not knowing the record's id: one's own appointments. */}
      <Route path="appointments" element={first ? <Navigate to={`/patient/${encodeURIComponent(first)}/appointments`} replace /> : <NotLinked />} />
      <Route path=":patientId/*" element={<PatientRecordSpace />} />
    </Routes>
  );
}

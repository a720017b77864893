import { IconSearch, IconUsers } from '@tabler/icons-react';
import { Route, Routes } from 'react-router';
import { AppFrame } from '../layout/app-frame.js';
import { ChartPage } from './chart-page.js';
import { PatientSearchPage } from './patient-search-page.js';
import { WorklistPage } from './worklist-page.js';

const NAV = [
  { to: '/clinician', label: 'My patients', icon: <IconUsers size={18} aria-hidden />, end: true },
  { to: '/clinician/search', label: 'Find a patient', icon: <IconSearch size={18} aria-hidden /> },
];

/** The clinician workspace: a worklist, patient search and the patient chart. */
export function ClinicianSpace() {
  return (
    <AppFrame nav={NAV}>
      <Routes>
        <Route index element={<WorklistPage />} />
        <Route path="search" element={<PatientSearchPage />} />
        <Route path="patients/:patientId/*" element={<ChartPage />} />
      </Routes>
    </AppFrame>
  );
}

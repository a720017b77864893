import { IconCalendarEvent, IconClockHour4, IconHeartRateMonitor, IconSearch, IconUsers } from '@tabler/icons-react';
import { Route, Routes } from 'react-router';
import { AppFrame } from '../layout/app-frame.js';
import { ChartPage } from './chart-page.js';
import { PatientSearchPage } from './patient-search-page.js';
import { WorklistPage } from './worklist-page.js';
import { IconVideo } from '@tabler/icons-react';
import { ClinicianVisitPage } from '../telehealth/clinician-visit-page.js';
import { WaitingRoomPage } from '../telehealth/waiting-room-page.js';
import { AvailabilityPage } from '../scheduling/availability-page.js';
import { ClinicianBookPage } from '../scheduling/clinician-book-page.js';
import { SchedulePage } from '../scheduling/schedule-page.js';
import { MonitoringDashboardPage } from '../monitoring/dashboard-page.js';

const NAV = [
  { to: '/clinician', label: 'My patients', icon: <IconUsers size={18} aria-hidden />, end: true },
  { to: '/clinician/monitoring', label: 'Monitoring', icon: <IconHeartRateMonitor size={18} aria-hidden /> },
  { to: '/clinician/search', label: 'Find a patient', icon: <IconSearch size={18} aria-hidden /> },
  { to: '/clinician/waiting-room', label: 'Waiting room', icon: <IconVideo size={18} aria-hidden /> },
  { to: '/clinician/schedule', label: 'Schedule', icon: <IconCalendarEvent size={18} aria-hidden /> },
  { to: '/clinician/availability', label: 'Opening hours', icon: <IconClockHour4 size={18} aria-hidden /> },
];

/** The clinician workspace: a worklist, patient search and the patient chart. */
export function ClinicianSpace() {
  return (
    <AppFrame nav={NAV}>
      <Routes>
        <Route index element={<WorklistPage />} />
        <Route path="search" element={<PatientSearchPage />} />
        <Route path="monitoring" element={<MonitoringDashboardPage />} />
        <Route path="patients/:patientId/*" element={<ChartPage />} />
        <Route path="waiting-room" element={<WaitingRoomPage />} />
        <Route path="visit/:appointmentId" element={<ClinicianVisitPage />} />
        <Route path="schedule" element={<SchedulePage />} />
        <Route path="availability" element={<AvailabilityPage />} />
        <Route path="book/:patientId" element={<ClinicianBookPage />} />
      </Routes>
    </AppFrame>
  );
}

import { IconDevices, IconListDetails, IconUsers } from '@tabler/icons-react';
import { Navigate, Route, Routes } from 'react-router';
import { AppFrame } from '../layout/app-frame.js';
import { AuditPage } from './audit-page.js';
import { SessionsPage } from './sessions-page.js';
import { StaffPage } from './staff-page.js';

const NAV = [
  { to: '/administration', label: 'Staff', icon: <IconUsers size={18} aria-hidden />, end: true },
  { to: '/administration/sessions', label: 'Sessions', icon: <IconDevices size={18} aria-hidden /> },
  { to: '/administration/audit', label: 'Audit ledger', icon: <IconListDetails size={18} aria-hidden /> },
];

/** Administration of the administrator's organizations: staff, their sessions, and the audit ledger. */
export function AdminSpace() {
  return (
    <AppFrame nav={NAV}>
      <Routes>
        <Route index element={<StaffPage />} />
        <Route path="sessions" element={<SessionsPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="*" element={<Navigate to="/administration" replace />} />
      </Routes>
    </AppFrame>
  );
}

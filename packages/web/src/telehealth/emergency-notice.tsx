import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

/** The emergency number where the demo clinics are (Oregon, United States). */
export const EMERGENCY_NUMBER = '911';

/** A video visit is not an emergency service: whoever waits for one is told where to turn instead. */
export function EmergencyNotice() {
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="Not for emergencies">
      If this is an emergency, call{' '}
      <a href={`tel:${EMERGENCY_NUMBER}`} style={{ color: 'inherit', fontWeight: 700 }}>
        {EMERGENCY_NUMBER}
      </a>{' '}
      now. Do not wait for your video visit.
    </Alert>
  );
}

import { AppFrame } from '../layout/app-frame.js';

export function ClinicianSpace() {
  return <AppFrame nav={[]}>ClinicianSpace</AppFrame>;
}

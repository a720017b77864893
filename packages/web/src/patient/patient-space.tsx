import { AppFrame } from '../layout/app-frame.js';

export function PatientSpace() {
  return <AppFrame nav={[]}>PatientSpace</AppFrame>;
}

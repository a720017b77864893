import { AppFrame } from '../layout/app-frame.js';

export function PharmacySpace() {
  return <AppFrame nav={[]}>PharmacySpace</AppFrame>;
}

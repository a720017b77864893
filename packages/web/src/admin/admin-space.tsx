import { AppFrame } from '../layout/app-frame.js';

export function AdminSpace() {
  return <AppFrame nav={[]}>AdminSpace</AppFrame>;
}

import { AppFrame } from '../layout/app-frame.js';

export function PublicHealthSpace() {
  return <AppFrame nav={[]}>PublicHealthSpace</AppFrame>;
}

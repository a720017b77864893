import { AppFrame } from '../layout/app-frame.js';

export function AccountSpace() {
  return <AppFrame nav={[]}>AccountSpace</AppFrame>;
}

import type { Role } from '../api/account.js';

/**
 * The app has one space per audience. Which spaces a person sees follows from their roles; a
 * person with several roles (a clinician who is also a patient) switches between them.
 */

export type SpaceId = 'patient' | 'clinician' | 'pharmacy' | 'public-health' | 'admin';

export interface Space {
  id: SpaceId;
  label: string;
  /** Where the space starts; every route of the space lives under it. */
  path: string;
}

export const SPACES: Record<SpaceId, Space> = {
  patient: { id: 'patient', label: 'My health', path: '/patient' },
  clinician: { id: 'clinician', label: 'Clinician', path: '/clinician' },
  pharmacy: { id: 'pharmacy', label: 'Pharmacy', path: '/pharmacy' },
  'public-health': { id: 'public-health', label: 'Public health', path: '/public-health' },
  admin: { id: 'admin', label: 'Administration', path: '/administration' },
};

const ROLE_SPACE: Record<Role, SpaceId> = {
  patient: 'patient',
  caregiver: 'patient',
  practitioner: 'clinician',
  pharmacist: 'pharmacy',
  'public-health': 'public-health',
  researcher: 'public-health',
  admin: 'admin',
};

/** The spaces open to these roles, in a stable order (care first, administration last). */
export function spacesFor(roles: readonly Role[]): Space[] {
  const ids = new Set(roles.map((r) => ROLE_SPACE[r]));
  return (Object.keys(SPACES) as SpaceId[]).filter((id) => ids.has(id)).map((id) => SPACES[id]);
}

/** Where a person lands after signing in: the page they were sent away from if it is theirs, else their first space. */
export function landingPath(roles: readonly Role[], wanted?: string | null): string {
  const spaces = spacesFor(roles);
  if (wanted && wanted.startsWith('/') && !wanted.startsWith('//')) {
    if (wanted === '/account' || spaces.some((s) => wanted === s.path || wanted.startsWith(`${s.path}/`))) return wanted;
  }
  return spaces[0]?.path ?? '/account';
}

/** The space a path belongs to, if any. */
export function spaceOfPath(path: string): SpaceId | undefined {
  return (Object.values(SPACES) as Space[]).find((s) => path === s.path || path.startsWith(`${s.path}/`))?.id;
}

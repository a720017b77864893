import type { Role } from '../api/account.js';
import type { Invitation } from '../api/admin.js';

/** Staff roles, their names on screen, and the invitation form's rules (the server checks them again). */

export const STAFF_ROLES: readonly Role[] = ['practitioner', 'pharmacist', 'public-health', 'researcher', 'admin'];

/** Roles that carry a professional licence an administrator verifies. */
export const LICENSED_ROLES: readonly Role[] = ['practitioner', 'pharmacist'];

export const ROLE_LABEL: Record<Role, string> = {
  patient: 'Patient',
  caregiver: 'Caregiver',
  practitioner: 'Clinician',
  pharmacist: 'Pharmacist',
  'public-health': 'Public health',
  researcher: 'Researcher',
  admin: 'Administrator',
};

export const isLicensed = (roles: readonly Role[]): boolean => roles.some((r) => LICENSED_ROLES.includes(r));

export interface InvitationForm {
  email: string;
  displayName: string;
  roles: Role[];
  organizationId: string;
  licence: string;
  licenceSystem: string;
  degree: string;
  issuer: string;
}

export const EMPTY_INVITATION: InvitationForm = { email: '', displayName: '', roles: [], organizationId: '', licence: '', licenceSystem: '', degree: '', issuer: '' };

export type InvitationProblems = Partial<Record<keyof InvitationForm, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function invitationProblems(form: InvitationForm): InvitationProblems {
  const problems: InvitationProblems = {};
  if (!EMAIL.test(form.email.trim())) problems.email = 'Type an email address such as name@clinic.example';
  if (!form.displayName.trim()) problems.displayName = 'Type the name colleagues know them by';
  else if (form.displayName.trim().length > 200) problems.displayName = 'At most 200 characters';
  if (form.roles.length === 0) problems.roles = 'Choose at least one role';
  if (!form.organizationId) problems.organizationId = 'Choose the organization they work for';
  if (isLicensed(form.roles) && !form.licence.trim()) problems.licence = 'Clinicians and pharmacists need their licence number';
  if (form.licenceSystem.trim() && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(form.licenceSystem.trim())) problems.licenceSystem = 'A URI naming the register, such as https://register.example/licences';
  return problems;
}

/** The request for a form without problems; licence details go along only when a licence number is given. */
export function invitationBody(form: InvitationForm): Invitation {
  const [licence, system, degree, issuer] = [form.licence, form.licenceSystem, form.degree, form.issuer].map((s) => s.trim());
  return {
    email: form.email.trim(),
    displayName: form.displayName.trim().replace(/\s+/g, ' '),
    roles: form.roles,
    organizationId: form.organizationId,
    ...(licence ? { qualification: { licence, ...(system ? { system } : {}), ...(degree ? { degree } : {}), ...(issuer ? { issuer } : {}) } } : {}),
  };
}

/** The form field a server refusal names (it speaks of `qualification.licence`, `roles[1]`). */
export function invitationField(serverField: string | undefined): keyof InvitationForm | undefined {
  if (!serverField) return undefined;
  if (serverField.startsWith('roles')) return 'roles';
  const qualification: Record<string, keyof InvitationForm> = {
    'qualification.licence': 'licence',
    'qualification.system': 'licenceSystem',
    'qualification.degree': 'degree',
    'qualification.issuer': 'issuer',
    qualification: 'licence',
  };
  if (serverField in qualification) return qualification[serverField];
  return serverField in EMPTY_INVITATION ? (serverField as keyof InvitationForm) : undefined;
}

import { request } from './http.js';

/** The account endpoints under /auth, as the app uses them. */

import type { AccountGrants, Role } from '@salus/core';

export type { AccountGrants, Role };

export interface Me {
  account: AccountGrants;
  mfaEnrolled: boolean;
  session: { id: string; complete: boolean; expiresAt: string };
}

export interface SessionRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip?: string;
  userAgent?: string;
  current?: boolean;
}

export type LoginResult = { mfa: 'required' | 'none' | 'setup-required'; complete: boolean };

export const accountApi = {
  me: () => request<Me>('/auth/me', { quiet401: true }),
  login: (email: string, password: string) => request<LoginResult>('/auth/login', { body: { email, password }, quiet401: true }),
  loginMfa: (code: string) => request<{ complete: boolean }>('/auth/login/mfa', { body: { code }, quiet401: true }),
  logout: () => request<void>('/auth/logout', { method: 'POST', quiet401: true }),
  register: (input: { email: string; password: string; givenName: string; familyName: string; birthDate: string }) =>
    request<{ status: string; message: string }>('/auth/register', { body: input }),
  verifyEmail: (token: string) => request<{ status: string }>(`/auth/verify-email?token=${encodeURIComponent(token)}`, { quiet401: true }),
  forgotPassword: (email: string) => request<{ message: string }>('/auth/password/forgot', { body: { email } }),
  resetPassword: (token: string, password: string) => request<{ status: string }>('/auth/password/reset', { body: { token, password } }),
  acceptInvitation: (token: string, password: string) => request<{ accountId: string }>('/auth/invitations/accept', { body: { token, password } }),
  changePassword: (currentPassword: string, newPassword: string) => request<void>('/auth/password/change', { body: { currentPassword, newPassword } }),
  beginTotp: () => request<{ secret: string; uri: string }>('/auth/mfa/totp/begin', { method: 'POST', body: {} , quiet401: true}),
  confirmTotp: (code: string) => request<{ recoveryCodes: string[] }>('/auth/mfa/totp/confirm', { body: { code }, quiet401: true }),
  regenerateRecoveryCodes: () => request<{ recoveryCodes: string[] }>('/auth/recovery-codes', { method: 'POST', body: {} }),
  sessions: () => request<{ sessions: SessionRow[] }>('/auth/sessions'),
  revokeSession: (id: string) => request<void>(`/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  demo: () => request<DemoInfo>('/auth/demo', { quiet401: true }),
};

/** What the sign-in page shows when the server runs the demo world. */
export interface DemoInfo {
  password: string;
  totpSecret: string;
  /** The staff authenticator's current code, so the demo can be tried without an app. */
  currentCode: string;
  /** Who each demo person is: their role in words, and a line on their part in the demo. */
  people: { name: string; email: string; role: Role; description: string; note: string }[];
}

import type { MailMessage } from '../notify/notifier.js';

/** The mail the account service sends, as plain text with a simple HTML alternative. */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function message(to: string, subject: string, paragraphs: string[], link?: { href: string; label: string }): MailMessage {
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.href}`] : []), 'Salus'].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link ? [`<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`] : []),
    '<p>Salus</p>',
  ].join('\n');
  return { to, subject, text, html };
}

export function verifyEmailMessage(to: string, name: string, href: string, hours: number): MailMessage {
  return message(
    to,
    'Confirm your email address',
    [`Hello ${name},`, `Welcome to Salus. Confirm your email address to activate your account. The link works once, within ${hours} hours.`],
    { href, label: 'Confirm my email address' },
  );
}

/** Sent instead of a second registration, so the form never tells a stranger the address is taken. */
export function alreadyRegisteredMessage(to: string, signIn: string, reset: string): MailMessage {
  return message(
    to,
    'You already have a Salus account',
    [
      'Someone, probably you, tried to register a Salus account with this email address, which already has one.',
      `Sign in at ${signIn}. If you have forgotten your password, use the link below to choose a new one. If it was not you, you can ignore this message.`,
    ],
    { href: reset, label: 'Choose a new password' },
  );
}

export function resetPasswordMessage(to: string, href: string, minutes: number): MailMessage {
  return message(
    to,
    'Reset your Salus password',
    [`Someone asked to reset the password of your Salus account. The link works once, within ${minutes} minutes. If it was not you, ignore this message; your password stays as it is.`],
    { href, label: 'Choose a new password' },
  );
}

export function passwordChangedMessage(to: string): MailMessage {
  return message(to, 'Your Salus password was changed', [
    'The password of your Salus account was just changed, and every other signed-in device was signed out.',
    'If you did not do this, reset your password at once and contact your care provider.',
  ]);
}

export function invitationMessage(to: string, name: string, organization: string, href: string, days: number): MailMessage {
  return message(
    to,
    `You are invited to ${organization} on Salus`,
    [
      `Hello ${name},`,
      `${organization} has invited you to Salus. Choose a password and set up an authenticator app to finish your account. The link works once, within ${days} days.`,
    ],
    { href, label: 'Accept the invitation' },
  );
}

export function addedToOrganizationMessage(to: string, organization: string, roles: string[], signIn: string): MailMessage {
  return message(to, `You were added to ${organization} on Salus`, [
    `${organization} added the role${roles.length > 1 ? 's' : ''} ${roles.join(', ')} to your Salus account.`,
    `Sign in at ${signIn}.`,
  ]);
}

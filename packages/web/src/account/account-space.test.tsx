import { renderUi } from '../test/render.js';
import { strict as assert } from 'node:assert';
import { afterEach, describe, test } from 'node:test';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { SessionRow } from '../api/account.js';
import { SecurityPage } from './account-space.js';
import { fakeMe, fakeServer, SignedIn, type FakeServer } from '../test/fake-server.js';
import { passwordChangeProblems } from './password-form.js';

let server: FakeServer | undefined;
afterEach(() => server?.restore());

const SESSIONS: SessionRow[] = [
  { id: 'sess-here', createdAt: '2026-03-01T08:00:00Z', lastSeenAt: '2026-03-01T09:00:00Z', expiresAt: '2026-03-01T20:00:00Z', ip: '10.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/129.0', current: true },
  { id: 'sess-phone', createdAt: '2026-02-27T18:00:00Z', lastSeenAt: '2026-02-28T07:30:00Z', expiresAt: '2026-03-01T06:00:00Z', ip: '10.0.0.9', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1' },
  { id: 'sess-work', createdAt: '2026-02-26T18:00:00Z', lastSeenAt: '2026-02-27T07:30:00Z', expiresAt: '2026-03-01T06:00:00Z', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/128.0.0.0 Safari/537.36' },
];

function serve(sessions: SessionRow[] = SESSIONS): FakeServer {
  let live = [...sessions];
  return fakeServer(({ method, url }) => {
    if (url === '/auth/me') return { body: fakeMe(['patient']) };
    if (url === '/auth/sessions') return { body: { sessions: live } };
    const ended = /^\/auth\/sessions\/(.+)$/.exec(url)?.[1];
    if (method === 'DELETE' && ended) {
      live = live.filter((s) => s.id !== ended);
      return {};
    }
    if (url === '/auth/password/change') return {};
    return undefined;
  });
}

describe('my sign-in and security', () => {
  test('lists my sessions by device with this one marked, and signs out all the others', async () => {
    server = serve();
    renderUi(<SignedIn><SecurityPage /></SignedIn>);
    const list = await screen.findByRole('list');
    const items = within(list).getAllByRole('listitem');
    assert.equal(items.length, 3);
    assert.match(items[0]!.textContent ?? '', /Firefox on Linux.*This device.*From 10\.0\.0\.1/);
    assert.equal(within(items[0]!).queryByRole('button'), null, 'this session is ended by signing out, not here');
    assert.ok(within(items[1]!).getByRole('button', { name: /Sign out Safari on iPhone/ }));

    fireEvent.click(screen.getByRole('button', { name: 'Sign out all other sessions' }));
    await screen.findByText('You are signed in on this device only.');
    assert.deepEqual(
      server.calls.filter((c) => c.method === 'DELETE').map((c) => c.url).sort(),
      ['/auth/sessions/sess-phone', '/auth/sessions/sess-work'],
    );
  });

  test('signing out one other session leaves the rest', async () => {
    server = serve();
    renderUi(<SignedIn><SecurityPage /></SignedIn>);
    fireEvent.click(await screen.findByRole('button', { name: /Sign out Chrome on Windows/ }));
    await waitFor(() => assert.equal(screen.getAllByRole('listitem').length, 2));
    assert.deepEqual(server.calls.filter((c) => c.method === 'DELETE').map((c) => c.url), ['/auth/sessions/sess-work']);
  });

  test('a password change is checked before sending, then sent, and the sessions read again', async () => {
    server = serve();
    renderUi(<SignedIn><SecurityPage /></SignedIn>);
    const form = await screen.findByRole('form', { name: 'Change password' });
    const field = (label: RegExp) => within(form).getByLabelText(label);
    fireEvent.change(field(/^Current password/), { target: { value: 'old-passphrase-1' } });
    fireEvent.change(field(/^New password$|^New password\s*\*/), { target: { value: 'too-short' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    await within(form).findByText('At least 12 characters');
    assert.equal(server.calls.some((c) => c.url === '/auth/password/change'), false);

    fireEvent.change(field(/^New password$|^New password\s*\*/), { target: { value: 'a-long-new-passphrase' } });
    fireEvent.change(field(/^New password again/), { target: { value: 'a-long-new-passphrase' } });
    const sessionReads = server.calls.filter((c) => c.url === '/auth/sessions').length;
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    await screen.findByText('Your password is changed. Your other sessions were signed out.');
    assert.deepEqual(server.calls.find((c) => c.url === '/auth/password/change')?.body, { currentPassword: 'old-passphrase-1', newPassword: 'a-long-new-passphrase' });
    await waitFor(() => assert.equal(server!.calls.filter((c) => c.url === '/auth/sessions').length, sessionReads + 1));
  });

  test("the server's refusal shows under the field it names", async () => {
    server = fakeServer(({ url }) => {
      if (url === '/auth/me') return { body: fakeMe(['patient']) };
      if (url === '/auth/sessions') return { body: { sessions: [] } };
      if (url === '/auth/password/change') {
        return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'The current password is wrong', expression: ['currentPassword'] }] } };
      }
      return undefined;
    });
    renderUi(<SignedIn><SecurityPage /></SignedIn>);
    const form = await screen.findByRole('form', { name: 'Change password' });
    fireEvent.change(within(form).getByLabelText(/^Current password/), { target: { value: 'not-my-password' } });
    fireEvent.change(within(form).getByLabelText(/^New password$|^New password\s*\*/), { target: { value: 'a-long-new-passphrase' } });
    fireEvent.change(within(form).getByLabelText(/^New password again/), { target: { value: 'a-long-new-passphrase' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    const message = await within(form).findByText('The current password is wrong');
    const input = within(form).getByLabelText(/^Current password/);
    assert.ok(input.getAttribute('aria-describedby')?.split(' ').includes(message.id));
  });
});

describe('passwordChangeProblems', () => {
  test('needs the current password, a long enough new one that differs, typed twice alike', () => {
    assert.deepEqual(passwordChangeProblems({ currentPassword: '', newPassword: 'short', again: 'shrt' }), {
      currentPassword: 'Type your current password',
      newPassword: 'At least 12 characters',
      again: 'The two new passwords differ',
    });
    assert.deepEqual(passwordChangeProblems({ currentPassword: 'same-passphrase-1', newPassword: 'same-passphrase-1', again: 'same-passphrase-1' }), {
      newPassword: 'Choose a password different from the current one',
    });
    assert.deepEqual(passwordChangeProblems({ currentPassword: 'old-passphrase-1', newPassword: 'new-passphrase-22', again: 'new-passphrase-22' }), {});
  });
});

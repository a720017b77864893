import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MailCatcher } from '../auth/account-test-support.js';
import { startTestApp } from '../test-support.js';

test('without SMTP, mail lands in the outbox, which /dev/outbox shows newest first', async () => {
  const salus = await startTestApp({ env: {} });
  try {
    const { notifier } = salus;
    assert.equal(notifier.kind, 'outbox');
    await notifier.send({ to: 'Ana@example.test', subject: 'First', text: 'one' });
    await notifier.send({ to: 'ben@example.test', subject: 'Second', text: 'two', html: '<p>two</p>' });
    const all = JSON.parse((await salus.app.inject('/dev/outbox')).body) as { messages: { to: string; subject: string; html?: string }[] };
    assert.deepEqual(all.messages.map((m) => m.subject), ['Second', 'First']);
    assert.equal(all.messages[0]!.html, '<p>two</p>');
    const ana = JSON.parse((await salus.app.inject('/dev/outbox?to=ana@example.test')).body) as { messages: { text: string }[] };
    assert.deepEqual(ana.messages.map((m) => m.text), ['one']);
    const remote = await salus.app.inject({ url: '/dev/outbox', remoteAddress: '10.1.2.3' });
    assert.equal(remote.statusCode, 403, 'sign-in links are not for other machines');

    const invite = { filename: 'visit.ics', contentType: 'text/calendar; method=REQUEST; charset=utf-8', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' };
    await notifier.send({ to: 'ana@example.test', subject: 'With invitation', text: 'see attached', attachments: [invite] });
    const shown = JSON.parse((await salus.app.inject('/dev/outbox?to=ana@example.test')).body) as { messages: { subject: string; attachments?: unknown }[] };
    assert.equal(shown.messages[0]!.subject, 'With invitation');
    assert.deepEqual(shown.messages[0]!.attachments, [invite]);
    assert.equal(shown.messages[1]!.attachments, undefined, 'mail without attachments shows none');
  } finally {
    await salus.close();
  }
});

test('with SALUS_SMTP_URL, mail goes over SMTP from SALUS_MAIL_FROM and /dev/outbox does not exist', async () => {
  const catcher = await MailCatcher.start();
  const salus = await startTestApp({ env: { SALUS_SMTP_URL: catcher.url, SALUS_MAIL_FROM: 'Clinic <clinic@example.test>' } });
  try {
    const { notifier } = salus;
    assert.equal(notifier.kind, 'smtp');
    await notifier.send({ to: 'cara@example.test', subject: 'Hello', text: 'Over the wire' });
    const mail = await catcher.next('cara@example.test');
    assert.equal(mail.subject, 'Hello');
    assert.equal(mail.from, '"Clinic" <clinic@example.test>');
    assert.equal(mail.text.trim(), 'Over the wire');
    assert.deepEqual(mail.attachments, []);
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';
    await notifier.send({ to: 'cara@example.test', subject: 'Invitation', text: 'attached', attachments: [{ filename: 'visit.ics', contentType: 'text/calendar; method=REQUEST', content: ics }] });
    const invited = await catcher.next('cara@example.test');
    assert.equal(invited.attachments.length, 1);
    assert.equal(invited.attachments[0]!.filename, 'visit.ics');
    assert.equal(invited.attachments[0]!.contentType, 'text/calendar');
    assert.equal(invited.attachments[0]!.content, ics);
    assert.equal((await salus.app.inject('/dev/outbox')).statusCode, 404);
    assert.equal((await salus.db.query('SELECT 1 FROM outbox')).rows.length, 0);
  } finally {
    await Promise.all([salus.close(), catcher.close()]);
  }
});

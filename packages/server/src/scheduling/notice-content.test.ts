import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarFile, formatWhen, noticeEmail, noticePush, zoneName, type VisitFacts } from './notice-content.js';
import { icsFields } from './notice-test-support.js';

const PUBLIC_URL = 'https://care.example';

const video: VisitFacts = {
  appointmentId: 'appt-7',
  sequence: 1,
  start: new Date('2026-12-08T14:00:00Z'),
  end: new Date('2026-12-08T14:30:00Z'),
  mode: 'video',
  clinician: 'Dr Amara Okafor',
  patientName: 'Maria',
  timeZone: 'America/Los_Angeles',
};

describe('times in the clinician zone', () => {
  test('are written in that zone with the zone named', () => {
    assert.equal(formatWhen(video.start, 'America/Los_Angeles'), 'Tuesday 8 December 2026 at 06:00');
    assert.equal(zoneName(video.start, 'America/Los_Angeles'), 'Los Angeles time, PST');
    assert.equal(formatWhen(new Date('2026-07-01T08:15:00Z'), 'Europe/Amsterdam'), 'Wednesday 1 July 2026 at 10:15');
    assert.equal(zoneName(new Date('2026-07-01T08:15:00Z'), 'Europe/Amsterdam'), 'Amsterdam time, GMT+2');
    assert.equal(formatWhen(video.start, 'UTC'), 'Tuesday 8 December 2026 at 14:00');
    assert.equal(zoneName(video.start, 'UTC'), 'UTC');
  });
});

describe('notice emails', () => {
  test('a confirmation names the clinician, the time in their zone and how to join by video', () => {
    const mail = noticeEmail('confirmation', video, { publicUrl: PUBLIC_URL, to: 'maria@example.test' });
    assert.equal(mail.to, 'maria@example.test');
    assert.equal(mail.subject, 'Booked: your video visit with Dr Amara Okafor, Tue 8 Dec, 06:00');
    assert.match(mail.text, /^Dear Maria,\n/);
    assert.match(mail.text, /When: Tuesday 8 December 2026 at 06:00 to 06:30 \(Los Angeles time, PST\)/);
    assert.match(mail.text, /open https:\/\/care\.example\/patient\/appointments and choose the visit to join/);
    assert.equal(mail.attachments?.[0]?.filename, 'visit.ics');
  });

  test('phone and in-person visits say how they happen', () => {
    const phone = noticeEmail('reminder', { ...video, mode: 'phone' }, { publicUrl: PUBLIC_URL, to: 'm@x.test', lead: '1h' });
    assert.equal(phone.subject, 'Reminder: your phone visit with Dr Amara Okafor in about an hour, Tue 8 Dec, 06:00');
    assert.match(phone.text, /Dr Amara Okafor will call you on the number in your record/);
    const inPerson = noticeEmail('reminder', { ...video, mode: 'in-person', location: 'Harbour Clinic, 12 Quay Street' }, { publicUrl: PUBLIC_URL, to: 'm@x.test', lead: '24h' });
    assert.match(inPerson.subject, /in person visit with Dr Amara Okafor tomorrow/);
    assert.match(inPerson.text, /Where: Harbour Clinic, 12 Quay Street\./);
  });

  test('an update gives the new and the old time; a cancellation the reason', () => {
    const moved = noticeEmail('update', { ...video, sequence: 2, previousStart: new Date('2026-12-07T17:00:00Z') }, { publicUrl: PUBLIC_URL, to: 'm@x.test' });
    assert.equal(moved.subject, 'Moved: your video visit with Dr Amara Okafor is now Tue 8 Dec, 06:00');
    assert.match(moved.text, /\(It was Monday 7 December 2026 at 09:00\.\)/);
    const cancelled = noticeEmail('cancellation', { ...video, sequence: 3, cancellationReason: 'The clinician is unwell' }, { publicUrl: PUBLIC_URL, to: 'm@x.test' });
    assert.match(cancelled.text, /Your video visit with Dr Amara Okafor on Tuesday 8 December 2026 at 06:00 \(Los Angeles time, PST\) is cancelled\.\nReason given: The clinician is unwell/);
    assert.equal(cancelled.attachments?.[0]?.filename, 'cancelled-visit.ics');
  });
});

describe('calendar files', () => {
  test('a REQUEST with one UID per appointment, its version as SEQUENCE and times in UTC', () => {
    const file = calendarFile('confirmation', video, { publicUrl: PUBLIC_URL, to: 'maria@example.test' });
    assert.equal(file.contentType, 'text/calendar; charset=utf-8; method=REQUEST');
    const f = icsFields(file.content);
    assert.equal(f.get('METHOD'), 'REQUEST');
    assert.equal(f.get('UID'), 'appointment-appt-7@care.example');
    assert.equal(f.get('SEQUENCE'), '1');
    assert.equal(f.get('DTSTART'), '20261208T140000Z');
    assert.equal(f.get('DTEND'), '20261208T143000Z');
    assert.equal(f.get('STATUS'), 'CONFIRMED');
    assert.equal(f.get('SUMMARY'), 'Video visit with Dr Amara Okafor');
    assert.equal(f.get('LOCATION'), 'https://care.example/patient/appointments');
    assert.match(f.get('ATTENDEE') ?? '', /mailto:maria@example\.test$/i);
    assert.match(f.get('DESCRIPTION') ?? '', /Los Angeles time/);
  });

  test('a CANCEL keeps the UID and raises the SEQUENCE', () => {
    const f = icsFields(calendarFile('cancellation', { ...video, sequence: 3 }, { publicUrl: PUBLIC_URL, to: 'maria@example.test' }).content);
    assert.equal(f.get('METHOD'), 'CANCEL');
    assert.equal(f.get('UID'), 'appointment-appt-7@care.example');
    assert.equal(f.get('SEQUENCE'), '3');
    assert.equal(f.get('STATUS'), 'CANCELLED');
  });
});

describe('push notifications', () => {
  test('say what happened in a line, and open the visits page', () => {
    assert.deepEqual(noticePush('confirmation', video, { publicUrl: PUBLIC_URL }), {
      title: 'Visit booked',
      body: 'Video visit with Dr Amara Okafor, Tuesday 8 December 2026 at 06:00 (Los Angeles time, PST).',
      url: 'https://care.example/patient/appointments',
      tag: 'appointment-appt-7',
    });
    assert.equal(noticePush('reminder', video, { publicUrl: PUBLIC_URL, lead: '1h' }).title, 'Visit in about an hour');
    assert.equal(noticePush('cancellation', video, { publicUrl: PUBLIC_URL }).title, 'Visit cancelled');
  });
});

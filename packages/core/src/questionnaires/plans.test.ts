import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GAD7 } from './gad-7.js';
import { PHQ9 } from './phq-9.js';
import { addPeriod, checkInPlan, endedCheckInPlan, isCheckInPlan, nextDue, plannedCheckIn, scheduleText } from './plans.js';
import { canonicalOf } from './scoring.js';

const now = new Date('2026-03-10T09:00:00Z');
const plan = checkInPlan({
  instrument: PHQ9,
  schedule: { period: 2, periodUnit: 'wk' },
  patient: { reference: 'Patient/ana' },
  author: { reference: 'Practitioner/okafor' },
  start: '2026-03-10',
  now,
});

test('an enrolment is an active check-in CarePlan that instantiates the questionnaire on a schedule', () => {
  assert.equal(plan.status, 'active');
  assert.equal(plan.intent, 'plan');
  assert.ok(isCheckInPlan(plan));
  assert.equal(plan.title, 'PHQ-9 check-ins every 2 weeks');
  const detail = plan.activity![0]!.detail!;
  assert.deepEqual(detail.instantiatesCanonical, [canonicalOf(PHQ9)]);
  assert.deepEqual(detail.scheduledTiming!.repeat, { boundsPeriod: { start: '2026-03-10' }, frequency: 1, period: 2, periodUnit: 'wk' });
  assert.deepEqual(detail.performer, [{ reference: 'Patient/ana' }]);
});

test('the plan reads back as the check-in and schedule it was made with', () => {
  const planned = plannedCheckIn(plan)!;
  assert.equal(planned.instrument, PHQ9);
  assert.deepEqual(planned.schedule, { period: 2, periodUnit: 'wk' });
  assert.equal(planned.start, '2026-03-10');
  assert.equal(plannedCheckIn({ ...plan, category: [{ text: 'Diabetes care' }] }), undefined, 'other care plans are not check-ins');
});

test('the first check-in is due at the start; each next one a period after the last answer', () => {
  const planned = plannedCheckIn(plan)!;
  assert.equal(nextDue(planned, undefined).toISOString(), '2026-03-10T00:00:00.000Z');
  assert.equal(nextDue(planned, '2026-03-12T18:30:00Z').toISOString(), '2026-03-26T18:30:00.000Z');
  // Answers from before the enrolment started do not bring the first one forward.
  assert.equal(nextDue(planned, '2026-01-01T10:00:00Z').toISOString(), '2026-03-10T00:00:00.000Z');
});

test('schedules read as people say them; a month on from the 31st is the month’s last day', () => {
  assert.equal(scheduleText({ period: 1, periodUnit: 'd' }), 'every day');
  assert.equal(scheduleText({ period: 2, periodUnit: 'wk' }), 'every 2 weeks');
  assert.equal(scheduleText({ period: 1, periodUnit: 'mo' }), 'every month');
  assert.equal(addPeriod(new Date('2026-01-31T12:00:00Z'), { period: 1, periodUnit: 'mo' }).toISOString(), '2026-02-28T12:00:00.000Z');
  assert.equal(addPeriod(new Date('2026-03-15T12:00:00Z'), { period: 2, periodUnit: 'mo' }).toISOString(), '2026-05-15T12:00:00.000Z');
  assert.equal(addPeriod(new Date('2026-01-31T12:00:00Z'), { period: 3, periodUnit: 'd' }).toISOString(), '2026-02-03T12:00:00.000Z');
});

test('ending an enrolment completes the plan and stops its activity, keeping what it was', () => {
  const g = checkInPlan({ instrument: GAD7, schedule: { period: 1, periodUnit: 'mo' }, patient: { reference: 'Patient/ana' }, start: '2026-03-10', now });
  const ended = endedCheckInPlan(g, new Date('2026-05-01T08:00:00Z'));
  assert.equal(ended.status, 'completed');
  assert.deepEqual(ended.period, { start: '2026-03-10', end: '2026-05-01T08:00:00.000Z' });
  assert.equal(ended.activity![0]!.detail!.status, 'stopped');
  assert.equal(plannedCheckIn(ended)!.instrument, GAD7);
});

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { groupByDay, timelineEntries } from './timeline.js';
import { recordResources } from './test-fixtures.js';
import { buildRecord } from './use-patient-record.js';

const GB = { locale: 'en-GB', timeZone: 'UTC' };

describe('timeline', () => {
  const record = buildRecord(recordResources(), 'ana');
  const entries = timelineEntries(record, GB);

  test('everything dated is there, newest first', () => {
    assert.equal(entries[0]!.key, 'Appointment/appt');
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i - 1]!.at >= entries[i]!.at, `${entries[i - 1]!.key} before ${entries[i]!.key}`);
    const kinds = new Set(entries.map((e) => e.kind));
    for (const k of ['visit', 'appointment', 'result', 'medicine', 'problem', 'vaccination', 'note'] as const) assert.ok(kinds.has(k), k);
  });

  test('a report carries its values, which are not listed again on their own', () => {
    const report = entries.find((e) => e.key === 'DiagnosticReport/report-1');
    assert.equal(report?.title, 'Diabetes panel');
    assert.equal(report?.detail, 'HbA1c 8.9% (high)');
    assert.equal(report?.flag, 'high');
    assert.ok(!entries.some((e) => e.key.startsWith('results:2025-02-01|laboratory')));
  });

  test('a day’s other measurements are one line per category', () => {
    const vitals = entries.find((e) => e.key === 'results:2026-10-24|vital-signs');
    assert.equal(vitals?.title, 'Vital signs');
    assert.equal(vitals?.detail, 'Blood pressure 128/78 mmHg');
    const labs = entries.find((e) => e.key === 'results:2026-10-24|laboratory');
    assert.equal(labs?.detail, 'HbA1c 5.4%');
  });

  test('visits name how, with whom and where', () => {
    const visit = entries.find((e) => e.key === 'Encounter/visit-1');
    assert.equal(visit?.title, 'Follow-up encounter');
    assert.equal(visit?.detail, 'In person · with Dr. Amara Okafor · Alder Street surgery');
  });

  test('entries are grouped under their day', () => {
    const days = groupByDay(entries, GB);
    const feb = days.find((d) => d.day === '2025-02-01');
    assert.deepEqual(feb?.entries.map((e) => e.kind).sort(), ['medicine', 'note', 'problem', 'result', 'result', 'visit']);
    assert.equal(new Set(days.map((d) => d.day)).size, days.length);
  });
});

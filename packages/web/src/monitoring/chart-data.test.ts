import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { defaultPlan } from '@salus/core';
import {
  chartColumns,
  chartKinds,
  chartSummary,
  goalBands,
  goalText,
  maxPointsFor,
  MIN_WINDOW_MS,
  needsFetch,
  pointsInWindow,
  rangeWindow,
  tableRows,
  yRange,
  zoomWindow,
} from './chart-data.js';
import type { SeriesPoint } from './monitoring-api.js';

const H = 3_600_000;
const T0 = Date.parse('2026-04-01T00:00:00Z');
const UTC = { locale: 'en-GB', timeZone: 'UTC' };

describe('windows and fetching', () => {
  test('a range ends now', () => {
    assert.deepEqual(rangeWindow('24h', T0), { from: T0 - 24 * H, to: T0 });
    assert.deepEqual(rangeWindow('90d', T0), { from: T0 - 90 * 24 * H, to: T0 });
  });

  test('a zoom is never narrower than the smallest window, and may be dragged either way', () => {
    assert.deepEqual(zoomWindow(T0 + 2 * H, T0), { from: T0, to: T0 + 2 * H });
    const tiny = zoomWindow(T0, T0 + 1000);
    assert.equal(tiny.to - tiny.from, MIN_WINDOW_MS);
    assert.equal((tiny.from + tiny.to) / 2, T0 + 500);
  });

  test('about four points per pixel, between 1,000 and 20,000', () => {
    assert.equal(maxPointsFor(800), 3200);
    assert.equal(maxPointsFor(100), 1000);
    assert.equal(maxPointsFor(10_000), 20_000);
  });

  test('the server is asked again only outside what is loaded, or deep inside what it thinned', () => {
    const week = { from: T0, to: T0 + 168 * H };
    assert.equal(needsFetch(undefined, week), true);
    assert.equal(needsFetch({ window: week, thinned: false }, { from: T0 + H, to: T0 + 2 * H }), false, 'every reading is already here');
    assert.equal(needsFetch({ window: week, thinned: true }, { from: T0 + H, to: T0 + 2 * H }), true, 'detail was left out');
    assert.equal(needsFetch({ window: week, thinned: true }, { from: T0 + H, to: T0 + 150 * H }), false, 'a slight zoom shows nothing new');
    assert.equal(needsFetch({ window: week, thinned: false }, { from: T0 - H, to: T0 + H }), true, 'outside the loaded window');
  });
});

describe('series', () => {
  const bp: SeriesPoint[] = [
    [T0, 142, 91],
    [T0 + H, 150, 95],
    [T0 + 2 * H, 128],
  ];

  test('blood pressure is two lines: systolic and diastolic, a gap where one is missing', () => {
    assert.deepEqual(chartColumns({ kind: 'blood-pressure', points: bp }), [
      [T0, T0 + H, T0 + 2 * H],
      [142, 150, 128],
      [91, 95, null],
    ]);
    assert.deepEqual(chartColumns({ kind: 'heart-rate', points: [[T0, 70]] }), [[T0], [70]]);
  });

  test('the table lists the window’s points, newest first, at most 200', () => {
    const many: SeriesPoint[] = Array.from({ length: 500 }, (_, i) => [T0 + i * 60_000, 60 + (i % 30)]);
    const { rows, total } = tableRows(many, { from: T0, to: T0 + 499 * 60_000 });
    assert.equal(total, 500);
    assert.equal(rows.length, 200);
    assert.equal(rows[0]![0], T0 + 499 * 60_000);
    assert.equal(pointsInWindow(many, { from: T0 + 60_000, to: T0 + 3 * 60_000 }).length, 3);
  });

  test('the chart in words: the window, the count, the latest, the range and the goal', () => {
    const text = chartSummary({ kind: 'blood-pressure', points: bp }, { from: T0 - H, to: T0 + 3 * H }, 'below 135/85 mmHg', UTC);
    assert.equal(
      text,
      'Blood pressure from 31 Mar 2026, 23:00 to 1 Apr 2026, 3:00: 3 readings, latest 128 mmHg on 1 Apr 2026, 2:00, range systolic 128–150, diastolic 91–95 mmHg. Goal: below 135/85 mmHg.',
    );
    assert.match(chartSummary({ kind: 'heart-rate', points: [] }, { from: T0, to: T0 + H }, undefined, UTC), /: no readings\.$/);
    assert.match(chartSummary({ kind: 'oxygen-saturation', points: [[T0, 94]], thinned: true }, { from: T0, to: T0 + H }, undefined, UTC), /1 points \(the lowest and highest.*range 94–94%\.$/);
  });

  test('charted kinds in the pages’ order; ECG strips and falls are not charted', () => {
    assert.deepEqual(chartKinds([{ kind: 'body-weight' }, { kind: 'ecg' }, { kind: 'blood-pressure' }, { kind: 'fall' }]), ['blood-pressure', 'body-weight']);
  });
});

describe('goals', () => {
  test('in words, as a patient says them', () => {
    assert.equal(goalText(defaultPlan(['hypertension']).goals, 'blood-pressure'), 'below 135/85 mmHg');
    assert.equal(goalText(defaultPlan(['diabetes']).goals, 'blood-glucose'), 'between 4 and 10 mmol/L');
    assert.equal(goalText(defaultPlan(['copd']).goals, 'oxygen-saturation'), 'between 88 and 92%');
    assert.equal(goalText([{ kind: 'body-weight', high: 82.5 }], 'body-weight'), 'up to 82.5 kg');
    assert.equal(goalText([{ kind: 'heart-rate', low: 50 }], 'heart-rate'), 'at least 50 beats/min');
    assert.equal(goalText([{ kind: 'blood-pressure', component: 'systolic', high: 129 }], 'blood-pressure'), 'systolic below 130 mmHg');
    assert.equal(goalText([], 'heart-rate'), undefined);
  });

  test('shaded as bands, and the value axis keeps them in view', () => {
    const bands = goalBands(defaultPlan(['hypertension']).goals, 'blood-pressure');
    assert.deepEqual(bands, [
      { label: 'Systolic goal', high: 134 },
      { label: 'Diastolic goal', high: 84 },
    ]);
    const [lo, hi] = yRange(60, 100, bands);
    assert.ok(lo < 60 && hi > 134);
    assert.deepEqual(yRange(null, null, []), [0, 1]);
  });
});

import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ecgCaption, ecgLayout, samplePoint } from './ecg-paper.js';

// 250 samples a second (4 ms apart), as many home ECG devices record.
const strip = (seconds: number, mv: (i: number) => number = (i) => (i % 250 === 0 ? 1.2 : 0)) => ({ period: 4, data: Array.from({ length: seconds * 250 }, (_, i) => mv(i)) });

describe('ecgLayout', () => {
  test('10 s across 1000 px: 25 mm/s makes 250 mm, 4 px per mm; one row', () => {
    const layout = ecgLayout(strip(10), 1000);
    assert.equal(layout.rowWidthMm, 250);
    assert.equal(layout.pxPerMm, 4);
    assert.equal(layout.rows, 1);
    assert.equal(layout.samplesPerRow, 2500);
    assert.equal(layout.durationSeconds, 10);
  });

  test('one second is 25 mm and one millivolt 10 mm on the paper', () => {
    const layout = ecgLayout(strip(10), 1000);
    const base = samplePoint(layout, 4, 0, 0);
    const oneSecondOneMv = samplePoint(layout, 4, 250, 1);
    assert.equal(oneSecondOneMv.x - base.x, 25 * 4);
    assert.equal(base.y - oneSecondOneMv.y, 10 * 4);
  });

  test('the baseline sits on a large square with room for the peaks; rows are whole large squares', () => {
    const layout = ecgLayout(strip(10), 1000);
    // +1.2 mV is 12 mm: with 2 mm of room, the baseline is 15 mm down; -0.5 mV below needs 10 mm.
    assert.equal(layout.baselineMm, 15);
    assert.equal(layout.rowHeightMm, 25);
    assert.equal(layout.heightPx, 100);
  });

  test('a 25 s strip wraps into rows of 10 s at the same scale', () => {
    const layout = ecgLayout(strip(25), 1000);
    assert.equal(layout.rows, 3);
    const rowTwo = samplePoint(layout, 4, 2500, 0);
    assert.equal(rowTwo.x, 0);
    assert.equal(rowTwo.y, (layout.rowHeightMm + layout.baselineMm) * layout.pxPerMm);
  });

  test('a strip shorter than a row fills the width; huge spikes are clipped at 3 mV', () => {
    const layout = ecgLayout(strip(5, () => 9), 500);
    assert.equal(layout.pxPerMm, 4);
    assert.equal(layout.baselineMm, 35);
    assert.equal(samplePoint(layout, 4, 0, 9).y, (35 - 30) * 4);
  });
});

test('the caption gives the time, the duration and the scale', () => {
  assert.equal(ecgCaption({ time: '2026-04-20T09:30:00Z', ...strip(10) }, { locale: 'en-GB', timeZone: 'UTC' }), 'ECG recorded 20 Apr 2026, 9:30, 10.0 s at 25 mm/s and 10 mm/mV');
});

import { defaultPlan, type MonitoringCondition, type RawReading } from '@salus/core';
import type { SalusApp } from '../app.js';
import type { DeviceType } from '../monitoring/devices.js';
import { enrolDevice } from '../monitoring/devices.js';
import { savePlan } from '../monitoring/plans.js';
import { STAFF } from './demo-directory.js';
import { PATIENTS } from './demo-patients.js';

/**
 * Two weeks of home readings for four demo patients, so the monitoring screens have something to
 * show on first start: Ana's cuff and glucose meter (steady, near goal), José's scale and watch
 * (heart failure: weight up over three days and a worrying set of observations today), Lan's cuff
 * (blood pressure coming down) and Björn's watch with an ECG strip. Readings go in through the
 * same ingestion as devices' do, so the rules and NEWS2 raise what they would.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A small deterministic generator (mulberry32), so every demo shows the same readings. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Story {
  patient: string;
  conditions: MonitoringCondition[];
  devices: { type: Exclude<DeviceType, 'manual'>; manufacturer: string; model: string; readings: (now: number, r: () => number) => RawReading[] }[];
}

const at = (t: number): string => new Date(t).toISOString();
const round = (v: number, digits = 0): number => Math.round(v * 10 ** digits) / 10 ** digits;
const days = (n: number): number[] => Array.from({ length: n }, (_, i) => n - 1 - i);

/** A synthetic lead-I strip: 10 s at 250 Hz of a regular rhythm at `bpm`, in mV. */
function ecgStrip(bpm: number): number[] {
  const hz = 250;
  const beat = (60 / bpm) * hz;
  const wave = (x: number, centre: number, width: number, height: number) => height * Math.exp(-(((x - centre) / width) ** 2));
  return Array.from({ length: 10 * hz }, (_, i) => {
    const x = (i % beat) / beat;
    return round(wave(x, 0.18, 0.025, 0.12) - wave(x, 0.3, 0.008, 0.12) + wave(x, 0.32, 0.01, 1.1) - wave(x, 0.345, 0.01, 0.25) + wave(x, 0.6, 0.05, 0.3), 3);
  });
}

function stories(): Story[] {
  return [
    {
      patient: PATIENTS.ana.id,
      conditions: ['hypertension', 'diabetes'],
      devices: [
        {
          type: 'blood-pressure-monitor', manufacturer: 'Omron', model: 'M7 Intelli IT',
          readings: (now, r) => days(14).flatMap((d) => [8, 20].map((h) => ({ kind: 'blood-pressure', time: at(now - d * DAY - (24 - h) * HOUR), systolic: round(126 + r() * 12 + (d === 1 && h === 20 ? 22 : 0)), diastolic: round(78 + r() * 7) }))),
        },
        {
          type: 'glucose-meter', manufacturer: 'Accu-Chek', model: 'Guide',
          readings: (now, r) => days(14).map((d) => ({ kind: 'blood-glucose', time: at(now - d * DAY - 16 * HOUR), value: round(95 + r() * 45), unit: 'mg/dL' })),
        },
      ],
    },
    {
      patient: PATIENTS.jose.id,
      conditions: ['heart-failure'],
      devices: [
        {
          type: 'scale', manufacturer: 'Withings', model: 'Body+',
          readings: (now, r) => days(14).map((d) => ({ kind: 'body-weight', time: at(now - d * DAY - 15 * HOUR), value: round(78.2 + r() * 0.4 + (d < 3 ? (3 - d) * 0.85 : 0), 1) })),
        },
        {
          type: 'watch', manufacturer: 'Withings', model: 'ScanWatch 2',
          readings: (now, r) => [
            ...Array.from({ length: 14 * 48 }, (_, i) => ({ kind: 'heart-rate', time: at(now - 2 * HOUR - i * 30 * 60_000), value: round(74 + r() * 14 + (i < 48 ? 14 : 0)) })),
            ...Array.from({ length: 14 * 12 }, (_, i) => ({ kind: 'oxygen-saturation', time: at(now - 2 * HOUR - i * 2 * HOUR), value: round(i < 12 ? 92 + r() * 2 : 95 + r() * 3) })),
            // Today's full set, as the heart-failure nurse asked him to take it: NEWS2 5 (medium).
            { kind: 'respiratory-rate', time: at(now - HOUR), value: 22 },
            { kind: 'oxygen-saturation', time: at(now - HOUR), value: 93 },
            { kind: 'heart-rate', time: at(now - HOUR), value: 104 },
            { kind: 'body-temperature', time: at(now - HOUR), value: 37.8 },
          ],
        },
        {
          type: 'blood-pressure-monitor', manufacturer: 'Omron', model: 'X4 Smart',
          readings: (now, r) => [...days(13).map((d) => ({ kind: 'blood-pressure', time: at(now - (d + 1) * DAY - 14 * HOUR), systolic: round(112 + r() * 10), diastolic: round(68 + r() * 6) })), { kind: 'blood-pressure', time: at(now - HOUR), systolic: 108, diastolic: 66 }],
        },
      ],
    },
    {
      patient: PATIENTS.lan.id,
      conditions: ['hypertension'],
      devices: [
        {
          type: 'blood-pressure-monitor', manufacturer: 'Omron', model: 'M3 Comfort',
          readings: (now, r) => days(14).map((d) => ({ kind: 'blood-pressure', time: at(now - d * DAY - 11 * HOUR), systolic: round(148 - (13 - d) * 1.2 + r() * 6), diastolic: round(92 - (13 - d) * 0.6 + r() * 4) })),
        },
      ],
    },
    {
      patient: PATIENTS.bjorn.id,
      conditions: ['general'],
      devices: [
        {
          type: 'watch', manufacturer: 'Apple', model: 'Watch Series 10',
          readings: (now, r) => [
            ...Array.from({ length: 7 * 96 }, (_, i) => ({ kind: 'heart-rate', time: at(now - 30 * 60_000 - i * 15 * 60_000), value: round(62 + r() * 18) })),
            { kind: 'ecg', time: at(now - 3 * HOUR), value: 0, sampled: { period: 4, unit: 'mV', data: ecgStrip(68) } },
          ],
        },
      ],
    },
  ];
}

export async function seedDemoMonitoring(salus: Pick<SalusApp, 'db' | 'repo' | 'monitoring'>, now = new Date()): Promise<{ readings: number; alerts: number }> {
  let readings = 0;
  let alerts = 0;
  const r = random(20261123);
  for (const story of stories()) {
    // Plans as Dr. Okafor, the patients' own doctor, set them.
    await savePlan(salus.repo, story.patient, defaultPlan(story.conditions), new Date(now.getTime() - 15 * DAY), `Practitioner/${STAFF.okafor.practitioner.id!}`);
    for (const d of story.devices) {
      const { device } = await salus.db.transaction((tx) => enrolDevice(salus.repo, tx, story.patient, { type: d.type, manufacturer: d.manufacturer, model: d.model }, 'demo'));
      const all = d.readings(now.getTime(), r).sort((a, b) => (a.time! < b.time! ? -1 : 1));
      for (let i = 0; i < all.length; i += 500) {
        const result = await salus.monitoring.ingestor.ingest({ patientId: story.patient, deviceId: device.id }, { readings: all.slice(i, i + 500) });
        readings += result.accepted;
        alerts += result.alerts.length;
      }
      // As if the device had sent them itself: it was last heard from with its newest reading.
      await salus.db.query('UPDATE device_tokens SET last_seen = $2 WHERE device_id = $1', [device.id, all.at(-1)!.time]);
    }
  }
  return { readings, alerts };
}

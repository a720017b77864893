import { createHash } from 'node:crypto';
import { READING_KINDS, type Reading, type ReadingKind } from '@salus/core';
import type { Queryable } from '../db/db.js';

/** A reading as stored: its id is also the id of the FHIR Observation written for it, if one is. */
export interface StoredReading extends Reading {
  id: string;
  patientId: string;
  deviceId: string;
}

/**
 * The id of a reading: a name-based UUID (RFC 4122 version 5 layout, SHA-1) of device, kind and
 * time, so the same reading sent twice, by a retry or over both transports, is one row.
 */
export function readingId(deviceId: string, kind: string, time: string): string {
  const h = createHash('sha1').update(`${deviceId}|${kind}|${time}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Stores a batch in one statement; returns the readings that were new (the rest were duplicates). */
export async function insertReadings(q: Queryable, patientId: string, deviceId: string, readings: Reading[], receivedAt: string): Promise<StoredReading[]> {
  if (readings.length === 0) return [];
  const byId = new Map<string, StoredReading>();
  for (const r of readings) {
    const id = readingId(deviceId, r.kind, r.time);
    // Within one batch the first copy counts, as it would across batches.
    if (!byId.has(id)) byId.set(id, { ...r, id, patientId, deviceId });
  }
  const rows = [...byId.values()];
  const res = await q.query<{ id: string }>(
    `INSERT INTO device_readings (id, patient_id, device_id, kind, effective, value, value2, sampled, received_at)
     SELECT id, $1, $2, kind, effective, value, value2, sampled, $9 FROM unnest($3::uuid[], $4::text[], $5::timestamptz[], $6::float8[], $7::float8[], $8::jsonb[])
       AS t(id, kind, effective, value, value2, sampled)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      patientId,
      deviceId,
      rows.map((r) => r.id),
      rows.map((r) => r.kind),
      rows.map((r) => r.time),
      rows.map((r) => r.value),
      rows.map((r) => r.value2 ?? null),
      rows.map((r) => (r.sampled ? JSON.stringify(r.sampled) : null)),
      receivedAt,
    ],
    { prepare: true },
  );
  return res.rows.map((row) => byId.get(row.id)!);
}

interface ReadingRow {
  id: string;
  patient_id: string;
  device_id: string;
  kind: ReadingKind;
  effective: Date | string;
  value: number;
  value2: number | null;
  sampled?: Reading['sampled'] | null;
}

function toReading(row: ReadingRow): StoredReading {
  return {
    id: row.id,
    patientId: row.patient_id,
    deviceId: row.device_id,
    kind: row.kind,
    code: READING_KINDS[row.kind].code,
    time: new Date(row.effective).toISOString(),
    value: Number(row.value),
    ...(row.value2 === null ? {} : { value2: Number(row.value2) }),
    unit: READING_KINDS[row.kind].unit,
    ...(row.sampled ? { sampled: row.sampled } : {}),
  };
}

/** The newest reading of each kind for these patients, in one indexed look-up per (patient, kind). */
export async function latestReadings(
  q: Queryable,
  patientIds: string[],
  kinds: readonly ReadingKind[],
  since?: string,
): Promise<StoredReading[]> {
  if (patientIds.length === 0) return [];
  const r = await q.query<ReadingRow>(
    `SELECT l.* FROM unnest($1::text[]) p(id) CROSS JOIN unnest($2::text[]) k(kind)
     CROSS JOIN LATERAL (SELECT id, patient_id, device_id, kind, effective, value, value2 FROM device_readings d
       WHERE d.patient_id = p.id AND d.kind = k.kind ${since ? 'AND d.effective >= $3' : ''} ORDER BY d.effective DESC LIMIT 1) l`,
    since ? [patientIds, kinds, since] : [patientIds, kinds],
  );
  return r.rows.map(toReading);
}

/** Readings by id (to write the FHIR Observations a decision rests on). */
export async function readingsById(q: Queryable, ids: string[]): Promise<StoredReading[]> {
  if (ids.length === 0) return [];
  const r = await q.query<ReadingRow>('SELECT id, patient_id, device_id, kind, effective, value, value2, sampled FROM device_readings WHERE id = ANY($1::uuid[])', [ids]);
  return r.rows.map(toReading);
}

/** One kind's points between two instants, ascending: [ms, value, value2?]. */
export type SeriesPoint = [number, number] | [number, number, number];

/**
 * The points of one kind in a window. Beyond `max` points, each of max/2 time buckets keeps its
 * lowest and highest reading, so a chart of a month still shows the one night the pulse spiked.
 */
export async function readSeries(
  q: Queryable,
  patientId: string,
  kind: ReadingKind,
  from: Date,
  to: Date,
  max: number,
): Promise<{ points: SeriesPoint[]; thinned: boolean }> {
  const base = [patientId, kind, from.toISOString(), to.toISOString()];
  const count = await q.query<{ n: string }>('SELECT count(*) AS n FROM device_readings WHERE patient_id = $1 AND kind = $2 AND effective >= $3 AND effective <= $4', base);
  const n = Number(count.rows[0]!.n);
  const toPoint = (row: { t: string | number; value: number; value2: number | null }): SeriesPoint =>
    row.value2 === null ? [Number(row.t), Number(row.value)] : [Number(row.t), Number(row.value), Number(row.value2)];
  if (n <= max) {
    const r = await q.query<{ t: string; value: number; value2: number | null }>(
      `SELECT (extract(epoch FROM effective) * 1000)::float8 AS t, value, value2 FROM device_readings
       WHERE patient_id = $1 AND kind = $2 AND effective >= $3 AND effective <= $4 ORDER BY effective`,
      base,
    );
    return { points: r.rows.map(toPoint), thinned: false };
  }
  const buckets = Math.max(1, Math.floor(max / 2));
  const r = await q.query<{ t: string; value: number; value2: number | null }>(
    `SELECT t, value, value2 FROM (
       SELECT t, value, value2, row_number() OVER (PARTITION BY b ORDER BY value, t) AS lo, row_number() OVER (PARTITION BY b ORDER BY value DESC, t) AS hi
       FROM (SELECT (extract(epoch FROM effective) * 1000)::float8 AS t, value, value2,
               width_bucket(extract(epoch FROM effective)::float8, extract(epoch FROM $3::timestamptz)::float8, extract(epoch FROM $4::timestamptz)::float8 + 0.001, $5::int) AS b
             FROM device_readings WHERE patient_id = $1 AND kind = $2 AND effective >= $3 AND effective <= $4) x) y
     WHERE lo = 1 OR hi = 1 ORDER BY t`,
    [...base, buckets],
  );
  return { points: r.rows.map(toPoint), thinned: true };
}

/** Each patient's recent readings per kind averaged into at most `points` buckets (dashboard sparklines). */
export async function sparklines(
  q: Queryable,
  patientIds: string[],
  from: Date,
  to: Date,
  points: number,
): Promise<Map<string, Partial<Record<ReadingKind, [number, number][]>>>> {
  const out = new Map<string, Partial<Record<ReadingKind, [number, number][]>>>();
  if (patientIds.length === 0) return out;
  const r = await q.query<{ patient_id: string; kind: ReadingKind; t: number; v: number }>(
    `SELECT patient_id, kind, (extract(epoch FROM max(effective)) * 1000)::float8 AS t, avg(value)::float8 AS v
     FROM device_readings WHERE patient_id = ANY($1::text[]) AND effective >= $2 AND effective <= $3 AND kind NOT IN ('ecg', 'fall')
     GROUP BY patient_id, kind, width_bucket(extract(epoch FROM effective)::float8, extract(epoch FROM $2::timestamptz)::float8, extract(epoch FROM $3::timestamptz)::float8 + 0.001, $4::int)
     ORDER BY patient_id, kind, t`,
    [patientIds, from.toISOString(), to.toISOString(), points],
  );
  for (const row of r.rows) {
    let m = out.get(row.patient_id);
    if (!m) out.set(row.patient_id, (m = {}));
    (m[row.kind] ??= []).push([Number(row.t), Math.round(Number(row.v) * 100) / 100]);
  }
  return out;
}

export async function ecgStrips(q: Queryable, patientId: string, limit: number): Promise<{ time: string; period: number; unit: string; data: number[] }[]> {
  const r = await q.query<{ effective: Date | string; sampled: NonNullable<Reading['sampled']> }>(
    `SELECT effective, sampled FROM device_readings WHERE patient_id = $1 AND kind = 'ecg' ORDER BY effective DESC LIMIT $2`,
    [patientId, limit],
  );
  return r.rows.map((row) => ({ time: new Date(row.effective).toISOString(), ...row.sampled }));
}

/** Readings of one kind within a window before `until`, ascending (for trend rules). */
export async function recentValues(q: Queryable, patientId: string, kind: ReadingKind, from: string, until: string): Promise<{ time: number; value: number; id: string }[]> {
  const r = await q.query<{ id: string; effective: Date | string; value: number }>(
    'SELECT id, effective, value FROM device_readings WHERE patient_id = $1 AND kind = $2 AND effective >= $3 AND effective <= $4 ORDER BY effective',
    [patientId, kind, from, until],
  );
  return r.rows.map((row) => ({ id: row.id, time: new Date(row.effective).getTime(), value: Number(row.value) }));
}

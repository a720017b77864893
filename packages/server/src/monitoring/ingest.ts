import {
  adviceFor,
  badRequest,
  FhirError,
  issue,
  outcome,
  parseCompactBatch,
  readingsFromFhir,
  type Reading,
  type ReadingError,
  type ReadingKind,
  type AdviceLevel,
} from '@salus/core';
import type { Db } from '../db/db.js';
import type { AuditInput } from '../audit/types.js';
import { insertReadings } from './readings-store.js';
import { readPlan } from './plans.js';
import { MONITORING_CHANNEL, type MonitoringEvent, type Watcher } from './watch.js';

/** What a device (or a person entering readings) is told about its batch. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: ReadingError[];
  /** Alerts the batch opened (Task ids). */
  alerts: string[];
  /** For people entering readings by hand: what each new reading means for them. */
  advice?: { kind: ReadingKind; time: string; level: AdviceLevel; text: string }[];
}

export interface Source {
  patientId: string;
  /** `Device/<id>`'s id, or `manual:<patient>` for readings typed in. */
  deviceId: string;
}

export type Format = 'compact' | 'fhir';

/** Which format a body is in: FHIR resources carry a resourceType, the compact batch a readings array. */
export function formatOf(body: unknown): Format {
  if (typeof body === 'object' && body !== null && typeof (body as { resourceType?: unknown }).resourceType === 'string') return 'fhir';
  return 'compact';
}

/** Every reading refused, as one OperationOutcome with an issue per reading naming its field. */
export function allRejected(errors: ReadingError[]): FhirError {
  return new FhirError(422, outcome(...errors.map((e) => issue('error', 'invalid', e.message, e.field))));
}

export interface Ingestor {
  ingest(source: Source, body: unknown, options?: { advice?: boolean }): Promise<IngestResult>;
}

/** Readings streamed to dashboards are thinned to at most one message per patient this often. */
const LIVE_READINGS_MS = 1000;

export function createIngestor(deps: { db: Db; watcher: Watcher; now: () => Date }): Ingestor {
  const { db, watcher, now } = deps;
  const pending = new Map<string, MonitoringEvent & { t: 'readings' }>();
  let flush: NodeJS.Timeout | undefined;
  const queueLive = (patientId: string, readings: Reading[]): void => {
    const e = pending.get(patientId) ?? { t: 'readings' as const, p: patientId, r: [] };
    // The newest reading of each kind is what a dashboard row shows.
    for (const r of readings) {
      if (r.kind === 'ecg') continue;
      const i = e.r.findIndex((x) => x.kind === r.kind);
      const item = { kind: r.kind, time: r.time, value: r.value, ...(r.value2 !== undefined ? { value2: r.value2 } : {}) };
      if (i < 0) e.r.push(item);
      else if (e.r[i]!.time < r.time) e.r[i] = item;
    }
    pending.set(patientId, e);
    flush ??= setTimeout(() => {
      flush = undefined;
      const events = [...pending.values()];
      pending.clear();
      void Promise.all(events.map((ev) => db.query('SELECT pg_notify($1, $2)', [MONITORING_CHANNEL, JSON.stringify(ev)]))).catch(() => undefined);
    }, LIVE_READINGS_MS);
    flush.unref();
  };
  return {
    async ingest(source, body, options = {}) {
      const at = now();
      const parsed = formatOf(body) === 'fhir' ? readingsFromFhir(body, at) : parseCompactBatch(body, at);
      if (parsed.readings.length === 0 && parsed.errors.length === 0) throw badRequest('The batch has no readings', 'readings');
      if (parsed.readings.length === 0) throw allRejected(parsed.errors);
      const fresh = await insertReadings(db, source.patientId, source.deviceId, parsed.readings, at.toISOString());
      if (fresh.length > 0) {
        const newest = fresh.reduce((a, r) => (r.time > a ? r.time : a), fresh[0]!.time);
        await db.query('UPDATE monitoring_patients SET last_reading_at = greatest(last_reading_at, $2::timestamptz) WHERE patient_id = $1', [source.patientId, newest], { prepare: true });
        queueLive(source.patientId, fresh);
      }
      const alerts = await watcher.check(source.patientId, fresh);
      const result: IngestResult = { accepted: fresh.length, duplicates: parsed.readings.length - fresh.length, rejected: parsed.errors, alerts };
      if (options.advice) {
        const plan = (await readPlan(db, source.patientId))?.plan;
        if (plan) {
          result.advice = fresh.map((r) => {
            const a = adviceFor(r, plan);
            return { kind: r.kind, time: r.time, level: a.level, text: a.text };
          });
        }
      }
      return result;
    },
  };
}

/** The ledger entry for a batch: who sent it, for whom, how it went. */
export function ingestAudit(
  source: Source,
  agent: AuditInput['agent'],
  via: string,
  result: IngestResult | undefined,
  error: FhirError | undefined,
): AuditInput {
  const device = source.deviceId.startsWith('manual:') ? [] : [`Device/${source.deviceId}`];
  return {
    action: 'C',
    subtype: 'monitoring-readings',
    outcome: error ? (error.status === 401 || error.status === 403 ? 'denied' : 'failure') : 'success',
    outcomeDesc: result
      ? `${result.accepted} readings stored, ${result.duplicates} duplicates, ${result.rejected.length} rejected (${via})`
      : `${error?.outcome.issue?.[0]?.diagnostics ?? 'refused'} (${via})`,
    agent,
    entities: [...device, ...(result?.alerts ?? []).map((id) => `Task/${id}`)],
    patientIds: [source.patientId],
  };
}

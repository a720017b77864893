import type { Queryable } from '../packages/server/src/db/db.js';
import { cpuPer, startCpuMeter, type CpuUse } from './cpu-meter.js';
import { errorCount, runLoad, type LoadResult } from './load.js';
import { progress, summarize, type LatencySummary } from './stats.js';

export interface SearchQuerySet {
  name: string;
  /** Distinct query paths below the FHIR base, sent in turn. */
  paths: string[];
}

export interface SearchFigure {
  name: string;
  example: string;
  queries: number;
  distinctQueries: number;
  concurrency: number;
  seconds: number;
  latencyMs: LatencySummary;
  aimP99Ms: number;
  errors: number;
  firstError?: string;
  /** CPU milliseconds per query, by where they were spent (Linux only). */
  cpuMsPerQuery?: CpuUse;
  /** Searchset totals over the distinct queries, and the matches on their first pages. */
  results: { totalMin: number; totalMedian: number; totalMax: number; firstPageMatchesMax: number; queriesWithoutResults: number };
}

/**
 * Picks parameter values from the stored resources themselves (the JSON, not the index tables,
 * so the choice does not depend on how the index is laid out): common names, codes, patients and
 * months, so every query returns results like a real user's would.
 */
export async function pickSearchQueries(db: Queryable, variants: number): Promise<SearchQuerySet[]> {
  const names = await db.query<{ family: string }>(
    `SELECT DISTINCT n->>'family' AS family
       FROM resources r, jsonb_array_elements((r.content::jsonb)->'name') n
      WHERE r.res_type = 'Patient' AND NOT r.deleted AND length(n->>'family') >= 4
      ORDER BY 1 LIMIT $1`,
    [variants],
  );
  // What a receptionist types: the first letters of the family name.
  const patientByName = names.rows.map((r) => `Patient?name=${encodeURIComponent(r.family.slice(0, 4))}`);

  // The most frequent LOINC code, then the patients with most of those observations; the date
  // range covers the middle half of each patient's series.
  const obs = await db.query<{ code: string; patient: string; lo: string; hi: string }>(
    `WITH o AS (
       SELECT c->>'code' AS code, (r.content::jsonb)->'subject'->>'reference' AS patient,
              left((r.content::jsonb)->>'effectiveDateTime', 10) AS day
         FROM resources r, jsonb_array_elements((r.content::jsonb)->'code'->'coding') c
        WHERE r.res_type = 'Observation' AND NOT r.deleted AND c->>'system' = 'http://loinc.org'
          AND (r.content::jsonb) ? 'effectiveDateTime'),
     top AS (SELECT code FROM o GROUP BY code ORDER BY count(*) DESC, code LIMIT 1)
     SELECT o.code, o.patient,
            percentile_disc(0.25) WITHIN GROUP (ORDER BY o.day) AS lo,
            percentile_disc(0.75) WITHIN GROUP (ORDER BY o.day) AS hi
       FROM o JOIN top USING (code)
      WHERE o.patient LIKE 'Patient/%'
      GROUP BY o.code, o.patient ORDER BY count(*) DESC, o.patient LIMIT $1`,
    [variants],
  );
  const observationByPatientCodeDate = obs.rows.map(
    (r) =>
      `Observation?patient=${encodeURIComponent(r.patient)}&code=${encodeURIComponent(`http://loinc.org|${r.code}`)}` +
      `&date=ge${r.lo}&date=le${r.hi}`,
  );

  // The busiest months: a clinic's "encounters last month" list.
  const months = await db.query<{ month: string }>(
    `SELECT left((r.content::jsonb)->'period'->>'start', 7) AS month
       FROM resources r
      WHERE r.res_type = 'Encounter' AND NOT r.deleted AND (r.content::jsonb)->'period' ? 'start'
      GROUP BY 1 ORDER BY count(*) DESC, 1 DESC LIMIT $1`,
    [variants],
  );
  const encounterByDate = months.rows.map((r) => {
    const [y, m] = r.month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    return `Encounter?date=ge${r.month}-01&date=lt${next}-01`;
  });

  return [
    { name: 'Patient?name=<prefix>', paths: patientByName },
    { name: 'Observation?patient&code&date range', paths: observationByPatientCodeDate },
    { name: 'Encounter?date=<one month>', paths: encounterByDate },
  ];
}

export interface SearchRunOptions {
  baseUrl: string;
  /** The caller's credentials, sent on every request. */
  headers: Record<string, string>;
  /** Name of the bench database, to find its PostgreSQL backends for CPU accounting. */
  database: string;
  queries: number;
  concurrency: number;
  maxSeconds: number;
  aimP99Ms: number;
}

function resultsOf(r: LoadResult, paths: string[]): SearchFigure['results'] {
  const seen = paths.map((p) => r.results[p]).filter((x) => x !== undefined);
  const totals = seen.map((x) => x.total ?? x.matches).sort((a, b) => a - b);
  return {
    totalMin: totals[0] ?? 0,
    totalMedian: totals[Math.floor((totals.length - 1) / 2)] ?? 0,
    totalMax: totals[totals.length - 1] ?? 0,
    firstPageMatchesMax: Math.max(0, ...seen.map((x) => x.matches)),
    queriesWithoutResults: seen.filter((x) => (x.total ?? x.matches) === 0).length,
  };
}

export async function searchFigures(sets: SearchQuerySet[], options: SearchRunOptions): Promise<SearchFigure[]> {
  const out: SearchFigure[] = [];
  for (const set of sets) {
    if (set.paths.length === 0) throw new Error(`No parameter values found for ${set.name}`);
    progress(`search ${set.name}: ${options.queries} queries over ${set.paths.length} variants`);
    let meter: ReturnType<typeof startCpuMeter> | undefined;
    const r = await runLoad(
      {
        kind: 'get',
        paths: set.paths,
        baseUrl: options.baseUrl,
        headers: options.headers,
        concurrency: options.concurrency,
        // One round of every variant first: plans cached, pages of the indexes in memory.
        warmupRequests: set.paths.length,
        maxRequests: options.queries,
        maxSeconds: options.maxSeconds,
      },
      () => (meter = startCpuMeter(options.database)),
    );
    const cpu = cpuPer(meter?.stop(), r.requests);
    const figure: SearchFigure = {
      name: set.name,
      example: set.paths[0]!,
      queries: r.requests,
      distinctQueries: set.paths.length,
      concurrency: options.concurrency,
      seconds: Math.round(r.seconds * 100) / 100,
      latencyMs: summarize(r.latenciesMs),
      aimP99Ms: options.aimP99Ms,
      errors: errorCount(r.statuses),
      results: resultsOf(r, set.paths),
    };
    if (r.firstError !== undefined) figure.firstError = r.firstError;
    if (cpu) figure.cpuMsPerQuery = cpu;
    progress(`search ${set.name}: p50 ${figure.latencyMs.p50} ms, p99 ${figure.latencyMs.p99} ms`);
    out.push(figure);
  }
  return out;
}

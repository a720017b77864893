import { Worker } from 'node:worker_threads';

/** What one client loop does per request. */
export type LoadScenario =
  | { kind: 'create' }
  /** GET Type/id for random ids of the list. */
  | { kind: 'read'; ids: string[] }
  /** PUT each id; client c owns ids c, c+n, c+2n… so no two clients write one resource. */
  | { kind: 'update'; ids: string[] }
  /** GET the given paths in turn (searches). */
  | { kind: 'get'; paths: string[] }
  /** POST to `path` (an operation) the bodies in turn: request n of the phase sends bodies[n % length]. */
  | { kind: 'post'; path: string; bodies: string[] };

export type LoadTask = LoadScenario & {
  /** FHIR base, http://127.0.0.1:PORT/fhir/R4. */
  baseUrl: string;
  /**
   * Sent on every request: the caller's credentials (`authorization: Bearer …` or a session
   * cookie), since the FHIR API answers nobody anonymous.
   */
  headers: Record<string, string>;
  concurrency: number;
  /** Requests before the clock starts (JIT, connection pool and plan caches warm up); not recorded. */
  warmupRequests: number;
  /** The phase ends at whichever limit comes first. */
  maxRequests: number;
  maxSeconds: number;
};

export interface LoadResult {
  requests: number;
  seconds: number;
  latenciesMs: Float64Array;
  /** Count per HTTP status ('error' for requests that got no response). */
  statuses: Record<string, number>;
  firstError?: string;
  /** Ids of created resources (create), warm-up ones included. */
  createdIds: string[];
  /** Per path (get): the searchset's total and the number of matches on the first page. */
  results: Record<string, { total?: number; matches: number }>;
}

/** The worker says when warm-up is over (so meters can start), then sends its result. */
export type WorkerMessage = { type: 'measuring' } | { type: 'result'; result: LoadResult };

const WORKER = new URL('./load-worker.ts', import.meta.url).href;

/**
 * Runs a load phase on a worker thread; `onMeasuring` is called when the warm-up ends. The server under test keeps the main thread to itself,
 * so client-side JSON and HTTP parsing do not steal its event loop (they still share the cores,
 * as a client on the same machine would).
 */
export function runLoad(task: LoadTask, onMeasuring?: () => void): Promise<LoadResult> {
  // The worker needs the TypeScript loader this process runs under.
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: task });
    // The worker bounds itself; this only catches a worker that hangs.
    const guard = setTimeout(
      () => {
        void worker.terminate();
        reject(new Error(`load worker (${task.kind}) did not finish`));
      },
      (task.maxSeconds + 120) * 1000,
    );
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'measuring') {
        onMeasuring?.();
        return;
      }
      clearTimeout(guard);
      void worker.terminate();
      resolve(m.result);
    });
    worker.once('error', (e) => {
      clearTimeout(guard);
      reject(e);
    });
  });
}

/** Requests that did not get a 2xx (including those with no response at all). */
export function errorCount(statuses: Record<string, number>): number {
  return Object.entries(statuses).reduce((n, [s, c]) => (/^2\d\d$/.test(s) ? n : n + c), 0);
}

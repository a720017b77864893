import { parentPort, workerData } from 'node:worker_threads';
import { HttpClient, type HttpResult } from './http-client.js';
import type { LoadResult, LoadTask, WorkerMessage } from './load.js';
import { benchPatient, rng } from './patients.js';

/**
 * Closed-loop load: `concurrency` clients each send a request, wait for the answer, and send the
 * next, until the request budget or the time limit runs out.
 */
async function run(task: LoadTask): Promise<LoadResult> {
  const http = new HttpClient(task.baseUrl, task.concurrency, task.headers);
  const statuses: Record<string, number> = {};
  const createdIds: string[] = [];
  const results: LoadResult['results'] = {};
  const latencies: number[] = [];
  let firstError: string | undefined;
  let recording = false;
  const rand = Array.from({ length: task.concurrency }, (_, c) => rng(1000 + c));
  // Client c owns ids c, c+n, c+2n… (update), so no two clients ever write the same resource.
  const owned = Array.from({ length: task.concurrency }, (_, c) =>
    task.kind === 'update' ? task.ids.filter((_, i) => i % task.concurrency === c) : [],
  );

  const send = (client: number, seq: number): Promise<HttpResult> => {
    const r = rand[client]!;
    switch (task.kind) {
      case 'create':
        return http.request('POST', 'Patient', JSON.stringify(benchPatient(seq, r)));
      case 'read':
        return http.request('GET', `Patient/${task.ids[Math.floor(r() * task.ids.length)]}`);
      case 'update': {
        const mine = owned[client]!;
        const id = mine[Math.floor(r() * mine.length)]!;
        return http.request('PUT', `Patient/${id}`, JSON.stringify(benchPatient(seq, r, id)));
      }
      case 'get':
        return http.request('GET', task.paths[seq % task.paths.length]!);
      case 'post':
        return http.request('POST', task.path, task.bodies[seq % task.bodies.length]!);
    }
  };

  const observe = (seq: number, res: HttpResult): void => {
    if (task.kind === 'create' && res.status === 201) {
      const id = /\/Patient\/([^/]+)\/_history\//.exec(res.headers.location ?? '')?.[1];
      if (id) createdIds.push(id);
    }
    if (task.kind === 'get' && res.status === 200) {
      const path = task.paths[seq % task.paths.length]!;
      // Parsing every searchset would load the client; the first answer per query is enough.
      if (!results[path]) {
        const b = JSON.parse(res.body) as { total?: number; entry?: { search?: { mode?: string } }[] };
        const matches = (b.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
        results[path] = b.total === undefined ? { matches } : { total: b.total, matches };
      }
    }
    if (res.status >= 400 && firstError === undefined) firstError = `${res.status} ${res.body.slice(0, 300)}`;
  };

  const phase = async (budget: number, seconds: number): Promise<number> => {
    let issued = 0;
    const deadline = performance.now() + seconds * 1000;
    const client = async (c: number): Promise<void> => {
      if (task.kind === 'update' && owned[c]!.length === 0) return;
      while (issued < budget && performance.now() < deadline) {
        const seq = issued++;
        const t0 = performance.now();
        let status = 'error';
        try {
          const res = await send(c, seq);
          status = String(res.status);
          observe(seq, res);
        } catch (e) {
          firstError ??= e instanceof Error ? e.message : String(e);
        }
        if (recording) {
          latencies.push(performance.now() - t0);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: task.concurrency }, (_, c) => client(c)));
    return issued;
  };

  if (task.warmupRequests > 0) await phase(task.warmupRequests, Math.min(30, task.maxSeconds));
  recording = true;
  parentPort!.postMessage({ type: 'measuring' } satisfies WorkerMessage);
  const started = performance.now();
  const requests = await phase(task.maxRequests, task.maxSeconds);
  const seconds = (performance.now() - started) / 1000;
  http.close();
  const result: LoadResult = { requests, seconds, latenciesMs: Float64Array.from(latencies), statuses, createdIds, results };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

const result = await run(workerData as LoadTask);
// Float64Array.from always allocates a plain ArrayBuffer, never a shared one.
parentPort!.postMessage({ type: 'result', result } satisfies WorkerMessage, [result.latenciesMs.buffer as ArrayBuffer]);

import { randomBytes } from 'node:crypto';
import type { Appointment } from '@medplum/fhirtypes';
import { visitModeConcept, type ServerSignal, type VisitMode, type WaitingRoomSignal } from '@salus/core';
import WebSocket from 'ws';
import type { SalusApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/types.js';
import type { TestApp } from '../test-support.js';

/** Demo people who meet by video: Malik and his psychiatrist; José and his cardiologist. */
export const MALIK = { email: 'malik.johnson@example.org', patient: 'demo-malik-johnson' };
export const CASTILLO = { email: 'sofia.castillo@riverton-clinic.example', practitioner: 'Practitioner/demo-dr-castillo' };
export const JOSE = { email: 'jose.martinez@example.net', patient: 'demo-jose-martinez' };
export const LINDQVIST = { email: 'henrik.lindqvist@harborview.example', practitioner: 'Practitioner/demo-dr-lindqvist' };
export const OKAFOR = { email: 'amara.okafor@riverton-clinic.example', practitioner: 'Practitioner/demo-dr-okafor' };

/** This minute: an appointment starting now is on today's date wherever the test runs. */
export function thisMinute(now = new Date()): string {
  return new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
}

/** Books a visit (as the system) and returns its Appointment id. */
export async function book(
  t: Pick<TestApp, 'fhir'>,
  o: { patient: string; practitioner: string; mode: VisitMode; start?: string; status?: Appointment['status'] },
): Promise<string> {
  const start = o.start ?? thisMinute();
  const res = await t.fhir<Appointment>('POST', 'Appointment', {
    resourceType: 'Appointment',
    status: o.status ?? 'booked',
    serviceType: [visitModeConcept(o.mode)],
    start,
    end: new Date(Date.parse(start) + 20 * 60_000).toISOString(),
    participant: [
      { actor: { reference: `Patient/${o.patient}` }, status: 'accepted' },
      { actor: { reference: o.practitioner }, status: 'accepted' },
    ],
  } satisfies Appointment);
  if (res.status !== 201) throw new Error(`Booking failed: ${JSON.stringify(res.body)}`);
  return res.body.id!;
}

/** The Cookie header of a new, complete browser session of a demo person. */
export async function sessionCookie(salus: Pick<SalusApp, 'db' | 'accounts'>, email: string): Promise<string> {
  const r = await salus.db.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [email.toLowerCase()]);
  if (!r.rows[0]) throw new Error(`No account for ${email}`);
  const session = await salus.accounts.createSession(r.rows[0].id, true, { ip: '127.0.0.1' });
  return `${SESSION_COOKIE}=${session.token}`;
}

export const newPeerId = (): string => randomBytes(9).toString('base64url');

type Received = ServerSignal | WaitingRoomSignal;

/** A test's end of a signaling socket: what it received, in order, and ways to wait for more. */
export interface SignalClient {
  socket: WebSocket;
  received: Received[];
  /** The next message (after those already taken) matching `match`. */
  next<T extends Received = Received>(match: (m: Received) => boolean, timeoutMs?: number): Promise<T>;
  send(message: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a socket on a listening app; rejects with the HTTP status when the upgrade is refused. */
export function connect(base: string, path: string, cookie?: string, origin?: string): Promise<SignalClient> {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}${path}`, { headers: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) } });
  const received: Received[] = [];
  const waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  let taken = 0;
  socket.on('message', (data) => {
    const m = JSON.parse(String(data)) as Received;
    received.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return new Promise((resolve, reject) => {
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
    });
    socket.once('error', reject);
    socket.once('open', () =>
      resolve({
        socket,
        received,
        closed,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        next<T extends Received>(match: (m: Received) => boolean, timeoutMs = 5000): Promise<T> {
          const idx = received.findIndex((m, i) => i >= taken && match(m));
          if (idx >= 0) {
            taken = idx + 1;
            return Promise.resolve(received[idx] as T);
          }
          return new Promise<T>((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(received)}`)), timeoutMs);
            waiters.push({
              match,
              resolve: (m) => {
                clearTimeout(timer);
                taken = received.indexOf(m) + 1;
                res(m as T);
              },
            });
          });
        },
      }),
    );
  });
}

export const visitPath = (appointment: string, peer = newPeerId()): string => `/telehealth/visits/${appointment}/signal?peer=${peer}`;

import type { ServerSignal, WaitingRoomSignal } from '@salus/core';
import type { Db, Queryable } from '../db/db.js';

/**
 * What app nodes tell each other about video visits. Sockets of one visit may sit on different
 * nodes behind a load balancer, so every signal goes through the database and each node delivers
 * it to the sockets it holds.
 */
export type BusMessage =
  /** For the sockets in a visit's room, except the connection that sent it. */
  | { kind: 'room'; appointment: string; exclude?: string; signal: ServerSignal }
  /** For a clinician's waiting-room sockets. */
  | { kind: 'desk'; practitioner: string; signal: WaitingRoomSignal }
  /** A clinician opened the waiting room: nodes say which of their patients are in a room. */
  | { kind: 'roll-call'; practitioner: string };

export const BUS_CHANNEL = 'salus_telehealth';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin for the wrapper. */
const NOTIFY_LIMIT = 7900;
/** Parked signals are read within milliseconds; anything older is a leftover of a stopped node. */
const PARKED_LIFETIME = "interval '5 minutes'";
const SWEEP_EVERY_MS = 60_000;

export class VisitBus {
  private readonly handlers = new Set<(m: BusMessage) => void>();
  private listening: Promise<() => Promise<void>> | undefined;
  /** Notifications are handled one after another, so a parked offer is not overtaken by its candidates. */
  private queue: Promise<void> = Promise.resolve();
  private lastSweep = 0;

  constructor(private readonly db: Db) {}

  /**
   * Sends a message to every node. Given a transaction's connection, the message leaves when it
   * commits (NOTIFY is transactional), so nobody hears of a check-in that was rolled back.
   */
  async publish(m: BusMessage, q: Queryable = this.db): Promise<void> {
    const text = JSON.stringify(m);
    if (Buffer.byteLength(text) < NOTIFY_LIMIT) {
      await q.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, text]);
      return;
    }
    const r = await q.query<{ id: string }>('INSERT INTO telehealth_signals (payload) VALUES ($1) RETURNING id', [text]);
    await q.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, JSON.stringify({ parked: String(r.rows[0]!.id) })]);
    if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = Date.now();
      await q.query(`DELETE FROM telehealth_signals WHERE created_at < now() - ${PARKED_LIFETIME}`);
    }
  }

  /**
   * Adds a handler for every message. Listening starts with the first subscription (a node that
   * never holds a visit socket keeps no listening connection); resolves once messages published
   * from now on will arrive.
   */
  async subscribe(handler: (m: BusMessage) => void): Promise<void> {
    this.handlers.add(handler);
    this.listening ??= this.db.listen(BUS_CHANNEL, (payload) => {
      this.queue = this.queue.then(() => this.deliver(payload)).catch((e: unknown) => console.error('telehealth signal lost:', e));
    });
    await this.listening;
  }

  private async deliver(payload: string): Promise<void> {
    let m = JSON.parse(payload) as BusMessage | { parked: string };
    if ('parked' in m) {
      const r = await this.db.query<{ payload: string }>('SELECT payload FROM telehealth_signals WHERE id = $1', [m.parked]);
      if (!r.rows[0]) return;
      m = JSON.parse(r.rows[0].payload) as BusMessage;
    }
    for (const h of this.handlers) h(m);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    const unlisten = this.listening;
    this.listening = undefined;
    if (unlisten) await (await unlisten)();
    await this.queue;
  }
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { RawData } from 'ws';
import {
  badRequest,
  FhirError,
  forbidden,
  isPeerId,
  isValidId,
  notFound,
  parseClientSignal,
  SIGNAL_CLOSE,
  SIGNAL_LIMITS,
  unauthorized,
  type ServerSignal,
  type VisitRole,
  type WaitingRoomSignal,
} from '@salus/core';
import { auditAgent, type AuditSink } from '../access/audit-recorder.js';
import type { Principal } from '../access/principal.js';
import type { AuditInput } from '../audit/types.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { FhirRepository } from '../fhir/repository.js';
import { saveChatLine } from './chat.js';
import type { BusMessage, VisitBus } from './visit-bus.js';
import { findEncounter, readVisit, requireJoinable, roleIn, type Visit } from './visits.js';

export interface SignalingDeps {
  /** The server's own repository (visits are read to decide who may join; chat is written as its sender). */
  repo: FhirRepository;
  auth: Authenticator;
  bus: VisitBus;
  audit: AuditSink;
  now: () => Date;
  /** The origin people reach Salus at (a proxy in front may give the app another Host). */
  publicUrl: string;
}

type Meta = { ip?: string; userAgent?: string };

/** One browser in a visit's room, on this node. */
interface Peer {
  conn: string;
  socket: WebSocket;
  principal: Principal;
  meta: Meta;
  role: VisitRole;
  /** The page's own id: the same page reconnecting keeps it, a reloaded page gets a new one. */
  peer: string;
  appointment: string;
  patientId: string;
  practitioner: string;
  encounter?: string;
  joinedAt: number;
  /** Closed because the same side joined again elsewhere: its leaving is not news. */
  replaced: boolean;
  /** Messages are handled in order, one at a time. */
  chain: Promise<void>;
  bucket: RateBucket;
}

/** At most `burst` messages at once, refilled at `perSecond`. */
class RateBucket {
  private tokens: number = SIGNAL_LIMITS.burst;
  private last = Date.now();

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(SIGNAL_LIMITS.burst, this.tokens + ((now - this.last) / 1000) * SIGNAL_LIMITS.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const HEARTBEAT_MS = 25_000;

function metaOf(req: FastifyRequest): Meta {
  return { ip: req.ip, ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}) };
}

/**
 * A browser opening a socket from another site's page sends the person's cookie along (no CORS
 * for WebSockets): only pages of this server's own origin may open one.
 */
export function requireSameOrigin(req: FastifyRequest, publicUrl: string): void {
  const origin = req.headers.origin;
  if (origin === undefined || origin === new URL(publicUrl).origin) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== req.headers.host) throw forbidden(`Sockets are opened from Salus's own pages, not from ${origin}`);
}

function send(socket: WebSocket, signal: ServerSignal | WaitingRoomSignal): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(signal));
}

function logError(e: unknown): void {
  console.error('telehealth signaling:', e);
}

/** Work a socket event starts and nobody waits for; a failure is logged, never left unhandled. */
function background(p: Promise<void>): void {
  p.catch(logError);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/**
 * Signaling for video visits: a WebSocket per participant, relaying WebRTC session descriptions,
 * ICE candidates, chat and presence to the other participant, and the clinician's waiting-room
 * socket. Nodes keep only the sockets they hold; every signal goes through the bus, so the two
 * sides of a call may be connected to different nodes.
 */
export class SignalingHub {
  private readonly rooms = new Map<string, Set<Peer>>();
  private readonly desks = new Map<string, Set<WebSocket>>();
  private readonly alive = new WeakSet<WebSocket>();
  private subscribed: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SignalingDeps) {}

  register(app: FastifyInstance): void {
    const admissions = new WeakMap<FastifyRequest, { visit: Visit; role: VisitRole; peer: string; principal: Principal }>();
    const practitioners = new WeakMap<FastifyRequest, string>();

    app.get(
      '/telehealth/visits/:appointmentId/signal',
      {
        websocket: true,
        // Refused before the upgrade, with an HTTP status, and recorded.
        preValidation: async (req) => {
          admissions.set(req, await this.admit(req));
        },
      },
      (socket, req) => {
        const a = admissions.get(req)!;
        this.join(socket, a.principal, metaOf(req), a.visit, a.role, a.peer);
      },
    );

    app.get(
      '/telehealth/waiting-room',
      {
        websocket: true,
        preValidation: async (req) => {
          practitioners.set(req, await this.admitToDesk(req));
        },
      },
      (socket, req) => {
        this.openDesk(socket, practitioners.get(req)!);
      },
    );
  }

  /** Who may join a visit's room: its two participants, for a video visit that can be joined now. */
  private async admit(req: FastifyRequest): Promise<{ visit: Visit; role: VisitRole; peer: string; principal: Principal }> {
    const { appointmentId } = req.params as { appointmentId: string };
    let principal: Principal | undefined;
    let visit: Visit | undefined;
    try {
      principal = await this.deps.auth.principal(req);
      if (!principal) throw unauthorized('Sign in to join a video visit');
      requireSameOrigin(req, this.deps.publicUrl);
      const peer = (req.query as Record<string, unknown>).peer;
      if (!isPeerId(peer)) throw badRequest('peer must name the page joining (8 to 64 letters, digits, - or _)', 'peer');
      // Someone else's visit reads like one that does not exist: that it exists is private too.
      const absent = notFound(`No visit of yours at Appointment/${appointmentId}`);
      if (!isValidId(appointmentId)) throw absent;
      visit = await readVisit(this.deps.repo, appointmentId).catch((e: unknown) => {
        throw e instanceof FhirError && (e.status === 404 || e.status === 410) ? absent : e;
      });
      const role = roleIn(visit, principal);
      if (!role) throw absent;
      requireJoinable(visit, this.deps.now(), ['video']);
      return { visit, role, peer, principal };
    } catch (e) {
      const status = e instanceof FhirError ? e.status : 500;
      await this.record(principal, metaOf(req), {
        subtype: 'video-join',
        outcome: status === 401 || status === 403 || (status === 404 && visit) ? 'denied' : 'failure',
        outcomeDesc: e instanceof Error ? e.message : String(e),
        appointment: visit ? appointmentId : undefined,
        patientId: visit?.patientId,
        query: req.url.split('?')[0]!,
      });
      throw e;
    }
  }

  private async admitToDesk(req: FastifyRequest): Promise<string> {
    let principal: Principal | undefined;
    const result = async (): Promise<string> => {
      principal = await this.deps.auth.principal(req);
      if (!principal) throw unauthorized('Sign in to open the waiting room');
      requireSameOrigin(req, this.deps.publicUrl);
      if (principal.scopes || !principal.roles.includes('practitioner') || !principal.fhirUser?.startsWith('Practitioner/')) {
        throw forbidden('The waiting room is for clinicians, signed in to Salus');
      }
      return principal.fhirUser;
    };
    try {
      const practitioner = await result();
      await this.record(principal, metaOf(req), { subtype: 'waiting-room', outcome: 'success', query: req.url });
      return practitioner;
    } catch (e) {
      const status = e instanceof FhirError ? e.status : 500;
      await this.record(principal, metaOf(req), {
        subtype: 'waiting-room',
        outcome: status === 401 || status === 403 ? 'denied' : 'failure',
        outcomeDesc: e instanceof Error ? e.message : String(e),
        query: req.url,
      });
      throw e;
    }
  }

  private join(socket: WebSocket, principal: Principal, meta: Meta, visit: Visit, role: VisitRole, peerId: string): void {
    const peer: Peer = {
      conn: randomUUID(),
      socket,
      principal,
      meta,
      role,
      peer: peerId,
      appointment: visit.appointment.id,
      patientId: visit.patientId,
      practitioner: visit.practitioner,
      joinedAt: Date.now(),
      replaced: false,
      chain: Promise.resolve(),
      bucket: new RateBucket(),
    };
    // Handlers are attached at once (messages may arrive while the join is still being announced)
    // and run in order after it.
    const then = (fn: () => Promise<void>): void => {
      peer.chain = peer.chain.then(fn).catch(logError);
    };
    socket.on('message', (data, isBinary) => then(() => this.onMessage(peer, data, isBinary)));
    socket.on('close', () => then(() => this.leave(peer)));
    this.watch(socket);
    then(() => this.enter(peer));
  }

  private async enter(peer: Peer): Promise<void> {
    await this.ready();
    if (peer.socket.readyState !== peer.socket.OPEN) return;
    const room = this.rooms.get(peer.appointment) ?? new Set<Peer>();
    room.add(peer);
    this.rooms.set(peer.appointment, room);
    const found = await findEncounter(this.deps.repo, peer.appointment);
    if (found) peer.encounter = `Encounter/${found.encounter.id}`;
    send(peer.socket, {
      type: 'welcome',
      role: peer.role,
      admitted: found?.encounter.status === 'in-progress',
      ...(peer.encounter ? { encounter: peer.encounter } : {}),
    });
    await this.deps.bus.publish({ kind: 'room', appointment: peer.appointment, exclude: peer.conn, signal: { type: 'presence', role: peer.role, state: 'joined', peer: peer.peer } });
    if (peer.role === 'patient') await this.deskEvent(peer, 'patient-joined');
    await this.record(peer.principal, peer.meta, { subtype: 'video-join', outcome: 'success', appointment: peer.appointment, patientId: peer.patientId, query: `/telehealth/visits/${peer.appointment}/signal` });
  }

  private async leave(peer: Peer): Promise<void> {
    const room = this.rooms.get(peer.appointment);
    if (!room?.delete(peer)) return;
    if (room.size === 0) this.rooms.delete(peer.appointment);
    if (!peer.replaced) {
      await this.deps.bus.publish({ kind: 'room', appointment: peer.appointment, exclude: peer.conn, signal: { type: 'presence', role: peer.role, state: 'left', peer: peer.peer } });
      if (peer.role === 'patient') await this.deskEvent(peer, 'patient-left');
    }
    const seconds = Math.round((Date.now() - peer.joinedAt) / 1000);
    await this.record(peer.principal, peer.meta, {
      subtype: 'video-leave',
      outcome: 'success',
      outcomeDesc: `Connected for ${seconds} s${peer.replaced ? '; rejoined from another connection' : ''}`,
      appointment: peer.appointment,
      patientId: peer.patientId,
      query: `/telehealth/visits/${peer.appointment}/signal`,
    });
  }

  private async onMessage(peer: Peer, data: RawData, isBinary: boolean): Promise<void> {
    if (!this.rooms.get(peer.appointment)?.has(peer)) return;
    if (isBinary || byteLength(data) > SIGNAL_LIMITS.maxMessageBytes) {
      peer.socket.close(SIGNAL_CLOSE.policy, `Signals are JSON text of at most ${SIGNAL_LIMITS.maxMessageBytes} bytes`);
      return;
    }
    if (!peer.bucket.take()) {
      peer.socket.close(SIGNAL_CLOSE.policy, 'Too many messages');
      return;
    }
    let signal;
    try {
      signal = parseClientSignal(data.toString());
    } catch (e) {
      send(peer.socket, { type: 'error', message: (e as Error).message });
      return;
    }
    const from = { from: peer.role, peer: peer.peer };
    const room = (s: ServerSignal, exclude?: string): Promise<void> =>
      this.deps.bus.publish({ kind: 'room', appointment: peer.appointment, ...(exclude ? { exclude } : {}), signal: s });
    switch (signal.type) {
      case 'description':
        return room({ type: 'description', ...from, description: signal.description }, peer.conn);
      case 'candidate':
        return room({ type: 'candidate', ...from, candidate: signal.candidate }, peer.conn);
      case 'hang-up':
        return room({ type: 'hang-up', ...from }, peer.conn);
      case 'chat': {
        peer.encounter ??= await findEncounter(this.deps.repo, peer.appointment).then((f) => f && `Encounter/${f.encounter.id}`);
        if (!peer.encounter) {
          send(peer.socket, { type: 'error', message: 'Chat opens once the patient has checked in' });
          return;
        }
        try {
          const saved = await saveChatLine(
            this.deps,
            peer.principal,
            peer.meta,
            { appointment: peer.appointment, encounter: peer.encounter, patientId: peer.patientId, practitioner: peer.practitioner },
            peer.role,
            signal.text,
            this.deps.now(),
          );
          // Both sides hear it, the sender too: its copy carries the id it is kept under.
          return room({ type: 'chat', id: saved.id, from: peer.role, text: signal.text, sent: saved.sent });
        } catch (e) {
          send(peer.socket, { type: 'error', message: `The message was not sent: ${(e as Error).message}` });
          return;
        }
      }
    }
  }

  private openDesk(socket: WebSocket, practitioner: string): void {
    const desk = this.desks.get(practitioner) ?? new Set<WebSocket>();
    desk.add(socket);
    this.desks.set(practitioner, desk);
    this.watch(socket);
    socket.on('close', () => {
      desk.delete(socket);
      if (desk.size === 0 && this.desks.get(practitioner) === desk) this.desks.delete(practitioner);
    });
    // Patients already in their rooms are announced by the nodes holding them.
    background(this.ready().then(() => this.deps.bus.publish({ kind: 'roll-call', practitioner })));
  }

  private deskEvent(peer: Peer, event: WaitingRoomSignal['event']): Promise<void> {
    return this.deps.bus.publish({ kind: 'desk', practitioner: peer.practitioner, signal: { type: 'visit', appointment: peer.appointment, event } });
  }

  private ready(): Promise<void> {
    return (this.subscribed ??= this.deps.bus.subscribe((m) => this.onBus(m)));
  }

  /** A message from any node, delivered to the sockets this node holds. */
  private onBus(m: BusMessage): void {
    if (m.kind === 'desk') {
      for (const socket of this.desks.get(m.practitioner) ?? []) send(socket, m.signal);
      return;
    }
    if (m.kind === 'roll-call') {
      for (const room of this.rooms.values()) {
        for (const p of room) if (p.role === 'patient' && p.practitioner === m.practitioner) background(this.deskEvent(p, 'patient-joined'));
      }
      return;
    }
    const signal = m.signal;
    for (const p of [...(this.rooms.get(m.appointment) ?? [])]) {
      if (p.conn === m.exclude) continue;
      if (signal.type === 'presence' && signal.state === 'joined') {
        if (p.role === signal.role) {
          // One window per side: the newer one takes over (a page reconnecting after a network
          // drop, or the visit opened on another device).
          p.replaced = true;
          p.socket.close(SIGNAL_CLOSE.replaced, 'Joined from another window');
          continue;
        }
        // Tell the newcomer who is already here.
        background(this.deps.bus.publish({ kind: 'room', appointment: p.appointment, exclude: p.conn, signal: { type: 'presence', role: p.role, state: 'here', peer: p.peer } }));
      }
      if (signal.type === 'admitted') p.encounter = signal.encounter;
      send(p.socket, signal);
      if (signal.type === 'ended') p.socket.close(SIGNAL_CLOSE.ended, 'The visit has ended');
    }
  }

  /** Pings every socket; one that did not answer the last ping is gone (a dropped network) and is closed. */
  private watch(socket: WebSocket): void {
    this.alive.add(socket);
    socket.on('pong', () => this.alive.add(socket));
    this.heartbeat ??= setInterval(() => {
      const sockets = [...[...this.rooms.values()].flatMap((r) => [...r].map((p) => p.socket)), ...[...this.desks.values()].flatMap((d) => [...d])];
      for (const s of sockets) {
        if (!this.alive.has(s)) {
          s.terminate();
          continue;
        }
        this.alive.delete(s);
        s.ping();
      }
    }, HEARTBEAT_MS).unref();
  }

  private record(
    p: Principal | undefined,
    meta: Meta,
    e: { subtype: string; outcome: AuditInput['outcome']; outcomeDesc?: string; appointment?: string | undefined; patientId?: string | undefined; query: string },
  ): Promise<void> {
    return this.deps.audit.append({
      action: 'E',
      subtype: e.subtype,
      outcome: e.outcome,
      ...(e.outcomeDesc ? { outcomeDesc: e.outcomeDesc } : {}),
      agent: auditAgent(p, meta),
      entities: e.appointment ? [`Appointment/${e.appointment}`] : [],
      patientIds: e.patientId ? [e.patientId] : [],
      query: e.query,
    });
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const desk of this.desks.values()) for (const s of desk) s.terminate();
    // Leaves are announced and recorded before the database goes.
    const peers = [...this.rooms.values()].flatMap((r) => [...r]);
    await Promise.all(
      peers.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.socket.readyState === p.socket.CLOSED) return resolve();
            p.socket.once('close', () => resolve());
            p.socket.terminate();
          }),
      ),
    );
    await Promise.all(peers.map((p) => p.chain));
    await this.deps.bus.close();
  }
}

import { createECDH, randomBytes, type ECDH } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Agent, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify, type JWTPayload } from 'jose';
import type { PushSubscriptionInput } from './web-push.js';

// The Encrypted Content-Encoding library web-push encrypts with, used here the other way round.
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(body: Buffer, params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: string }): Buffer;
};

/** One message as the push service received it. */
export interface ReceivedPush {
  subscriber: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A browser's side of a subscription: the keys it made, and the means to read what it is sent. */
export interface TestSubscriber {
  name: string;
  subscription: PushSubscriptionInput;
  /** The message as the browser would decrypt it (aes128gcm with its private key and auth secret). */
  decrypt(body: Buffer): string;
}

/**
 * A push service on a local HTTPS port (web-push speaks only HTTPS), acting for every subscriber
 * a test makes: it keeps what it receives and answers each subscriber with the status the test
 * sets (201 by default; 410 for a subscription the browser dropped).
 */
export class TestPushService {
  readonly received: ReceivedPush[] = [];
  /** Trusts the service's self-signed certificate; give it to the app as `pushAgent`. */
  readonly agent: Agent;
  private readonly statuses = new Map<string, number>();
  private waiters: { subscriber: string; resolve: (r: ReceivedPush) => void }[] = [];

  private constructor(
    private readonly server: Server,
    cert: string,
  ) {
    this.agent = new Agent({ ca: cert });
  }

  static async start(): Promise<TestPushService> {
    const dir = mkdtempSync(join(tmpdir(), 'salus-push-'));
    let key: string;
    let cert: string;
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let service: TestPushService | undefined;
    const server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const subscriber = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
        const status = service!.statuses.get(subscriber) ?? 201;
        service!.deliver({ subscriber, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(status).end(status >= 400 ? 'push subscription has unsubscribed or expired' : '');
      });
    });
    service = new TestPushService(server, cert);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get origin(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new browser subscription with its own P-256 key pair and auth secret. */
  subscriber(name: string): TestSubscriber {
    const ecdh = createECDH('prime256v1');
    const publicKey = ecdh.generateKeys().toString('base64url');
    const auth = randomBytes(16).toString('base64url');
    return {
      name,
      subscription: { endpoint: `${this.origin}/push/${encodeURIComponent(name)}`, keys: { p256dh: publicKey, auth } },
      decrypt: (body) => ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8'),
    };
  }

  /** The status the service answers for this subscriber from now on. */
  answer(subscriber: string, status: number): void {
    this.statuses.set(subscriber, status);
  }

  private deliver(r: ReceivedPush): void {
    const i = this.waiters.findIndex((w) => w.subscriber === r.subscriber);
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(r);
    else this.received.push(r);
  }

  /** The oldest unread message to a subscriber, waiting for it if none has arrived. */
  next(subscriber: string): Promise<ReceivedPush> {
    const i = this.received.findIndex((r) => r.subscriber === subscriber);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ subscriber, resolve }));
  }

  /**
   * Checks a request's VAPID Authorization (`vapid t=<JWT>, k=<public key>`) the way a push
   * service does: the JWT verifies with the key it names, for this service's origin, unexpired.
   * Returns the key and the JWT's claims.
   */
  async verifyVapid(r: ReceivedPush): Promise<{ key: string; claims: JWTPayload }> {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(String(r.headers.authorization ?? ''));
    if (!m) throw new Error(`Not a VAPID Authorization header: ${String(r.headers.authorization)}`);
    const point = Buffer.from(m[2]!, 'base64url');
    const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') };
    const { payload } = await jwtVerify(m[1]!, await importJWK(jwk, 'ES256'), { audience: this.origin, algorithms: ['ES256'] });
    return { key: m[2]!, claims: payload };
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

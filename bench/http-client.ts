import { connect, type Socket } from 'node:net';

export interface HttpResult {
  status: number;
  /** Response headers, names lower-cased (the last value wins). */
  headers: Record<string, string>;
  body: string;
}

interface Pending {
  resolve: (r: HttpResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * One keep-alive HTTP/1.1 connection carrying one request at a time. A client of its own rather
 * than node:http because the load generator shares the machine's two cores with the server and
 * PostgreSQL: node:http's client costs about as much CPU per request as the server does, which
 * would hide the server's own figure. This one writes a request line and parses a status line,
 * headers and a Content-Length or chunked body — all the server sends.
 */
class Connection {
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  send(request: Buffer, timeoutMs: number): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      // A connection the server closed (or a timed-out one) is replaced on next use.
      if (!this.socket || this.socket.destroyed) this.open();
      const timer = setTimeout(() => this.fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      this.pending = { resolve, reject, timer };
      this.buf = Buffer.alloc(0);
      this.socket!.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private open(): void {
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    // Events of a socket already replaced must not touch the request on its successor.
    s.on('data', (chunk: Buffer) => {
      if (this.socket !== s) return;
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.parse();
    });
    s.on('error', (e) => this.socket === s && this.fail(e));
    s.on('close', () => this.socket === s && this.fail(new Error('connection closed by the server')));
    this.socket = s;
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    this.socket?.destroy();
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  /** Completes the pending request once its whole response is in `buf`. */
  private parse(): void {
    const end = this.buf.indexOf(HEADER_END);
    if (end < 0 || !this.pending) return;
    const lines = this.buf.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0]!.slice(9, 12));
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = end + 4;
    let body: string;
    if (headers['transfer-encoding']?.includes('chunked')) {
      const decoded = dechunk(this.buf, start);
      if (!decoded) return;
      body = decoded;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (this.buf.length < start + length) return;
      body = this.buf.toString('utf8', start, start + length);
    }
    const p = this.pending;
    this.pending = undefined;
    this.buf = Buffer.alloc(0);
    clearTimeout(p.timer);
    if (headers.connection === 'close') this.socket?.destroy();
    p.resolve({ status, headers, body });
  }
}

/** The body of a complete chunked message starting at `from`, or undefined while incomplete. */
function dechunk(buf: Buffer, from: number): string | undefined {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, eol), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked response');
    const dataStart = eol + 2;
    if (size === 0) return buf.length >= dataStart + 2 ? Buffer.concat(parts).toString('utf8') : undefined;
    if (buf.length < dataStart + size + 2) return undefined;
    parts.push(buf.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

/**
 * Keep-alive connections to the local server, one per concurrent client (as real clients and
 * proxies keep them; a TCP connection per request would measure the kernel, not the server).
 */
export class HttpClient {
  private readonly free: Connection[];
  private readonly all: Connection[];
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly prefix: string;
  /** Header lines written on every request (credentials), ready to send. */
  private readonly extraHeaders: string;

  /** `headers` go on every request: the credentials the server requires of every caller. */
  constructor(baseUrl: string, connections: number, headers: Record<string, string>) {
    const base = new URL(baseUrl);
    // Load is only ever aimed at this machine.
    if (base.hostname !== '127.0.0.1') throw new Error(`Refusing to load ${base.hostname}; only 127.0.0.1`);
    this.host = base.hostname;
    this.port = Number(base.port);
    this.prefix = base.pathname.replace(/\/$/, '');
    this.extraHeaders = Object.entries(headers)
      .map(([name, value]) => {
        // Written as latin1 with no escaping: a CR or LF would end the header and start another.
        if (!/^[\w-]+$/.test(name) || !/^[\x20-\x7e]*$/.test(value)) throw new Error(`Invalid request header ${name}`);
        return `${name}: ${value}\r\n`;
      })
      .join('');
    this.all = Array.from({ length: connections }, () => new Connection(this.host, this.port));
    this.free = [...this.all];
  }

  async request(method: string, path: string, body?: string, timeoutMs = 30_000): Promise<HttpResult> {
    const target = `${this.prefix}/${path}`;
    if (!/^[\x21-\x7e]+$/.test(target)) throw new Error(`Request target must be encoded ASCII: ${target}`);
    let head = `${method} ${target} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\naccept: application/fhir+json\r\n${this.extraHeaders}`;
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    if (payload) head += `content-type: application/fhir+json\r\ncontent-length: ${payload.length}\r\n`;
    const bytes = Buffer.from(`${head}\r\n`, 'latin1');
    const conn = this.free.pop() ?? (await new Promise<Connection>((resolve) => this.waiting.push(resolve)));
    try {
      return await conn.send(payload ? Buffer.concat([bytes, payload]) : bytes, timeoutMs);
    } finally {
      const next = this.waiting.shift();
      if (next) next(conn);
      else this.free.push(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}

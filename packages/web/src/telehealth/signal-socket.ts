import { SIGNAL_CLOSE } from '@salus/core';

/**
 * A WebSocket to the server that comes back after a network drop: closed by anything but the
 * server meaning it (the visit ended, another window took over, a refusal), it reconnects with a
 * growing delay, at once when the browser says it is online again. Messages sent meanwhile wait
 * and go out when it is back.
 */

export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Close codes after which coming back would not help. */
const FINAL_CODES: ReadonlySet<number> = new Set([1000, SIGNAL_CLOSE.ended, SIGNAL_CLOSE.replaced, SIGNAL_CLOSE.policy]);
const DELAYS_MS = [300, 1000, 2000, 4000, 8000];
/** Attempts in a row that never open before giving up: the server is refusing (a browser sees no HTTP status), not unreachable. */
const MAX_FAILED_OPENS = 12;
const MAX_WAITING = 200;

export interface SignalSocketOptions<In> {
  /** Path on this server, e.g. `/telehealth/waiting-room`. */
  path: string;
  onMessage: (message: In) => void;
  onState: (state: SocketState, closed?: { code: number; reason: string }) => void;
  /** After the socket came back (not on the first open). */
  onReconnect?: () => void;
  /** The WebSocket constructor (tests pass a stand-in). */
  WebSocketImpl?: typeof WebSocket;
  delaysMs?: readonly number[];
}

export function socketUrl(path: string, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}

export class SignalSocket<In, Out> {
  private socket: WebSocket | undefined;
  private readonly waiting: string[] = [];
  private attempt = 0;
  private failedOpens = 0;
  private opened = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly online = () => this.retryNow();

  constructor(private readonly options: SignalSocketOptions<In>) {
    window.addEventListener('online', this.online);
    this.open();
  }

  /** Sends now, or when the socket is back. */
  send(message: Out): void {
    const text = JSON.stringify(message);
    if (this.socket?.readyState === 1) this.socket.send(text);
    else if (this.waiting.length < MAX_WAITING) this.waiting.push(text);
  }

  close(): void {
    this.stopped = true;
    window.removeEventListener('online', this.online);
    clearTimeout(this.timer);
    this.socket?.close(1000);
    this.options.onState('closed');
  }

  private open(): void {
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const socket = new Impl(socketUrl(this.options.path));
    this.socket = socket;
    let didOpen = false;
    this.options.onState(this.opened ? 'reconnecting' : 'connecting');
    socket.onopen = () => {
      didOpen = true;
      this.attempt = 0;
      this.failedOpens = 0;
      const again = this.opened;
      this.opened = true;
      for (const text of this.waiting.splice(0)) socket.send(text);
      this.options.onState('open');
      if (again) this.options.onReconnect?.();
    };
    socket.onmessage = (e: MessageEvent) => {
      let message: In;
      try {
        message = JSON.parse(String(e.data)) as In;
      } catch {
        return;
      }
      this.options.onMessage(message);
    };
    socket.onclose = (e: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      if (!didOpen) this.failedOpens += 1;
      if (FINAL_CODES.has(e.code) || this.failedOpens >= MAX_FAILED_OPENS) {
        this.stopped = true;
        window.removeEventListener('online', this.online);
        this.options.onState('closed', { code: e.code, reason: e.reason });
        return;
      }
      this.options.onState('reconnecting');
      const delays = this.options.delaysMs ?? DELAYS_MS;
      this.timer = setTimeout(() => this.open(), delays[Math.min(this.attempt, delays.length - 1)]);
      this.attempt += 1;
    };
  }

  private retryNow(): void {
    if (this.stopped || this.socket?.readyState === 1 || this.socket?.readyState === 0) return;
    clearTimeout(this.timer);
    this.open();
  }
}

/**
 * A stand-in for the browser's WebSocket in component tests: every socket the code opens is kept,
 * and the test opens, feeds and closes them as the server would.
 */
export class FakeWebSocket {
  static readonly sockets: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.sockets.push(this);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(text);
  }

  close(code = 1000): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }

  /** The server sends a message. */
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** The connection ends from the other side (code 1006: dropped, no close frame). */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  static latest(): FakeWebSocket {
    const s = FakeWebSocket.sockets[FakeWebSocket.sockets.length - 1];
    if (!s) throw new Error('no socket opened');
    return s;
  }

  /** Installs the fake as the global WebSocket until the returned function is called. */
  static install(): () => void {
    const original = globalThis.WebSocket;
    FakeWebSocket.sockets.length = 0;
    (globalThis as unknown as { WebSocket: unknown }).WebSocket = FakeWebSocket;
    return () => {
      (globalThis as unknown as { WebSocket: unknown }).WebSocket = original;
    };
  }
}

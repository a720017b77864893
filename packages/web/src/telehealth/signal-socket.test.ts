import '../test/dom.js';
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SIGNAL_CLOSE } from '@salus/core';
import { FakeWebSocket } from './fake-websocket.js';
import { SignalSocket, socketUrl, type SocketState } from './signal-socket.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('SignalSocket', () => {
  let states: SocketState[];
  let received: unknown[];
  let reconnects: number;
  let socket: SignalSocket<unknown, { type: string }>;
  beforeEach(() => {
    states = [];
    received = [];
    reconnects = 0;
    socket = new SignalSocket({
      path: '/telehealth/waiting-room',
      onMessage: (m) => received.push(m),
      onState: (s) => states.push(s),
      onReconnect: () => reconnects++,
      WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket,
      delaysMs: [1],
    });
  });
  afterEach(() => {
    socket.close();
    FakeWebSocket.sockets.length = 0;
  });

  test('messages sent before the socket opens go out when it does; messages in are parsed', () => {
    socket.send({ type: 'chat' });
    const ws = FakeWebSocket.latest();
    assert.equal(ws.url, 'ws://localhost:8080/telehealth/waiting-room');
    ws.open();
    assert.deepEqual(ws.sent, ['{"type":"chat"}']);
    ws.receive({ type: 'visit' });
    assert.deepEqual(received, [{ type: 'visit' }]);
    assert.deepEqual(states, ['connecting', 'open']);
  });

  test('a dropped connection comes back by itself, and the screen is told it did', async () => {
    FakeWebSocket.latest().open();
    FakeWebSocket.latest().drop();
    assert.equal(states.at(-1), 'reconnecting');
    socket.send({ type: 'chat' });
    await tick();
    assert.equal(FakeWebSocket.sockets.length, 2);
    FakeWebSocket.latest().open();
    assert.deepEqual(FakeWebSocket.latest().sent, ['{"type":"chat"}'], 'what was sent meanwhile waits for the new socket');
    assert.equal(reconnects, 1);
    assert.equal(states.at(-1), 'open');
  });

  test('closed because the visit ended or another window took over: it stays closed', async () => {
    for (const code of [SIGNAL_CLOSE.ended, SIGNAL_CLOSE.replaced]) {
      FakeWebSocket.sockets.length = 0;
      const closes: { code: number }[] = [];
      const s = new SignalSocket({ path: '/x', onMessage: () => undefined, onState: (st, c) => st === 'closed' && c && closes.push(c), WebSocketImpl: FakeWebSocket as unknown as typeof WebSocket, delaysMs: [1] });
      FakeWebSocket.latest().open();
      FakeWebSocket.latest().drop(code);
      await tick();
      assert.equal(FakeWebSocket.sockets.length, 1, `no new socket after ${code}`);
      assert.deepEqual(closes, [{ code, reason: '' }]);
      s.close();
    }
  });

  test('a server that never lets it in is given up on, instead of tried forever', async () => {
    for (let i = 0; i < 12; i++) {
      FakeWebSocket.latest().drop();
      await tick();
    }
    assert.equal(states.at(-1), 'closed');
    const count = FakeWebSocket.sockets.length;
    await tick(10);
    assert.equal(FakeWebSocket.sockets.length, count);
  });

  test('the socket address follows the page: wss on https', () => {
    assert.equal(socketUrl('/a', { protocol: 'https:', host: 'salus.example.org' }), 'wss://salus.example.org/a');
    assert.equal(socketUrl('/a', { protocol: 'http:', host: 'localhost:5173' }), 'ws://localhost:5173/a');
  });
});

import { useEffect, useRef, useState } from 'react';
import { SignalSocket, type SocketState } from '../telehealth/signal-socket.js';
import { liveMessage } from './monitoring.js';
import type { LiveMessage } from './monitoring-api.js';

/**
 * The monitoring feed pushed by the server on `/monitoring/live` (alerts opened, acknowledged,
 * resolved or escalated; new readings; new NEWS2 scores), on a socket that comes back by itself
 * after a drop, with a growing delay. The server sends only what the signed-in person may see.
 *
 * `onMessage` gets every well-formed message; `onReconnect` runs when the socket came back, since
 * whatever happened while it was away was not pushed and must be read again. Returns the socket's
 * state so the page can say whether it is live.
 */
export function useMonitoringLive(onMessage: (message: LiveMessage) => void, onReconnect?: () => void, enabled = true): SocketState {
  const [state, setState] = useState<SocketState>('connecting');
  // The latest handlers, so a re-render does not close and reopen the socket.
  const handlers = useRef({ onMessage, onReconnect });
  handlers.current = { onMessage, onReconnect };
  useEffect(() => {
    if (!enabled) return;
    const socket = new SignalSocket<unknown, never>({
      path: '/monitoring/live',
      onMessage: (raw) => {
        const message = liveMessage(raw);
        if (message) handlers.current.onMessage(message);
      },
      onState: (s) => setState(s),
      onReconnect: () => handlers.current.onReconnect?.(),
    });
    return () => socket.close();
  }, [enabled]);
  return state;
}

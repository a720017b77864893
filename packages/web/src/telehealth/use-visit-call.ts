import type { Communication } from '@medplum/fhirtypes';
import { SIGNAL_CLOSE, type ClientSignal, type ServerSignal, type VisitRole } from '@salus/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { search } from '../api/fhir.js';
import { request } from '../api/http.js';
import { CallController, type CallState } from './call.js';
import { SignalSocket, type SocketState } from './signal-socket.js';

/**
 * A visit's call as a screen sees it: the signaling socket, the peer connection, presence and
 * chat, tied together. The call starts when the patient is admitted and both sides are in the
 * room, and starts again by itself when the other page reloads or the network comes back.
 */

export interface ChatLine {
  id: string;
  from: VisitRole;
  text: string;
  sent: string;
}

export interface VisitCallState {
  socket: SocketState;
  /** Why the socket closed for good: the visit ended, this visit was opened in another window, or it could not connect. */
  closed?: 'ended' | 'replaced' | 'unreachable';
  admitted: boolean;
  /** The other side has the visit open. */
  remotePresent: boolean;
  call: CallState | 'idle';
  remoteStream?: MediaStream;
  chat: ChatLine[];
  ended: boolean;
  /** Who hung up, until the call starts again. */
  hungUp?: 'me' | 'them';
  /** The latest problem the server reported (a chat line not sent, say). */
  notice?: string;
}

export interface VisitCall extends VisitCallState {
  sendChat(text: string): void;
  hangUp(): void;
  /** Calls again after a hang-up. */
  rejoin(): void;
}

const INITIAL: VisitCallState = { socket: 'connecting', admitted: false, remotePresent: false, call: 'idle', chat: [], ended: false };

/** A random id for this page, so the other side can tell a reconnecting page from a reloaded one. */
export function newPeerId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Chat lines kept in the record, as the call shows them. */
export function chatLines(messages: readonly Communication[]): ChatLine[] {
  return messages
    .filter((c) => c.id && c.payload?.[0]?.contentString)
    .map((c) => ({ id: c.id!, from: c.sender?.reference?.startsWith('Practitioner/') ? ('practitioner' as const) : ('patient' as const), text: c.payload![0]!.contentString!, sent: c.sent ?? '' }))
    .sort((a, b) => a.sent.localeCompare(b.sent));
}

/** Adds lines not yet there (the same line may come from the history and from the socket). */
export function mergeChat(lines: readonly ChatLine[], more: readonly ChatLine[]): ChatLine[] {
  const ids = new Set(lines.map((l) => l.id));
  return [...lines, ...more.filter((l) => !ids.has(l.id))].sort((a, b) => a.sent.localeCompare(b.sent));
}

export function useVisitCall(appointmentId: string, role: VisitRole, local: MediaStream | undefined, active: boolean): VisitCall {
  const [state, setState] = useState<VisitCallState>(INITIAL);
  const live = useRef<{
    controller?: CallController;
    socket?: SignalSocket<ServerSignal, ClientSignal>;
    local?: MediaStream | undefined;
    admitted: boolean;
    remotePeer?: string;
    hungUp?: 'me' | 'them' | undefined;
    start?: (peer: string) => void;
  }>({ admitted: false });
  live.current.local = local;

  useEffect(() => {
    if (!active) return;
    let disposed = false;
    const r = live.current;
    const patch = (p: Partial<VisitCallState>) => {
      if (!disposed) setState((s) => ({ ...s, ...p }));
    };
    // Descriptions and candidates are applied one after another, in the order they came.
    let chain = Promise.resolve();
    let historyLoaded = false;
    let controller: CallController | undefined;
    let socket: SignalSocket<ServerSignal, ClientSignal> | undefined;

    const start = (peer: string): void => {
      if (!controller || !r.local || !r.admitted || r.hungUp === 'me') return;
      if (controller.pc && controller.remotePeer === peer) return;
      r.hungUp = undefined;
      patch({ hungUp: undefined });
      controller.start(peer, r.local);
    };
    r.start = start;

    const loadHistory = (encounter: string): void => {
      if (historyLoaded) return;
      historyLoaded = true;
      search<Communication>('Communication', { encounter, _sort: 'sent', _count: 200 }).then(
        (list) => !disposed && setState((s) => ({ ...s, chat: mergeChat(s.chat, chatLines(list)) })),
        () => undefined,
      );
    };

    const handle = (m: ServerSignal): void => {
      switch (m.type) {
        case 'welcome':
          r.admitted = m.admitted || role === 'practitioner';
          patch({ admitted: r.admitted });
          if (m.encounter) loadHistory(m.encounter);
          return;
        case 'admitted':
          r.admitted = true;
          patch({ admitted: true });
          loadHistory(m.encounter);
          if (r.remotePeer) start(r.remotePeer);
          return;
        case 'presence':
          if (m.role === role) return;
          if (m.state === 'left') {
            patch({ remotePresent: false });
            return;
          }
          patch({ remotePresent: true });
          if (r.remotePeer !== m.peer || !controller?.pc) {
            r.remotePeer = m.peer;
            if (r.hungUp === 'them') r.hungUp = undefined;
            start(m.peer);
          } else controller.restartIfDown();
          return;
        case 'description':
        case 'candidate': {
          if (m.from === role || r.hungUp === 'me' || !controller) return;
          const c = controller;
          if (!c.pc || c.remotePeer !== m.peer) {
            if (m.type === 'candidate') return;
            // An offer from the clinician is the admission itself, should its notice be late.
            r.admitted = true;
            r.remotePeer = m.peer;
            patch({ admitted: true, remotePresent: true });
            start(m.peer);
          }
          chain = chain.then(() => c.receive(m)).catch((e: unknown) => console.warn('signal not applied', e));
          return;
        }
        case 'hang-up':
          if (m.from === role) return;
          r.hungUp = 'them';
          controller?.close();
          patch({ hungUp: 'them', call: 'idle', remoteStream: undefined });
          return;
        case 'chat':
          setState((s) => ({ ...s, chat: mergeChat(s.chat, [{ id: m.id, from: m.from, text: m.text, sent: m.sent }]) }));
          return;
        case 'ended':
          controller?.close();
          patch({ ended: true, call: 'idle', remoteStream: undefined });
          return;
        case 'error':
          patch({ notice: m.message });
          return;
      }
    };

    void (async () => {
      let config: RTCConfiguration = {};
      try {
        const ice = await request<{ iceServers: RTCIceServer[] }>('/telehealth/ice-servers');
        config = { iceServers: ice.iceServers };
      } catch {
        // Without STUN/TURN servers, peers on one network still connect directly.
      }
      if (disposed) return;
      controller = new CallController({
        polite: role === 'patient',
        config,
        send: (s) => socket?.send(s),
        onRemoteStream: (stream) => patch({ remoteStream: stream }),
        onState: (call) => patch({ call }),
      });
      r.controller = controller;
      socket = new SignalSocket<ServerSignal, ClientSignal>({
        path: `/telehealth/visits/${encodeURIComponent(appointmentId)}/signal?peer=${newPeerId()}`,
        onMessage: handle,
        onState: (s, closed) => {
          if (s !== 'closed' || !closed) return patch({ socket: s });
          const why = closed.code === SIGNAL_CLOSE.ended ? 'ended' : closed.code === SIGNAL_CLOSE.replaced ? 'replaced' : 'unreachable';
          if (why !== 'ended') controller?.close();
          patch({ socket: s, closed: why, ...(why === 'ended' ? { ended: true } : {}) });
        },
        onReconnect: () => controller?.restartIfDown(),
      });
      r.socket = socket;
    })();

    return () => {
      disposed = true;
      socket?.close();
      controller?.close();
      r.controller = undefined;
      r.socket = undefined;
      r.start = undefined;
    };
  }, [appointmentId, role, active]);

  // A camera or microphone chosen anew is sent in place of the old one; a stream that came late starts the call.
  useEffect(() => {
    const r = live.current;
    if (!local) return;
    if (r.controller?.pc) for (const t of local.getTracks()) void r.controller.replaceTrack(t);
    else if (r.remotePeer) r.start?.(r.remotePeer);
  }, [local]);

  const sendChat = useCallback((text: string) => live.current.socket?.send({ type: 'chat', text }), []);
  const hangUp = useCallback(() => {
    const r = live.current;
    r.socket?.send({ type: 'hang-up' });
    r.hungUp = 'me';
    r.controller?.close();
    setState((s) => ({ ...s, hungUp: 'me', call: 'idle', remoteStream: undefined }));
  }, []);
  const rejoin = useCallback(() => {
    const r = live.current;
    r.hungUp = undefined;
    setState((s) => ({ ...s, hungUp: undefined }));
    if (r.remotePeer) r.start?.(r.remotePeer);
  }, []);

  return { ...state, sendChat, hangUp, rejoin };
}

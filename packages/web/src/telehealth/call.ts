import type { ClientSignal, SignalCandidate, SignalDescription } from '@salus/core';

/**
 * One WebRTC peer connection to the other side of a visit, negotiated the "perfect negotiation"
 * way (W3C WebRTC 1.0, §10.7): either side may make an offer at any time; when both do at once
 * the polite side (the patient) gives way. So an ICE restart after a network drop, or a new
 * connection after the other page reloads, needs no coordination beyond the signals themselves.
 */

export type CallState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

/** How the call reads on screen, from the connection's state. */
export function callStateOf(connection: RTCPeerConnectionState): CallState {
  switch (connection) {
    case 'connected':
      return 'connected';
    case 'disconnected':
      return 'reconnecting';
    case 'failed':
      return 'failed';
    case 'closed':
      return 'closed';
    default:
      return 'connecting';
  }
}

/** A short interruption often heals by itself; after this long, the call's network paths are renewed. */
const DISCONNECTED_GRACE_MS = 2500;

export interface CallOptions {
  polite: boolean;
  config: RTCConfiguration;
  send: (signal: ClientSignal) => void;
  onRemoteStream: (stream: MediaStream) => void;
  onState: (state: CallState) => void;
}

export class CallController {
  pc: RTCPeerConnection | undefined;
  /** The page on the other side this connection talks to. */
  remotePeer: string | undefined;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: CallOptions) {}

  /** A new connection to `remotePeer`, sending the local tracks (any previous one is closed). */
  start(remotePeer: string, local: MediaStream): void {
    this.close();
    const pc = new RTCPeerConnection(this.options.config);
    this.pc = pc;
    this.remotePeer = remotePeer;
    const remote = new MediaStream();
    pc.ontrack = (e) => {
      remote.addTrack(e.track);
      this.options.onRemoteStream(remote);
    };
    pc.onicecandidate = (e) => {
      if (e.candidate) this.options.send({ type: 'candidate', candidate: e.candidate.toJSON() as SignalCandidate });
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        this.options.send({ type: 'description', description: pc.localDescription!.toJSON() as SignalDescription });
      } catch (e) {
        console.warn('offer failed', e);
      } finally {
        this.makingOffer = false;
      }
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      this.options.onState(callStateOf(pc.connectionState));
    };
    pc.oniceconnectionstatechange = () => {
      if (this.pc !== pc) return;
      clearTimeout(this.graceTimer);
      if (pc.iceConnectionState === 'failed') pc.restartIce();
      else if (pc.iceConnectionState === 'disconnected') this.graceTimer = setTimeout(() => this.restartIfDown(), DISCONNECTED_GRACE_MS);
    };
    for (const track of local.getTracks()) pc.addTrack(track, local);
    this.options.onState('connecting');
  }

  /** A description or candidate from the other side. */
  async receive(signal: { type: 'description'; description: SignalDescription } | { type: 'candidate'; candidate: SignalCandidate }): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    if (signal.type === 'candidate') {
      try {
        await pc.addIceCandidate(signal.candidate);
      } catch (e) {
        // Candidates of an offer this side ignored are expected to fail.
        if (!this.ignoreOffer) console.warn('candidate refused', e);
      }
      return;
    }
    const description = signal.description;
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) return;
    this.settingRemoteAnswer = description.type === 'answer';
    try {
      await pc.setRemoteDescription(description);
    } finally {
      this.settingRemoteAnswer = false;
    }
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      this.options.send({ type: 'description', description: pc.localDescription!.toJSON() as SignalDescription });
    }
  }

  /** After the signaling socket came back: renew the network paths if the media stopped meanwhile. */
  restartIfDown(): void {
    const pc = this.pc;
    if (pc && (pc.iceConnectionState === 'disconnected' || pc.iceConnectionState === 'failed')) pc.restartIce();
  }

  /** Sends another camera or microphone without renegotiating. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    const sender = this.pc?.getSenders().find((s) => s.track?.kind === track.kind);
    await sender?.replaceTrack(track);
  }

  close(): void {
    clearTimeout(this.graceTimer);
    const pc = this.pc;
    this.pc = undefined;
    this.remotePeer = undefined;
    this.makingOffer = false;
    this.ignoreOffer = false;
    if (pc) {
      pc.onnegotiationneeded = null;
      pc.onicecandidate = null;
      pc.close();
      this.options.onState('closed');
    }
  }
}

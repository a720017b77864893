import type { Coding } from '@medplum/fhirtypes';

/**
 * Virtual visits: what the server and the web app say to each other over the signaling socket,
 * and the codes a visit's outcome is recorded with. Shared so both sides check the same shapes.
 */

/** Who is in a visit: the patient's side (the patient, or a caregiver for a ward) and the clinician. */
export type VisitRole = 'patient' | 'practitioner';

/** A session description, as RTCSessionDescriptionInit carries it. */
export interface SignalDescription {
  type: 'offer' | 'answer' | 'rollback';
  sdp: string;
}

/** An ICE candidate, as RTCIceCandidateInit carries it. */
export interface SignalCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** What a browser may send into a visit's room. */
export type ClientSignal =
  | { type: 'description'; description: SignalDescription }
  | { type: 'candidate'; candidate: SignalCandidate }
  | { type: 'chat'; text: string }
  | { type: 'hang-up' };

/** Presence: a peer joined (asks the others to say they are here), is here, or left. */
export type PresenceState = 'joined' | 'here' | 'left';

/** What a browser receives in a visit's room. */
export type ServerSignal =
  | {
      type: 'welcome';
      role: VisitRole;
      /** The clinician has admitted the patient (the Encounter is in progress). */
      admitted: boolean;
      encounter?: string;
    }
  | { type: 'presence'; role: VisitRole; state: PresenceState; peer: string }
  | { type: 'admitted'; encounter: string }
  | { type: 'ended' }
  | { type: 'description'; from: VisitRole; peer: string; description: SignalDescription }
  | { type: 'candidate'; from: VisitRole; peer: string; candidate: SignalCandidate }
  | { type: 'hang-up'; from: VisitRole; peer: string }
  /** A chat line, as kept in the record (a Communication). */
  | { type: 'chat'; id: string; from: VisitRole; text: string; sent: string }
  | { type: 'error'; message: string };

/** What the clinician's waiting room hears about their own visits. */
export type WaitingRoomEvent = 'checked-in' | 'patient-joined' | 'patient-left' | 'admitted' | 'finished';

export interface WaitingRoomSignal {
  type: 'visit';
  appointment: string;
  event: WaitingRoomEvent;
}

/**
 * Close codes of the signaling socket, in the 4000-4999 range applications may use. (Who may not
 * join is refused before the upgrade, with an HTTP status.)
 */
export const SIGNAL_CLOSE = {
  /** The visit was finished (or cancelled) while connected. */
  ended: 4000,
  /** The same side joined again from another window; this one gives way. */
  replaced: 4009,
  /** Too large, too many or malformed messages. */
  policy: 4408,
} as const;

export const SIGNAL_LIMITS = {
  /** One message; an SDP with many codecs and candidates stays well under this. */
  maxMessageBytes: 64 * 1024,
  maxChatChars: 2000,
  /** Messages a connection may send in a burst, then per second. */
  burst: 120,
  perSecond: 30,
} as const;

/** How a phone visit went, recorded on its Encounter. */
export type CallOutcome = 'reached' | 'no-answer' | 'wrong-number' | 'callback-requested';

export const CALL_OUTCOME_SYSTEM = 'https://salus.example/fhir/CodeSystem/call-outcome';
/** The Encounter extension that carries a call's outcome. */
export const CALL_OUTCOME_EXTENSION = 'https://salus.example/fhir/StructureDefinition/call-outcome';

export const CALL_OUTCOMES: Readonly<Record<CallOutcome, string>> = {
  reached: 'Reached the patient',
  'no-answer': 'No answer',
  'wrong-number': 'Wrong number',
  'callback-requested': 'Patient asked to be called back',
};

export function isCallOutcome(value: unknown): value is CallOutcome {
  return typeof value === 'string' && Object.hasOwn(CALL_OUTCOMES, value);
}

export function callOutcomeCoding(outcome: CallOutcome): Coding {
  return { system: CALL_OUTCOME_SYSTEM, code: outcome, display: CALL_OUTCOMES[outcome] };
}

/** A peer instance id: one per open page, so a page that reconnects is known from a new one. */
export function isPeerId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (v: unknown, check: (x: unknown) => boolean): boolean => v === undefined || v === null || check(v);

/**
 * A message from a browser, checked: only the known shapes, with only their own fields (nothing
 * else is relayed to the other side). Throws an Error saying what is wrong.
 */
export function parseClientSignal(text: string): ClientSignal {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('A signal must be a JSON object');
  }
  if (!isObject(raw)) throw new Error('A signal must be a JSON object');
  switch (raw.type) {
    case 'description': {
      const d = raw.description;
      if (!isObject(d) || !['offer', 'answer', 'rollback'].includes(d.type as string) || typeof d.sdp !== 'string') {
        throw new Error('description must be { type: offer | answer | rollback, sdp }');
      }
      return { type: 'description', description: { type: d.type as SignalDescription['type'], sdp: d.sdp } };
    }
    case 'candidate': {
      const c = raw.candidate;
      if (
        !isObject(c) ||
        typeof c.candidate !== 'string' ||
        !optional(c.sdpMid, (x) => typeof x === 'string') ||
        !optional(c.sdpMLineIndex, (x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < 1024) ||
        !optional(c.usernameFragment, (x) => typeof x === 'string')
      ) {
        throw new Error('candidate must be { candidate, sdpMid?, sdpMLineIndex?, usernameFragment? }');
      }
      const candidate: SignalCandidate = { candidate: c.candidate };
      if (c.sdpMid !== undefined) candidate.sdpMid = c.sdpMid as string | null;
      if (c.sdpMLineIndex !== undefined) candidate.sdpMLineIndex = c.sdpMLineIndex as number | null;
      if (c.usernameFragment !== undefined) candidate.usernameFragment = c.usernameFragment as string | null;
      return { type: 'candidate', candidate };
    }
    case 'chat': {
      if (typeof raw.text !== 'string') throw new Error('chat must carry text');
      const text = raw.text.trim();
      if (!text) throw new Error('A chat message cannot be empty');
      if (text.length > SIGNAL_LIMITS.maxChatChars) throw new Error(`A chat message is at most ${SIGNAL_LIMITS.maxChatChars} characters`);
      return { type: 'chat', text };
    }
    case 'hang-up':
      return { type: 'hang-up' };
    default:
      throw new Error(`Unknown signal type '${String(raw.type)}'`);
  }
}

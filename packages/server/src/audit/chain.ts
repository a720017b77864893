import { createHmac } from 'node:crypto';
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditIndex, type AuditIndex } from './audit-event.js';

/** prev_hash of the first entry (and hash of the empty ledger's head). */
export const GENESIS_HASH = '0'.repeat(64);

/** A row of audit_ledger, as the ledger writes it and verification reads it. */
export interface LedgerRow extends AuditIndex {
  seq: string;
  /** The AuditEvent as JSON text; its `id` is the seq it was written at. */
  entry: string;
  prevHash: string;
  hash: string;
}

/** The last entry of the chain: its seq and hash (seq 0 and GENESIS_HASH when empty). */
export interface ChainHead {
  seq: string;
  hash: string;
}

/**
 * HMAC-SHA256 of newline-joined parts. Only the last part may contain a newline (the others are
 * labels, numbers, hex and ISO times), so the joined text has one reading. The label keeps an
 * entry seal, a head seal and a checkpoint seal from ever standing in for one another.
 */
function seal(key: Buffer, label: string, ...parts: string[]): string {
  return createHmac('sha256', key).update(`${label}\n${parts.join('\n')}`).digest('hex');
}

export function entrySeal(key: Buffer, seq: bigint | string, prevHash: string, entry: string): string {
  return seal(key, 'entry', String(seq), prevHash, entry);
}

export function headSeal(key: Buffer, seq: bigint | string, hash: string): string {
  return seal(key, 'head', String(seq), hash);
}

export function checkpointSeal(key: Buffer, seq: bigint | string, hash: string, created: string): string {
  return seal(key, 'checkpoint', String(seq), hash, created);
}

/**
 * Numbers `events` after `head` and chains them: each row's hash seals its seq, the hash before
 * it and its entry text. Returns the rows to insert and the new head.
 */
export function chainEvents(key: Buffer, head: ChainHead, events: readonly AuditEvent[]): { rows: LedgerRow[]; head: ChainHead } {
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const rows = events.map((event): LedgerRow => {
    seq += 1n;
    // The id goes right after resourceType, where FHIR JSON puts it.
    const { resourceType, ...rest } = event;
    const entry = JSON.stringify({ resourceType, id: String(seq), ...rest });
    const hash = entrySeal(key, seq, prevHash, entry);
    const row = { seq: String(seq), entry, prevHash, hash, ...auditIndex(event) };
    prevHash = hash;
    return row;
  });
  return { rows, head: { seq: String(seq), hash: prevHash } };
}

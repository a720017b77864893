import type { Resource } from '@medplum/fhirtypes';
import { isSealed, type ContentCipher } from './cipher.js';
import { isSensitive } from './sensitive.js';

/**
 * What a stored resource version is bound to: its row in `resources` and `resource_history`
 * (both hold the same value for a version), so content copied to another resource or version
 * fails to open.
 */
export function recordAad(resType: string, id: string, versionId: number): string {
  return `${resType}/${id}/_history/${versionId}`;
}

/**
 * The text to store instead of `record.content` when the resource is sensitive (see
 * `isSensitive`); undefined when it is stored as it is. Only the content column is sealed: the
 * search index rows are extracted from the plaintext, so indexed values (references, dates, codes
 * with their display texts, string parameters such as DocumentReference's description) stay
 * readable in the sp_* tables. That is what lets searches keep working on sensitive resources.
 */
export function sealSensitive(
  cipher: ContentCipher | undefined,
  record: { resType: string; id: string; versionId: number; content: string },
  resource: Resource,
): string | undefined {
  if (!cipher || !isSensitive(resource)) return undefined;
  return cipher.seal(record.content, recordAad(record.resType, record.id, record.versionId));
}

/**
 * The plaintext of a stored content value. Values stored before encryption existed, and those of
 * resources that are not sensitive, are plaintext and returned as they are: for them this is one
 * prefix check.
 */
export function openStored(cipher: ContentCipher | undefined, resType: string, id: string, versionId: number, content: string): string {
  if (!isSealed(content)) return content;
  if (!cipher) throw new Error(`Content of ${recordAad(resType, id, versionId)} is encrypted, but no encryption keys are loaded`);
  return cipher.open(content, recordAad(resType, id, versionId));
}

import type { DocumentReference } from '@medplum/fhirtypes';

/**
 * The clinician's note of a video or phone visit, as the record keeps notes: a DocumentReference
 * of type Progress note (LOINC 11506-3) holding the text as a UTF-8 text/plain attachment, tied to
 * the visit's Encounter. The patient's Visits page shows it under the visit.
 */

export const PROGRESS_NOTE = { system: 'http://loinc.org', code: '11506-3', display: 'Progress note' } as const;

/** Base64 of the UTF-8 bytes of `text` (btoa alone takes only Latin-1). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function visitNote(text: string, ctx: { patientId: string; encounter: string; author?: string | undefined; title: string; now: Date }): DocumentReference {
  const when = ctx.now.toISOString();
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ ...PROGRESS_NOTE }], text: 'Visit note' },
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: { reference: `Patient/${ctx.patientId}` },
    date: when,
    ...(ctx.author ? { author: [{ reference: ctx.author }] } : {}),
    description: ctx.title,
    content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: base64Utf8(text.trim()), title: ctx.title, creation: when } }],
    context: { encounter: [{ reference: ctx.encounter }] },
  };
}

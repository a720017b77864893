import type { Attachment, ClinicalImpression, Composition, DocumentReference, Reference } from '@medplum/fhirtypes';
import { FHIR_BASE } from '../api/fhir.js';
import { formatConcept, timeOf } from '../lib/format.js';
import { referenceKey, type PatientRecord } from './use-patient-record.js';

/**
 * Notes written about a patient, whichever resource holds them: a DocumentReference with the
 * note as an attachment (often base64 text), a ClinicalImpression (a clinician's assessment) or a
 * Composition (a structured document with narrative sections). Screens show them alike.
 */

export interface Note {
  /** `Type/id` of the resource holding the note. */
  key: string;
  title: string;
  date?: string;
  author: string;
  /** The note's words, when it has any in text form. */
  text?: string;
  /** Files that are not text (a PDF, a scan), to open or download. */
  files: Attachment[];
  /** `Encounter/id` of the visits it belongs to. */
  encounters: string[];
}

const isText = (contentType: string | undefined): boolean => /^text\//i.test(contentType ?? '');

/** The text of an attachment held inline as text/*, decoded with its charset; undefined otherwise. */
export function attachmentText(a: Attachment): string | undefined {
  if (!a.data || !isText(a.contentType)) return undefined;
  const bytes = attachmentBytes(a);
  if (!bytes) return undefined;
  const charset = /charset=([^;]+)/i.exec(a.contentType ?? '')?.[1]?.trim() ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The bytes of inline attachment data (base64), or undefined when there are none or they are not base64. */
export function attachmentBytes(a: Attachment): Uint8Array | undefined {
  if (!a.data) return undefined;
  try {
    const binary = atob(a.data.replace(/\s+/g, ''));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const EXTENSIONS: Record<string, string> = {
  'text/plain': 'txt',
  'text/html': 'html',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'application/pdf': 'pdf',
  'application/json': 'json',
  'application/fhir+json': 'json',
  'application/xml': 'xml',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * Where an attachment held elsewhere can be opened: a web address, or a resource on this server
 * (`Binary/123`). Other schemes (javascript:, data:) are refused: the address comes from the record.
 */
export function attachmentUrl(a: Attachment): string | undefined {
  if (!a.url) return undefined;
  if (/^[A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64}$/.test(a.url)) return `${FHIR_BASE}/${a.url}`;
  try {
    const u = new URL(a.url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A file name for saving an attachment: its title made safe for file systems, with an extension for its type. */
export function attachmentFileName(a: Attachment, fallback = 'document'): string {
  const base = (a.title || fallback).replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100) || fallback;
  const ext = EXTENSIONS[(a.contentType ?? '').split(';')[0]!.trim().toLowerCase()];
  return ext && !base.toLowerCase().endsWith(`.${ext}`) ? `${base}.${ext}` : base;
}

/**
 * Narrative XHTML as plain text. Notes are shown as text, never as HTML: markup written into a
 * record elsewhere must not run or restyle the page.
 */
export function narrativeText(xhtml: string | undefined): string {
  if (!xhtml) return '';
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return xhtml
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6]|\/tr)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] === '#') {
        const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return named[entity.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const keysOf = (refs: (Reference | undefined)[]): string[] => refs.map((r) => referenceKey(r)).filter((k): k is string => k !== undefined);

function fromDocument(d: DocumentReference, nameOf: PatientRecord['nameOf']): Note {
  const attachments = (d.content ?? []).map((c) => c.attachment);
  const textual = attachments.find((a) => attachmentText(a) !== undefined);
  const text = textual ? attachmentText(textual) : undefined;
  const date = d.date ?? d.context?.period?.start ?? attachments[0]?.creation;
  return {
    key: `DocumentReference/${d.id}`,
    title: formatConcept(d.type) || d.description || attachments[0]?.title || 'Document',
    ...(date ? { date } : {}),
    author: (d.author ?? []).map((a) => nameOf(a)).filter(Boolean).join(', '),
    ...(text !== undefined ? { text } : {}),
    files: attachments.filter((a) => a !== textual),
    encounters: keysOf(d.context?.encounter ?? []),
  };
}

function fromImpression(c: ClinicalImpression, nameOf: PatientRecord['nameOf']): Note {
  const findings = (c.finding ?? []).map((f) => formatConcept(f.itemCodeableConcept) || nameOf(f.itemReference)).filter(Boolean);
  const text = [c.description, c.summary, findings.length ? `Findings: ${findings.join('; ')}` : '', ...(c.note ?? []).map((n) => n.text)]
    .filter(Boolean)
    .join('\n\n');
  const date = c.effectiveDateTime ?? c.effectivePeriod?.start ?? c.date;
  return {
    key: `ClinicalImpression/${c.id}`,
    title: formatConcept(c.code) || 'Clinical assessment',
    ...(date ? { date } : {}),
    author: nameOf(c.assessor),
    ...(text ? { text } : {}),
    files: [],
    encounters: keysOf([c.encounter]),
  };
}

function fromComposition(c: Composition, nameOf: PatientRecord['nameOf']): Note {
  const text = (c.section ?? [])
    .map((s) => [s.title, narrativeText(s.text?.div)].filter(Boolean).join('\n'))
    .filter(Boolean)
    .join('\n\n');
  return {
    key: `Composition/${c.id}`,
    title: c.title || formatConcept(c.type) || 'Document',
    date: c.date,
    author: (c.author ?? []).map((a) => nameOf(a)).filter(Boolean).join(', '),
    ...(text ? { text } : {}),
    files: [],
    encounters: keysOf([c.encounter]),
  };
}

type NoteSource = Pick<PatientRecord, 'documents' | 'clinicalImpressions' | 'compositions' | 'nameOf'>;

/** Every note in the record (entered-in-error ones left out), newest first. */
export function recordNotes(record: NoteSource): Note[] {
  const notes = [
    ...record.documents.filter((d) => d.status !== 'entered-in-error').map((d) => fromDocument(d, record.nameOf)),
    ...record.clinicalImpressions.filter((c) => c.status !== 'entered-in-error').map((c) => fromImpression(c, record.nameOf)),
    ...record.compositions.filter((c) => c.status !== 'entered-in-error').map((c) => fromComposition(c, record.nameOf)),
  ];
  return notes.sort((a, b) => (timeOf(b.date) ?? -Infinity) - (timeOf(a.date) ?? -Infinity));
}

/** Notes by the visit they belong to (`Encounter/id`). */
export function notesByEncounter(record: NoteSource): Map<string, Note[]> {
  const out = new Map<string, Note[]>();
  for (const note of recordNotes(record)) {
    for (const e of note.encounters) out.set(e, [...(out.get(e) ?? []), note]);
  }
  return out;
}

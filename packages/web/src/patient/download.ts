import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { formatName } from '../lib/format.js';

/**
 * A patient's whole record as one FHIR Bundle file. It is a `collection` (a set of resources
 * kept together), with each entry's full address on this server, so that another FHIR system
 * can import it and still tell where each piece came from.
 */
export function recordBundle(resources: readonly Resource[], fhirBaseUrl: string, now: Date = new Date()): Bundle {
  const base = fhirBaseUrl.replace(/\/+$/, '');
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: now.toISOString(),
    entry: resources.map((resource) => ({ ...(resource.id ? { fullUrl: `${base}/${resource.resourceType}/${resource.id}` } : {}), resource })),
  };
}

/** "salus-record-ana-beatriz-souza-2026-11-23.json": whose and when, safe on any file system. */
export function recordFileName(patient: Patient, now: Date = new Date()): string {
  const name = formatName(patient.name)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const day = now.toISOString().slice(0, 10);
  return `salus-record-${name || patient.id || 'patient'}-${day}.json`;
}

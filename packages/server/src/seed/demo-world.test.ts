import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Appointment, DocumentReference, Schedule, Observation, ObservationReferenceRange, Quantity, Resource } from '@medplum/fhirtypes';
import { isValidId, readAvailability } from '@salus/core';
import { buildDemoWorld, type DemoPerson } from './demo-world.js';

const NOW = new Date('2025-06-15T10:20:00Z');
const DAY_MS = 86_400_000;
const world = buildDemoWorld({ now: NOW });
const resources: Resource[] = world.bundle.entry!.map((e) => e.resource!);
const byKey = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
const ofType = <T extends Resource>(type: T['resourceType']): T[] => resources.filter((r) => r.resourceType === type) as T[];

/** Every `reference` string anywhere inside a value, with the path that leads to it. */
function references(value: unknown, path: string, out: { path: string; reference: string }[] = []): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => references(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push({ path, reference: v });
      else references(v, `${path}.${k}`, out);
    }
  }
  return out;
}

function expectedFlag(q: Quantity, range: ObservationReferenceRange): string {
  const v = q.value!;
  if (range.low?.value !== undefined && v < range.low.value) return 'L';
  if (range.high?.value !== undefined && v > range.high.value) return 'H';
  return 'N';
}

test('the same now builds the same world, and a JSON round trip changes nothing', () => {
  const again = buildDemoWorld({ now: NOW });
  assert.deepEqual(again, world);
  assert.deepEqual(JSON.parse(JSON.stringify(world.bundle)), world.bundle);
});

test('another day moves the dates but keeps every id', () => {
  const later = buildDemoWorld({ now: new Date(NOW.getTime() + 40 * DAY_MS) });
  const ids = (w: typeof world) => w.bundle.entry!.map((e) => e.request!.url);
  assert.deepEqual(ids(later), ids(world));
  assert.notDeepEqual(later.bundle, world.bundle);
});

test('building does not share objects with earlier builds', () => {
  const first = buildDemoWorld({ now: NOW });
  first.bundle.entry![0]!.resource!.id = 'changed';
  assert.deepEqual(buildDemoWorld({ now: NOW }), world);
});

test('it is a transaction of PUTs to fixed, valid, demo- ids', () => {
  assert.equal(world.bundle.resourceType, 'Bundle');
  assert.equal(world.bundle.type, 'transaction');
  const seen = new Set<string>();
  for (const entry of world.bundle.entry!) {
    const r = entry.resource!;
    assert.ok(r.id && isValidId(r.id), `invalid id ${r.id}`);
    assert.match(r.id!, /^demo-/);
    assert.deepEqual(entry.request, { method: 'PUT', url: `${r.resourceType}/${r.id}` });
    assert.ok(!seen.has(entry.request!.url), `duplicate ${entry.request!.url}`);
    seen.add(entry.request!.url);
  }
});

test('every reference points to an earlier entry of the bundle', () => {
  // Earlier, not just somewhere: a loader that writes entries in order never meets a dangling reference.
  const before = new Set<string>();
  for (const r of resources) {
    for (const { path, reference } of references(r, `${r.resourceType}/${r.id}`)) {
      assert.match(reference, /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/, `${path} is not a Type/id reference`);
      assert.ok(byKey.has(reference), `${path} -> ${reference} is not in the bundle`);
      assert.ok(before.has(reference), `${path} -> ${reference} comes later in the bundle`);
    }
    before.add(`${r.resourceType}/${r.id}`);
  }
});

test('the world is small but complete', () => {
  assert.ok(resources.length >= 250 && resources.length <= 600, `${resources.length} resources`);
  const min: Record<string, number> = {
    Organization: 4, Location: 2, Practitioner: 7, PractitionerRole: 7, Patient: 6, RelatedPerson: 1, Condition: 6,
    MedicationRequest: 6, AllergyIntolerance: 2, Immunization: 6, Encounter: 15, Observation: 100, DiagnosticReport: 3,
    DocumentReference: 1, Appointment: 1, Schedule: 5,
  };
  for (const [type, n] of Object.entries(min)) assert.ok(ofType(type as Resource['resourceType']).length >= n, `fewer than ${n} ${type}`);
  const patients = ofType('Patient').length;
  assert.ok(patients >= 6 && patients <= 8);
});

test('the people cover every role and each one is in the bundle', () => {
  const roles: DemoPerson['role'][] = ['patient', 'caregiver', 'practitioner', 'pharmacist', 'public-health', 'admin'];
  for (const role of roles) assert.ok(world.people.some((p) => p.role === role), `no ${role}`);
  assert.equal(new Set(world.people.map((p) => p.email)).size, world.people.length, 'emails must be unique');
  for (const p of world.people) {
    const r = byKey.get(p.resource);
    assert.ok(r, `${p.name}: ${p.resource} is not in the bundle`);
    assert.ok(p.note.length > 0 && !p.note.includes('\n'));
    if (r.resourceType === 'Patient' || r.resourceType === 'Practitioner' || r.resourceType === 'RelatedPerson') {
      assert.ok(r.telecom?.some((t) => t.system === 'email' && t.value === p.email), `${p.name}'s email is not on ${p.resource}`);
    }
  }
  const caregiver = world.people.find((p) => p.role === 'caregiver')!;
  const related = byKey.get(caregiver.resource);
  assert.equal(related?.resourceType, 'RelatedPerson');
  if (related?.resourceType === 'RelatedPerson') {
    assert.ok(['MTH', 'FTH'].includes(related.relationship![0]!.coding![0]!.code!));
    const child = byKey.get(related.patient.reference!);
    assert.equal(child?.resourceType, 'Patient');
  }
});

test("the diabetic patient's HbA1c never rises once treatment starts", () => {
  const hba1c = ofType<Observation>('Observation')
    .filter((o) => o.subject?.reference === 'Patient/demo-ana-souza' && o.code.coding?.some((c) => c.code === '4548-4'))
    .sort((a, b) => a.effectiveDateTime!.localeCompare(b.effectiveDateTime!))
    .map((o) => o.valueQuantity!.value!);
  assert.ok(hba1c.length >= 5, 'a trend needs several points');
  for (let i = 1; i < hba1c.length; i++) assert.ok(hba1c[i]! <= hba1c[i - 1]!, `HbA1c rose: ${hba1c.join(', ')}`);
  assert.ok(hba1c.every((v) => v >= 5.5 && v <= 9));
  assert.ok(hba1c.at(-1)! < hba1c[0]!);
});

test('every interpretation agrees with its reference range', () => {
  let checked = 0;
  for (const o of ofType<Observation>('Observation')) {
    for (const part of [o, ...(o.component ?? [])]) {
      const flag = part.interpretation?.[0]?.coding?.[0]?.code;
      const range = part.referenceRange?.[0];
      if (!flag || !range || !part.valueQuantity) continue;
      assert.equal(flag, expectedFlag(part.valueQuantity, range), `${o.id}: ${part.valueQuantity.value} flagged ${flag}`);
      assert.equal(range.low?.code ?? part.valueQuantity.code, part.valueQuantity.code, `${o.id}: range unit differs`);
      checked++;
    }
  }
  assert.ok(checked > 50);
});

test('results and vital signs are coded in LOINC with UCUM units, in the past two years', () => {
  const now = NOW.getTime();
  for (const o of ofType<Observation>('Observation')) {
    assert.ok(o.code.coding?.some((c) => c.system === 'http://loinc.org'), `${o.id} has no LOINC code`);
    const t = Date.parse(o.effectiveDateTime!);
    assert.ok(t < now && t > now - 2 * 366 * DAY_MS, `${o.id} at ${o.effectiveDateTime}`);
    for (const q of [o.valueQuantity, ...(o.component ?? []).map((c) => c.valueQuantity)]) {
      if (q) assert.equal(q.system, 'http://unitsofmeasure.org', `${o.id} unit is not UCUM`);
    }
    const category = o.category?.[0]?.coding?.[0]?.code;
    assert.ok(['vital-signs', 'laboratory', 'survey'].includes(category!), `${o.id} category ${category}`);
    if (o.code.coding?.[0]?.code === '85354-9') {
      const codes = o.component!.map((c) => [c.code.coding![0]!.code, c.valueQuantity!.code]);
      assert.deepEqual(codes, [['8480-6', 'mm[Hg]'], ['8462-4', 'mm[Hg]']]);
      const [sys, dia] = o.component!.map((c) => c.valueQuantity!.value!);
      assert.ok(sys! > dia! && sys! >= 80 && sys! <= 200 && dia! >= 40 && dia! <= 120, `${o.id}: ${sys}/${dia}`);
    }
  }
});

test('every lab report groups results of its own encounter and patient', () => {
  for (const report of ofType('DiagnosticReport')) {
    if (report.resourceType !== 'DiagnosticReport') continue;
    assert.ok(report.result?.length);
    for (const r of report.result!) {
      const obs = byKey.get(r.reference!) as Observation;
      assert.equal(obs.subject?.reference, report.subject?.reference);
      assert.equal(obs.encounter?.reference, report.encounter?.reference);
    }
  }
});

test('visit notes are readable text attached to an encounter', () => {
  for (const note of ofType<DocumentReference>('DocumentReference')) {
    const attachment = note.content[0]!.attachment;
    assert.match(attachment.contentType!, /^text\/plain/);
    const text = Buffer.from(attachment.data!, 'base64').toString('utf8');
    assert.equal(Buffer.byteLength(text), attachment.size);
    assert.match(text, /\nA: /);
    assert.equal(byKey.get(note.context!.encounter![0]!.reference!)?.resourceType, 'Encounter');
  }
});

test('upcoming appointments are booked within the next two weeks with patient and clinician', () => {
  const upcoming = ofType<Appointment>('Appointment');
  assert.ok(upcoming.length >= 1);
  for (const a of upcoming) {
    assert.equal(a.status, 'booked');
    const start = Date.parse(a.start!);
    assert.ok(start > NOW.getTime() && start <= NOW.getTime() + 14 * DAY_MS, `${a.id} starts ${a.start}`);
    assert.ok(Date.parse(a.created!) < NOW.getTime());
    const actors = a.participant.map((p) => p.actor?.reference?.split('/')[0]);
    assert.ok(actors.includes('Patient') && actors.includes('Practitioner'), `${a.id} participants ${actors.join(', ')}`);
  }
});

test('every clinician who sees patients has bookable hours on Oregon time, for each kind of visit', () => {
  const clinicians = world.people.filter((p) => p.role === 'practitioner').map((p) => p.resource);
  const schedules = ofType<Schedule>('Schedule');
  assert.deepEqual(schedules.map((s) => s.actor[0]!.reference).sort(), [...clinicians].sort());
  for (const s of schedules) {
    const a = readAvailability(s);
    assert.ok(a, `${s.id} has no readable availability`);
    assert.equal(a.timeZone, 'America/Los_Angeles');
    assert.deepEqual(a.visitTypes.map((t) => t.mode).sort(), ['in-person', 'phone', 'video']);
    assert.ok(a.weekly.length > 0 && a.weekly.every((w) => !w.days.includes('sat') && !w.days.includes('sun')));
  }
});

test('a build near the start of a flu season places no vaccine in the future', () => {
  for (const now of [new Date('2025-10-05T08:00:00Z'), new Date('2026-01-02T23:59:00Z')]) {
    const built = buildDemoWorld({ now });
    for (const entry of built.bundle.entry!) {
      const r = entry.resource!;
      if (r.resourceType === 'Immunization') assert.ok(Date.parse(r.occurrenceDateTime!) < now.getTime(), `${r.id} ${r.occurrenceDateTime}`);
    }
  }
});

const VALIDATOR = new URL('../fhir/validation/validate.ts', import.meta.url);

test('every resource passes the structural validator', { skip: !existsSync(VALIDATOR) && 'validator not present' }, async () => {
  const { validateResource } = (await import(VALIDATOR.href)) as { validateResource: (r: unknown) => { diagnostics?: string; expression?: string[] }[] };
  const problems = resources.flatMap((r) =>
    validateResource(r).map((i) => `${r.resourceType}/${r.id}: ${i.diagnostics} @ ${i.expression?.join(', ')}`),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(validateResource(world.bundle), []);
});

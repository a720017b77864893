import { Autocomplete, Stack, Textarea, TextInput } from '@mantine/core';
import { FormFooter } from '../layout/form-footer.js';
import type { Condition } from '@medplum/fhirtypes';
import { useState, type FormEvent } from 'react';
import { createResource } from '../api/fhir.js';

/**
 * Adding a problem to the patient's problem list. Common problems carry their SNOMED CT code so
 * other systems can read them; anything else is kept as the words typed.
 */

const SNOMED = 'http://snomed.info/sct';

/** Frequent primary-care problems and their SNOMED CT concepts (codes as published in SNOMED CT). */
export const COMMON_PROBLEMS: { code: string; display: string; text: string }[] = [
  { code: '38341003', display: 'Hypertensive disorder, systemic arterial', text: 'High blood pressure' },
  { code: '44054006', display: 'Type 2 diabetes mellitus', text: 'Type 2 diabetes' },
  { code: '55822004', display: 'Hyperlipidemia', text: 'High cholesterol' },
  { code: '195967001', display: 'Asthma', text: 'Asthma' },
  { code: '13645005', display: 'Chronic obstructive lung disease', text: 'COPD' },
  { code: '84114007', display: 'Heart failure', text: 'Heart failure' },
  { code: '49436004', display: 'Atrial fibrillation', text: 'Atrial fibrillation' },
  { code: '35489007', display: 'Depressive disorder', text: 'Depression' },
  { code: '197480006', display: 'Anxiety disorder', text: 'Anxiety' },
  { code: '414916001', display: 'Obesity', text: 'Obesity' },
  { code: '709044004', display: 'Chronic kidney disease', text: 'Chronic kidney disease' },
  { code: '40930008', display: 'Hypothyroidism', text: 'Underactive thyroid' },
  { code: '69896004', display: 'Rheumatoid arthritis', text: 'Rheumatoid arthritis' },
  { code: '396275006', display: 'Osteoarthritis', text: 'Osteoarthritis' },
  { code: '37796009', display: 'Migraine', text: 'Migraine' },
  { code: '444814009', display: 'Viral sinusitis', text: 'Viral sinusitis' },
];

export interface ProblemInput {
  text: string;
  onset: string;
  note: string;
}

/** The Condition for the typed problem; the error names the field when something is missing. */
export function problemCondition(input: ProblemInput, ctx: { patientId: string; recorder?: string | undefined; today: string }): { condition?: Condition; error?: { field: keyof ProblemInput; message: string } } {
  const text = input.text.trim();
  if (!text) return { error: { field: 'text', message: 'Name the problem' } };
  if (input.onset && input.onset > ctx.today) return { error: { field: 'onset', message: 'The onset cannot be in the future' } };
  const known = COMMON_PROBLEMS.find((p) => p.text.toLowerCase() === text.toLowerCase() || p.display.toLowerCase() === text.toLowerCase());
  const condition: Condition = {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: known ? { coding: [{ system: SNOMED, code: known.code, display: known.display }], text: known.text } : { text },
    subject: { reference: `Patient/${ctx.patientId}` },
    recordedDate: ctx.today,
    ...(input.onset ? { onsetDateTime: input.onset } : {}),
    ...(ctx.recorder ? { recorder: { reference: ctx.recorder } } : {}),
    ...(input.note.trim() ? { note: [{ text: input.note.trim() }] } : {}),
  };
  return { condition };
}

export function ProblemForm({ patientId, recorder, onSaved, onCancel }: { patientId: string; recorder?: string | undefined; onSaved: (c: Condition) => void; onCancel?: () => void }) {
  const [input, setInput] = useState<ProblemInput>({ text: '', onset: '', note: '' });
  const [error, setError] = useState<{ field?: keyof ProblemInput; message: string }>();
  const [busy, setBusy] = useState(false);
  const today = new Date().toISOString().slice(0, 10);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = problemCondition(input, { patientId, recorder, today });
    if (!r.condition) return setError(r.error);
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await createResource(r.condition));
    } catch (err) {
      setError({ message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="New problem">
      <Stack>
        <Autocomplete
          label="Problem"
          description="Pick a common problem or type your own words"
          data={COMMON_PROBLEMS.map((p) => p.text)}
          value={input.text}
          onChange={(text) => setInput({ ...input, text })}
          error={error?.field === 'text' ? error.message : undefined}
        />
        <TextInput type="date" label="Since" max={today} value={input.onset} onChange={(e) => setInput({ ...input, onset: e.currentTarget.value })} error={error?.field === 'onset' ? error.message : undefined} />
        <Textarea label="Note" autosize minRows={2} value={input.note} onChange={(e) => setInput({ ...input, note: e.currentTarget.value })} />
        <FormFooter error={error && !error.field ? error.message : undefined} busy={busy} submitLabel="Add to problem list" onCancel={onCancel} />
      </Stack>
    </form>
  );
}

import { SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { FormFooter } from '../layout/form-footer.js';
import { useState, type FormEvent } from 'react';
import { postBundle } from '../api/fhir.js';
import { parseVitals, VITAL_FIELDS, VITAL_LABELS, vitalsBundle, type VitalField, type VitalsErrors, type VitalsInput } from './vitals.js';

/** The local time now as the value of a datetime-local input (minutes, no zone). */
function nowLocal(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** Entry of one set of vital signs; any subset may be typed. Saved as one transaction. */
export function VitalsForm({ patientId, performer, onSaved, onCancel }: { patientId: string; performer?: string | undefined; onSaved: (count: number) => void; onCancel?: () => void }) {
  const [input, setInput] = useState<VitalsInput>({});
  const [when, setWhen] = useState(nowLocal);
  const [errors, setErrors] = useState<VitalsErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseVitals(input);
    const whenDate = new Date(when);
    if (Number.isNaN(whenDate.getTime())) parsed.errors.form = 'Enter when they were measured';
    else if (whenDate.getTime() > Date.now() + 60_000) parsed.errors.form = 'The time of measurement is in the future';
    setErrors(parsed.errors);
    if (Object.keys(parsed.errors).length > 0) return;
    setBusy(true);
    try {
      const bundle = vitalsBundle(parsed.values, { patientId, ...(performer ? { performer } : {}), when: whenDate.toISOString() });
      await postBundle(bundle);
      onSaved(bundle.entry?.length ?? 0);
    } catch (err) {
      setErrors({ form: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  const field = (f: VitalField) => (
    <TextInput
      key={f}
      label={VITAL_LABELS[f].label}
      rightSection={<Text size="xs" c="dimmed" pr={4}>{VITAL_LABELS[f].unit}</Text>}
      rightSectionWidth={VITAL_LABELS[f].unit.length > 4 ? 84 : 48}
      inputMode="decimal"
      name={f}
      value={String(input[f] ?? '')}
      onChange={(e) => {
        setInput({ ...input, [f]: e.currentTarget.value });
        // The message was about the old value; it goes as soon as the value is changed.
        if (errors[f]) setErrors({ ...errors, [f]: undefined });
      }}
      error={errors[f]}
    />
  );

  return (
    <form onSubmit={submit} noValidate aria-label="Vital signs">
      <Stack>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <Text component="legend" fw={500} size="sm" mb={4}>
            Blood pressure
          </Text>
          <SimpleGrid cols={2}>{(['systolic', 'diastolic'] as const).map(field)}</SimpleGrid>
        </fieldset>
        <SimpleGrid cols={{ base: 1, xs: 2 }}>{VITAL_FIELDS.filter((f) => f !== 'systolic' && f !== 'diastolic').map(field)}</SimpleGrid>
        <TextInput type="datetime-local" label="Measured at" value={when} onChange={(e) => setWhen(e.currentTarget.value)} max={nowLocal()} />
        <FormFooter error={errors.form} busy={busy} submitLabel="Save vital signs" onCancel={onCancel} />
      </Stack>
    </form>
  );
}

import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { IconAmbulance } from '@tabler/icons-react';
import { asApiError } from '../api/http.js';
import { EMERGENCY_NUMBER } from '../telehealth/emergency-notice.js';
import { AdviceBadge } from './badges.js';
import { postReadings, type AdviceLevel, type IngestResult } from './monitoring-api.js';
import { emptyEntry, entryField, entryReading, ENTRY_KINDS, localInputValue, UNIT_CHOICES, type EntryField, type EntryKind, type EntryValues } from './reading-entry.js';

/**
 * A reading typed in by hand: choose what was measured, and the form asks for that (both blood
 * pressure numbers; a unit where people use more than one). The time starts at now. What the
 * server refuses is said under the field it names; what it accepts comes back with its advice.
 */
export function ReadingForm({ patientId, onSaved }: { patientId: string; onSaved: (result: IngestResult) => void }) {
  const [kind, setKind] = useState<EntryKind>('blood-pressure');
  const [values, setValues] = useState<EntryValues>(() => emptyEntry('blood-pressure', new Date()));
  const [errors, setErrors] = useState<Partial<Record<EntryField, string>>>({});
  const [general, setGeneral] = useState<string>();
  const [done, setDone] = useState<{ message: string; advice?: { level: AdviceLevel; text: string } }>();
  const [busy, setBusy] = useState(false);

  const set = (field: keyof EntryValues, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined }));
    setDone(undefined);
  };

  // Put under an input the form shows: blood pressure's value is its top number, and a unit
  // without a choice belongs to the value.
  const complain = (field: string | undefined, message: string) => {
    let f = entryField(field);
    if (kind === 'blood-pressure' && f === 'value') f = 'systolic';
    if (f === 'unit' && UNIT_CHOICES[kind].length === 1) f = kind === 'blood-pressure' ? undefined : 'value';
    if (f && f !== 'kind') setErrors({ [f]: message });
    else setGeneral(message);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setGeneral(undefined);
    setDone(undefined);
    const built = entryReading(kind, values);
    if ('errors' in built) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const result = await postReadings(patientId, [built.reading]);
      const rejected = result.rejected[0];
      if (rejected) {
        complain(rejected.field, rejected.message);
        return;
      }
      const advice = result.advice?.[0];
      setDone({ message: result.duplicates > 0 && result.accepted === 0 ? 'That reading was already saved.' : 'Reading saved.', ...(advice ? { advice } : {}) });
      setValues(emptyEntry(kind, new Date()));
      onSaved(result);
    } catch (err) {
      const api = asApiError(err);
      complain(api.field, api.message);
    } finally {
      setBusy(false);
    }
  }

  const units = UNIT_CHOICES[kind];
  return (
    <form onSubmit={submit} noValidate aria-label="Add a reading">
      <Stack gap="sm" maw={560}>
        <NativeSelect
          label="What did you measure?"
          data={ENTRY_KINDS.map((k) => ({ ...k }))}
          value={kind}
          onChange={(e) => {
            const next = e.currentTarget.value as EntryKind;
            setKind(next);
            setValues((v) => ({ ...emptyEntry(next, new Date()), time: v.time }));
            setErrors({});
            setGeneral(undefined);
            setDone(undefined);
          }}
        />
        {kind === 'blood-pressure' ? (
          <Group grow align="flex-start">
            <TextInput label="Top number (systolic)" description="mmHg" inputMode="numeric" value={values.systolic} onChange={(e) => set('systolic', e.currentTarget.value)} error={errors.systolic} />
            <TextInput label="Bottom number (diastolic)" description="mmHg" inputMode="numeric" value={values.diastolic} onChange={(e) => set('diastolic', e.currentTarget.value)} error={errors.diastolic} />
          </Group>
        ) : (
          <Group grow align="flex-start">
            <TextInput
              label={ENTRY_KINDS.find((k) => k.value === kind)!.label}
              description={units.length === 1 ? units[0]!.label : undefined}
              inputMode="decimal"
              value={values.value}
              onChange={(e) => set('value', e.currentTarget.value)}
              error={errors.value}
            />
            {units.length > 1 && <NativeSelect label="Unit" data={units.map((u) => ({ ...u }))} value={values.unit} onChange={(e) => set('unit', e.currentTarget.value)} error={errors.unit} />}
          </Group>
        )}
        <TextInput type="datetime-local" label="When" value={values.time} max={localInputValue(new Date())} onChange={(e) => set('time', e.currentTarget.value)} error={errors.time} />
        {general && (
          <Text c="red.8" size="sm" role="alert">
            {general}
          </Text>
        )}
        {done && (
          <Stack gap={4} role={done.advice?.level === 'urgent' ? 'alert' : 'status'} align="flex-start">
            <Text size="sm" fw={600}>
              {done.message}
            </Text>
            {done.advice && (
              <>
                <AdviceBadge level={done.advice.level} />
                <Text size="sm" fw={done.advice.level === 'urgent' ? 700 : undefined}>
                  {done.advice.text}
                </Text>
                {done.advice.level === 'urgent' && (
                  <Button component="a" href={`tel:${EMERGENCY_NUMBER}`} color="red" leftSection={<IconAmbulance size={18} aria-hidden />}>
                    Call {EMERGENCY_NUMBER}
                  </Button>
                )}
              </>
            )}
          </Stack>
        )}
        <Button type="submit" loading={busy} style={{ alignSelf: 'flex-start' }}>
          Save reading
        </Button>
      </Stack>
    </form>
  );
}

import { Radio, Stack, Textarea } from '@mantine/core';
import { CALL_OUTCOMES, isCallOutcome, type CallOutcome, type VisitMode } from '@salus/core';
import { useState, type FormEvent } from 'react';
import { createResource } from '../api/fhir.js';
import { asApiError } from '../api/http.js';
import { FormFooter } from '../layout/form-footer.js';
import { visitOperation } from './visit-info.js';
import { visitNote } from './visit-note.js';

export interface NoteInput {
  text: string;
  outcome: CallOutcome | '';
}

/**
 * What must be there before a visit is finished: a phone visit's outcome, and a note of any visit
 * that took place (a call that reached nobody may go without one).
 */
export function noteProblem(input: NoteInput, mode: VisitMode): { field: keyof NoteInput; message: string } | undefined {
  if (mode === 'phone' && !input.outcome) return { field: 'outcome', message: 'Say how the call went' };
  const tookPlace = mode !== 'phone' || input.outcome === 'reached';
  if (tookPlace && !input.text.trim()) return { field: 'text', message: 'Write a note of the visit' };
  return undefined;
}

/**
 * The end of a visit for the clinician: the note (kept as a DocumentReference of the visit's
 * Encounter), for a phone visit how the call went, and Finish ($finish). A note saved before a
 * failed finish is not saved twice on the next try.
 */
export function VisitNoteForm({
  appointmentId,
  mode,
  patientId,
  encounter,
  author,
  title,
  onFinished,
}: {
  appointmentId: string;
  mode: VisitMode;
  patientId: string;
  encounter: string;
  author: string | undefined;
  title: string;
  onFinished: () => void;
}) {
  const [input, setInput] = useState<NoteInput>({ text: '', outcome: '' });
  const [error, setError] = useState<{ field?: keyof NoteInput; message: string }>();
  const [busy, setBusy] = useState(false);
  const [savedNote, setSavedNote] = useState<string>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = noteProblem(input, mode);
    if (problem) return setError(problem);
    setBusy(true);
    setError(undefined);
    try {
      const text = input.text.trim();
      if (text && savedNote !== text) {
        await createResource(visitNote(text, { patientId, encounter, author, title, now: new Date() }));
        setSavedNote(text);
      }
      await visitOperation(appointmentId, 'finish', mode === 'phone' ? input.outcome : undefined);
      onFinished();
    } catch (err) {
      setError({ message: asApiError(err).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Visit note">
      <Stack>
        {mode === 'phone' && (
          <Radio.Group
            label="How did the call go?"
            value={input.outcome}
            onChange={(v) => setInput({ ...input, outcome: isCallOutcome(v) ? v : '' })}
            error={error?.field === 'outcome' ? error.message : undefined}
          >
            <Stack gap={6} mt="xs">
              {(Object.keys(CALL_OUTCOMES) as CallOutcome[]).map((o) => (
                <Radio key={o} value={o} label={CALL_OUTCOMES[o]} />
              ))}
            </Stack>
          </Radio.Group>
        )}
        <Textarea
          label="Visit note"
          description="Kept in the patient's record with this visit; the patient can read it."
          rows={6}
          resize="vertical"
          value={input.text}
          onChange={(e) => setInput({ ...input, text: e.currentTarget.value })}
          error={error?.field === 'text' ? error.message : undefined}
        />
        <FormFooter error={error && !error.field ? error.message : undefined} busy={busy} submitLabel="Save note and finish visit" />
      </Stack>
    </form>
  );
}

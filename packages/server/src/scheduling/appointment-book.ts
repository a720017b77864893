import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { isFhirError, methodNotAllowed } from '@salus/core';
import { writeResponse, type OperationHandler } from '../fhir/interaction.js';
import { parseJson } from '../fhir/repository.js';
import { bookingRepository, claimSlot, occupySlot, paramError, reportChange, scheduleParticipants, slotFields, type SchedulingDeps } from './booking.js';
import { OperationInput } from './parameters.js';
import { parseSlotId } from './slot-id.js';

/** Appointment/$book: books a free slot from Schedule/$find for a patient. */
export const appointmentBookDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Appointment-book',
  url: 'https://salus.health/fhir/OperationDefinition/Appointment-book',
  name: 'book',
  title: 'Book a free slot',
  status: 'active',
  kind: 'operation',
  code: 'book',
  description:
    'Books a slot returned by Schedule/$find for a patient: the Appointment and the busy Slot are written in one transaction, ' +
    'serialized per schedule, so a time is booked once; a time taken meanwhile is a 409. Patients book for themselves, caregivers for their wards, clinicians for patients in their care.',
  resource: ['Appointment'],
  system: false,
  type: true,
  instance: false,
  parameter: [
    { name: 'slot', use: 'in', min: 1, max: '1', type: 'Reference', documentation: 'Slot/<id> as returned by Schedule/$find' },
    { name: 'patient', use: 'in', min: 1, max: '1', type: 'Reference', documentation: 'Patient/<id> the visit is for' },
    { name: 'reason', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Why the patient wants the visit (Appointment.reasonCode.text)' },
    { name: 'comment', use: 'in', min: 0, max: '1', type: 'string', documentation: 'A note for the clinic (Appointment.comment)' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
  ],
};

export function appointmentBook(deps: SchedulingDeps): OperationHandler {
  return async ({ repo, request }) => {
    if (request.method !== 'POST') throw methodNotAllowed('$book is invoked with POST');
    const input = OperationInput.read(request, appointmentBookDefinition);
    const baseUrl = repo.config.baseUrl;
    const slotRef = input.reference('slot', 'Slot', baseUrl)!;
    const key = parseSlotId(slotRef);
    if (!key) throw paramError(404, 'not-found', `Slot/${slotRef} is not a slot offered by Schedule/$find`, 'slot');
    const patientId = input.reference('patient', 'Patient', baseUrl)!;
    const writer = bookingRepository(repo, deps, patientId, 'c');
    // Out of the caller's reach reads as not there, as everywhere in the API.
    await repo.read('Patient', patientId).catch((e: unknown) => {
      throw isFhirError(e) && (e.status === 404 || e.status === 410) ? paramError(404, 'not-found', `Patient/${patientId} not found`, 'patient') : e;
    });
    const reason = input.get('reason')?.trim();
    const comment = input.get('comment')?.trim();
    const result = await deps.repo.db.transaction(async (tx) => {
      const slot = await claimSlot(tx, deps, key);
      await occupySlot(tx, deps, slot);
      const appointment: Appointment = {
        resourceType: 'Appointment',
        status: 'booked',
        ...slotFields(slot),
        ...(slot.schedule.specialty ? { specialty: slot.schedule.specialty } : {}),
        ...(reason ? { reasonCode: [{ text: reason }] } : {}),
        ...(comment ? { comment } : {}),
        created: deps.now().toISOString(),
        participant: [{ actor: { reference: `Patient/${patientId}` }, required: 'required', status: 'accepted' }, ...scheduleParticipants(slot.schedule, key.mode)],
      };
      const written = await writer.within(tx).create(appointment);
      await reportChange(tx, deps, { kind: 'booked', appointment: parseJson<Appointment>(written.stored.content) });
      return written;
    });
    repo.guard?.touched.add(`Appointment/${result.stored.id}`);
    return writeResponse(result, request, baseUrl);
  };
}

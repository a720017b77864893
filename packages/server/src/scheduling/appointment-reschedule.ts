import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { methodNotAllowed, unprocessable } from '@salus/core';
import { writeResponse, type OperationHandler } from '../fhir/interaction.js';
import { parseJson } from '../fhir/repository.js';
import {
  appointmentPatient,
  bookingRepository,
  claimSlot,
  isOpen,
  lockAppointment,
  occupySlot,
  paramError,
  releaseSlots,
  reportChange,
  scheduleParticipants,
  slotFields,
  type SchedulingDeps,
} from './booking.js';
import { OperationInput } from './parameters.js';
import { localReference } from './schedule-store.js';
import { parseSlotId } from './slot-id.js';

/** Appointment/[id]/$reschedule: moves a booking to another free slot. */
export const appointmentRescheduleDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Appointment-reschedule',
  url: 'https://salus.health/fhir/OperationDefinition/Appointment-reschedule',
  name: 'reschedule',
  title: 'Move an appointment to another slot',
  status: 'active',
  kind: 'operation',
  code: 'reschedule',
  description:
    'Moves an appointment that has not started to a slot from Schedule/$find, in one transaction: the new slot is taken, the old one freed, ' +
    'and the same Appointment gets the new time (and clinician, for a slot of another schedule). A time taken meanwhile is a 409.',
  resource: ['Appointment'],
  system: false,
  type: false,
  instance: true,
  parameter: [
    { name: 'slot', use: 'in', min: 1, max: '1', type: 'Reference', documentation: 'Slot/<id> as returned by Schedule/$find' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
  ],
};

/** Participants that come from the schedule (the clinician, the place); the patient and others stay. */
const fromSchedule = (ref: string | undefined): boolean => !!ref && (ref.startsWith('Practitioner/') || ref.startsWith('Location/'));

export function appointmentReschedule(deps: SchedulingDeps): OperationHandler {
  return async ({ repo, request, id }) => {
    if (request.method !== 'POST') throw methodNotAllowed('$reschedule is invoked with POST');
    const input = OperationInput.read(request, appointmentRescheduleDefinition);
    const slotRef = input.reference('slot', 'Slot', repo.config.baseUrl)!;
    const key = parseSlotId(slotRef);
    if (!key) throw paramError(404, 'not-found', `Slot/${slotRef} is not a slot offered by Schedule/$find`, 'slot');
    const patientId = await appointmentPatient(repo, id!);
    const writer = bookingRepository(repo, deps, patientId, 'u');
    const result = await deps.repo.db.transaction(async (tx) => {
      const { appointment: previous } = await lockAppointment(tx, deps, id!);
      if (!isOpen(previous) || (previous.start && Date.parse(previous.start) <= deps.now().getTime())) {
        throw unprocessable(`The appointment is ${isOpen(previous) ? 'past' : previous.status} and cannot be rescheduled`);
      }
      const held = (previous.slot ?? []).map((s) => localReference(s.reference)?.slice('Slot/'.length));
      if (held.includes(slotRef)) throw paramError(422, 'business-rule', 'The appointment is already at that time', 'slot');
      // The appointment's own time does not stand in the way of its new one.
      const slot = await claimSlot(tx, deps, key, [id!, ...held.filter((s): s is string => s !== undefined)]);
      await releaseSlots(tx, deps, previous);
      await occupySlot(tx, deps, slot);
      const moved: Appointment = {
        ...previous,
        ...slotFields(slot),
        participant: [...previous.participant.filter((p) => !fromSchedule(localReference(p.actor?.reference))), ...scheduleParticipants(slot.schedule, key.mode)],
      };
      const written = await writer.within(tx).update('Appointment', id!, moved);
      await reportChange(tx, deps, { kind: 'rescheduled', appointment: parseJson<Appointment>(written.stored.content), previous });
      return written;
    });
    return writeResponse(result, request, repo.config.baseUrl);
  };
}

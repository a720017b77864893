import type { Appointment, CodeableConcept, OperationDefinition } from '@medplum/fhirtypes';
import { methodNotAllowed, unprocessable } from '@salus/core';
import type { Principal } from '../access/principal.js';
import { writeResponse, type OperationHandler } from '../fhir/interaction.js';
import { parseJson } from '../fhir/repository.js';
import { appointmentPatient, bookingRepository, isOpen, lockAppointment, releaseSlots, reportChange, type SchedulingDeps } from './booking.js';
import { OperationInput } from './parameters.js';

/** Appointment/[id]/$cancel: cancels a booking and frees its time. */
export const appointmentCancelDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Appointment-cancel',
  url: 'https://salus.health/fhir/OperationDefinition/Appointment-cancel',
  name: 'cancel',
  title: 'Cancel an appointment',
  status: 'active',
  kind: 'operation',
  code: 'cancel',
  description: 'Cancels an appointment that has not started and frees its slot, in one transaction. Patients cancel their own and their wards’, clinicians those of patients in their care.',
  resource: ['Appointment'],
  system: false,
  type: false,
  instance: true,
  parameter: [
    { name: 'reason', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Why (Appointment.cancelationReason.text)' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
  ],
};

const CANCELLATION_REASON = 'http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason';

/** Who called it off, coded as appointment-cancellation-reason does, with the words they gave. */
function cancellationReason(principal: Principal | undefined, text: string | undefined): CodeableConcept {
  const roles = principal?.roles ?? [];
  const [code, display] = roles.includes('patient') || roles.includes('caregiver') ? ['pat', 'Patient'] : roles.includes('practitioner') ? ['prov', 'Provider'] : ['other', 'Other'];
  return { coding: [{ system: CANCELLATION_REASON, code, display }], ...(text ? { text } : {}) };
}

export function appointmentCancel(deps: SchedulingDeps): OperationHandler {
  return async ({ repo, request, id }) => {
    if (request.method !== 'POST') throw methodNotAllowed('$cancel is invoked with POST');
    const input = OperationInput.read(request, appointmentCancelDefinition);
    const patientId = await appointmentPatient(repo, id!);
    const writer = bookingRepository(repo, deps, patientId, 'u');
    const reason = input.get('reason')?.trim();
    const result = await deps.repo.db.transaction(async (tx) => {
      const { appointment: previous } = await lockAppointment(tx, deps, id!);
      if (!isOpen(previous)) throw unprocessable(`The appointment is ${previous.status} and cannot be cancelled`);
      if (previous.start && Date.parse(previous.start) <= deps.now().getTime()) {
        throw unprocessable('The visit has already started; a clinician can mark it as a no-show instead');
      }
      await releaseSlots(tx, deps, previous);
      const cancelled: Appointment = { ...previous, status: 'cancelled', cancelationReason: cancellationReason(repo.guard?.principal, reason) };
      const written = await writer.within(tx).update('Appointment', id!, cancelled);
      await reportChange(tx, deps, { kind: 'cancelled', appointment: parseJson<Appointment>(written.stored.content), previous });
      return written;
    });
    return writeResponse(result, request, repo.config.baseUrl);
  };
}

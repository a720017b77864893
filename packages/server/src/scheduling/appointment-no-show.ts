import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { methodNotAllowed, unprocessable } from '@salus/core';
import { isDenied } from '../access/policy.js';
import { writeResponse, type OperationHandler } from '../fhir/interaction.js';
import { parseJson } from '../fhir/repository.js';
import { appointmentPatient, isOpen, lockAppointment, reportChange, type SchedulingDeps } from './booking.js';
import { OperationInput } from './parameters.js';

/** Appointment/[id]/$no-show: a clinician records that the patient did not come. */
export const appointmentNoShowDefinition: OperationDefinition = {
  resourceType: 'OperationDefinition',
  id: 'Appointment-no-show',
  url: 'https://salus.health/fhir/OperationDefinition/Appointment-no-show',
  name: 'no-show',
  title: 'Record a missed appointment',
  status: 'active',
  kind: 'operation',
  code: 'no-show',
  description: 'Marks an appointment whose time has come as noshow. For clinicians caring for the patient; the slot stays taken, since the time was spent.',
  resource: ['Appointment'],
  system: false,
  type: false,
  instance: true,
  parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' }],
};

export function appointmentNoShow(deps: SchedulingDeps): OperationHandler {
  return async ({ repo, request, id }) => {
    if (request.method !== 'POST') throw methodNotAllowed('$no-show is invoked with POST');
    OperationInput.read(request, appointmentNoShowDefinition);
    await appointmentPatient(repo, id!);
    // Only those who may write appointments directly (clinicians, system clients): the guard's
    // checks on the update below then decide whether this patient is in their care.
    const guard = repo.guard;
    if (guard && isDenied(guard.decision('Appointment', 'u'))) {
      throw guard.refuse({ type: 'Appointment', interaction: 'u', reason: 'only clinicians record a missed appointment', target: `Appointment/${id}` });
    }
    const result = await deps.repo.db.transaction(async (tx) => {
      const { appointment: previous } = await lockAppointment(tx, deps, id!);
      if (!isOpen(previous)) throw unprocessable(`The appointment is ${previous.status}, not one the patient could still come to`);
      if (!previous.start || Date.parse(previous.start) > deps.now().getTime()) throw unprocessable('The visit has not started yet');
      const missed: Appointment = { ...previous, status: 'noshow' };
      const written = await repo.within(tx).update('Appointment', id!, missed);
      await reportChange(tx, deps, { kind: 'no-show', appointment: parseJson<Appointment>(written.stored.content), previous });
      return written;
    });
    return writeResponse(result, request, repo.config.baseUrl);
  };
}

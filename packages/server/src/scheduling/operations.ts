import type { FhirOperation } from '../fhir/service.js';
import { appointmentBook, appointmentBookDefinition } from './appointment-book.js';
import { appointmentCancel, appointmentCancelDefinition } from './appointment-cancel.js';
import { appointmentNoShow, appointmentNoShowDefinition } from './appointment-no-show.js';
import { appointmentReschedule, appointmentRescheduleDefinition } from './appointment-reschedule.js';
import type { SchedulingDeps } from './booking.js';
import { scheduleFind, scheduleFindDefinition } from './schedule-find.js';

/** The scheduling operations of the FHIR API: free times, and bookings made, moved and ended. */
export function schedulingOperations(deps: SchedulingDeps): FhirOperation[] {
  return [
    { key: 'Schedule/$find', handler: scheduleFind(deps), definition: scheduleFindDefinition },
    { key: 'Appointment/$book', handler: appointmentBook(deps), definition: appointmentBookDefinition },
    { key: 'Appointment/:id/$cancel', handler: appointmentCancel(deps), definition: appointmentCancelDefinition },
    { key: 'Appointment/:id/$reschedule', handler: appointmentReschedule(deps), definition: appointmentRescheduleDefinition },
    { key: 'Appointment/:id/$no-show', handler: appointmentNoShow(deps), definition: appointmentNoShowDefinition },
  ];
}

import type { Appointment } from '@medplum/fhirtypes';
import type { Queryable } from '../db/db.js';

/** One change to a booking, reported inside the transaction that made it. */
export interface AppointmentChange {
  kind: 'booked' | 'cancelled' | 'rescheduled' | 'no-show';
  /** The Appointment as stored after the change. */
  appointment: Appointment;
  /** The Appointment before the change (cancel, reschedule, no-show). */
  previous?: Appointment;
}

/**
 * Called inside the booking transaction, so whatever it writes (reminder jobs, notifications)
 * commits or rolls back together with the Appointment and its Slot.
 */
export type AppointmentChangeHook = (tx: Queryable, change: AppointmentChange) => Promise<void>;

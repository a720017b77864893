import type { Schedule } from '@medplum/fhirtypes';
import { withAvailability, type Availability, type VisitType, type WeeklyHours } from '@salus/core';
import { STAFF, type StaffKey } from './demo-directory.js';
import { ref, type DemoClock, type ResourceSet } from './demo-support.js';

/**
 * The clinicians' opening hours, so the demo offers bookable times from the first start: weekday
 * hours on Oregon time, each clinician with the kinds of visit their work suits.
 */

const ZONE = 'America/Los_Angeles';
const WEEKDAYS: WeeklyHours['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];

interface ScheduleSpec {
  weekly: WeeklyHours[];
  visitTypes: VisitType[];
  comment: string;
  /** A day off, days from today (a conference, training), so time off shows too. */
  dayOff?: { in: number; reason: string };
}

const SCHEDULES: Partial<Record<StaffKey, ScheduleSpec>> = {
  okafor: {
    weekly: [
      { days: WEEKDAYS, start: '08:30', end: '12:00' },
      { days: ['mon', 'tue', 'thu'], start: '13:00', end: '17:00' },
    ],
    visitTypes: [
      { mode: 'in-person', minutes: 20, bufferMinutes: 10 },
      { mode: 'video', minutes: 15, bufferMinutes: 5 },
      { mode: 'phone', minutes: 10, bufferMinutes: 5 },
    ],
    comment: 'Family medicine appointments at the Alder Street clinic, by video or by phone.',
    dayOff: { in: 9, reason: 'Continuing medical education' },
  },
  mensah: {
    weekly: [{ days: WEEKDAYS, start: '08:00', end: '12:30' }],
    visitTypes: [
      { mode: 'in-person', minutes: 15, bufferMinutes: 5 },
      { mode: 'phone', minutes: 10, bufferMinutes: 5 },
      { mode: 'video', minutes: 15, bufferMinutes: 5 },
    ],
    comment: 'Nurse appointments: blood pressure checks, vaccines, dressings; advice by phone or video.',
  },
  castillo: {
    weekly: [
      { days: ['mon', 'tue', 'wed', 'thu'], start: '10:00', end: '18:00' },
      { days: ['fri'], start: '09:00', end: '13:00' },
    ],
    visitTypes: [
      { mode: 'video', minutes: 50, bufferMinutes: 10 },
      { mode: 'phone', minutes: 25, bufferMinutes: 5 },
      { mode: 'in-person', minutes: 50, bufferMinutes: 10 },
    ],
    comment: 'Psychiatry consultations, mostly by video.',
  },
  lindqvist: {
    weekly: [{ days: ['mon', 'wed', 'thu'], start: '08:00', end: '16:00' }],
    visitTypes: [
      { mode: 'in-person', minutes: 30, bufferMinutes: 10 },
      { mode: 'video', minutes: 20, bufferMinutes: 10 },
      { mode: 'phone', minutes: 15, bufferMinutes: 5 },
    ],
    comment: 'Cardiology outpatient clinic at Harbor View Hospital, and follow-ups by video.',
    dayOff: { in: 4, reason: 'Cardiology conference' },
  },
  raman: {
    weekly: [{ days: ['tue', 'thu', 'fri'], start: '09:00', end: '16:30' }],
    visitTypes: [
      { mode: 'in-person', minutes: 30, bufferMinutes: 10 },
      { mode: 'video', minutes: 20, bufferMinutes: 10 },
      { mode: 'phone', minutes: 15, bufferMinutes: 5 },
    ],
    comment: 'Endocrinology outpatient clinic at Harbor View Hospital, by video or by phone.',
  },
};

export function addSchedules(set: ResourceSet, clock: DemoClock): void {
  const today = new Date(clock.at(0, '00:00'));
  for (const [key, spec] of Object.entries(SCHEDULES) as [StaffKey, ScheduleSpec][]) {
    const member = STAFF[key];
    const location = member.role.location?.[0];
    const availability: Availability = {
      timeZone: ZONE,
      weekly: spec.weekly,
      exceptions: spec.dayOff ? [{ start: clock.date(spec.dayOff.in), end: clock.date(spec.dayOff.in), reason: spec.dayOff.reason }] : [],
      visitTypes: spec.visitTypes,
      minNoticeHours: 2,
      horizonDays: 60,
    };
    const schedule: Schedule = {
      resourceType: 'Schedule',
      id: `demo-schedule-${member.practitioner.id!.replace(/^demo-/, '')}`,
      active: true,
      ...(member.role.specialty ? { specialty: member.role.specialty } : {}),
      actor: [ref(member.practitioner, member.display), ...(location ? [location] : [])],
      comment: spec.comment,
    };
    set.add(withAvailability(schedule, availability, today));
  }
}

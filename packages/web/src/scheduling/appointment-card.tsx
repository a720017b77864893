import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import type { Appointment, Location, Patient, Practitioner } from '@medplum/fhirtypes';
import { VISIT_MODES, visitModeOf } from '@salus/core';
import { IconBuildingHospital, IconPhone, IconVideo } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { formatDateTime, formatName, formatTime, relativeDay } from '../lib/format.js';
import { participant } from './booking-api.js';

const MODE_ICON = { video: IconVideo, phone: IconPhone, 'in-person': IconBuildingHospital } as const;

/** What an appointment's status means to the person it is for. */
export const STATUS_LABEL: Record<Appointment['status'], { label: string; color: string }> = {
  proposed: { label: 'Proposed', color: 'gray' },
  pending: { label: 'Pending', color: 'gray' },
  booked: { label: 'Booked', color: 'salus' },
  arrived: { label: 'Checked in', color: 'teal' },
  fulfilled: { label: 'Attended', color: 'green' },
  cancelled: { label: 'Cancelled', color: 'red' },
  noshow: { label: 'Missed', color: 'orange' },
  'entered-in-error': { label: 'Entered in error', color: 'gray' },
  'checked-in': { label: 'Checked in', color: 'teal' },
  waitlist: { label: 'Waiting list', color: 'gray' },
};

/** The name of a participant of one type, from the resources a search brought along. */
export function participantName(appointment: Appointment, type: 'Patient' | 'Practitioner' | 'Location', named: Map<string, Practitioner | Patient | Location>): string | undefined {
  const ref = participant(appointment, type);
  if (!ref) return undefined;
  const r = named.get(ref);
  const display = appointment.participant?.find((p) => p.actor?.reference === ref)?.actor?.display;
  if (!r) return display;
  return r.resourceType === 'Location' ? (r.name ?? display) : formatName(r.name) || display;
}

/**
 * One appointment: when (with "today"/"tomorrow"), how (video, phone, in person), with whom and
 * where, its status in words, and whatever can be done about it.
 */
export function AppointmentCard({
  appointment,
  named,
  timeZone,
  now = new Date(),
  who,
  actions,
}: {
  appointment: Appointment;
  named: Map<string, Practitioner | Patient | Location>;
  timeZone?: string | undefined;
  now?: Date;
  /** Whose name to show: the clinician's (the patient's view) or the patient's (the clinician's). */
  who: 'Practitioner' | 'Patient';
  actions?: ReactNode;
}) {
  const mode = visitModeOf(appointment);
  const Icon = MODE_ICON[mode];
  const status = STATUS_LABEL[appointment.status];
  const near = relativeDay(appointment.start, now, { timeZone });
  const place = mode === 'in-person' ? participantName(appointment, 'Location', named) : undefined;
  const name = participantName(appointment, who, named);
  return (
    <Paper withBorder p="md" radius="md" component="article" aria-label={`${VISIT_MODES[mode].label} visit ${formatDateTime(appointment.start, { timeZone })}`}>
      <Group justify="space-between" align="flex-start" gap="sm">
        <Group gap="sm" align="flex-start" wrap="nowrap">
          <Icon size={22} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
          <Stack gap={2}>
            <Text fw={600}>
              {near ? `${near[0]!.toUpperCase()}${near.slice(1)}, ${formatTime(appointment.start, { timeZone })}` : formatDateTime(appointment.start, { timeZone })}
              {appointment.end && `–${formatTime(appointment.end, { timeZone })}`}
            </Text>
            <Text size="sm">
              {VISIT_MODES[mode].label} visit{name ? ` · ${name}` : ''}
              {place ? ` · ${place}` : ''}
            </Text>
            {appointment.description && (
              <Text size="sm" c="dimmed">
                {appointment.description}
              </Text>
            )}
            {appointment.status === 'cancelled' && appointment.cancelationReason?.text && (
              <Text size="sm" c="dimmed">
                Reason: {appointment.cancelationReason.text}
              </Text>
            )}
          </Stack>
        </Group>
        <Badge color={status.color} variant="light">
          {status.label}
        </Badge>
      </Group>
      {actions && (
        <Group gap="xs" mt="sm" justify="flex-end">
          {actions}
        </Group>
      )}
    </Paper>
  );
}

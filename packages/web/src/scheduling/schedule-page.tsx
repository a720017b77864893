import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { Appointment, Patient } from '@medplum/fhirtypes';
import { visitModeOf } from '@salus/core';
import { IconChevronLeft, IconChevronRight, IconSettings } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { AsyncView, EmptyState, useAsync } from '../layout/async.js';
import { ConfirmDialog } from '../layout/confirm-dialog.js';
import { formatDateTime } from '../lib/format.js';
import { useMe } from '../session/session.js';
import { AppointmentCard } from './appointment-card.js';
import { cancelAppointment, listAppointments, markNoShow, participant } from './booking-api.js';
import { addDays, dayLabel, today } from './slots.js';

/** Midnight starting a calendar day where the browser is, as an instant. */
export function localMidnight(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toISOString();
}

/** The phone number to call for a phone visit: the patient's mobile first, then any phone. */
export function phoneOf(patient: Patient | undefined): string | undefined {
  const phones = (patient?.telecom ?? []).filter((t) => t.system === 'phone' && t.value && !t.period?.end);
  return (phones.find((t) => t.use === 'mobile') ?? phones[0])?.value;
}

/**
 * The clinician's day: every visit booked with them, in order, with the patient's chart a click
 * away and, for phone visits, the number to call. A visit nobody came to can be marked missed.
 */
export function SchedulePage() {
  const me = useMe();
  const practitioner = me.account.fhirUser;
  // The day is in the address, so a day can be linked to and survives a reload.
  const [params, setParams] = useSearchParams();
  const asked = params.get('day');
  const day = asked && /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : today();
  const setDay = (d: string) => setParams(d === today() ? {} : { day: d }, { replace: true });
  const [confirm, setConfirm] = useState<{ kind: 'cancel' | 'noshow'; appointment: Appointment }>();
  const list = useAsync(
    (signal) =>
      practitioner
        ? listAppointments([['practitioner', practitioner], ['date', `ge${localMidnight(day)}`], ['date', `lt${localMidnight(addDays(day, 1))}`]], signal)
        : Promise.resolve({ appointments: [], named: new Map() }),
    [practitioner, day],
  );
  const now = new Date();
  const isToday = day === today();
  return (
    <Stack gap="md" maw={900}>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Schedule
          </Title>
          <Text c="dimmed" size="sm">
            Your visits, day by day.
          </Text>
        </div>
        <Button component={Link} to="/clinician/availability" variant="light" leftSection={<IconSettings size={16} aria-hidden />}>
          Opening hours
        </Button>
      </Group>
      <Group justify="space-between" wrap="nowrap">
        <Button variant="subtle" leftSection={<IconChevronLeft size={16} aria-hidden />} onClick={() => setDay(addDays(day, -1))}>
          Previous day
        </Button>
        <Group gap="xs">
          <Text fw={600} aria-live="polite">
            {isToday ? `Today, ${dayLabel(day)}` : dayLabel(day)}
          </Text>
          {!isToday && (
            <Button size="compact-sm" variant="default" onClick={() => setDay(today())}>
              Today
            </Button>
          )}
        </Group>
        <Button variant="subtle" rightSection={<IconChevronRight size={16} aria-hidden />} onClick={() => setDay(addDays(day, 1))}>
          Next day
        </Button>
      </Group>
      <AsyncView async={list} loadingLabel="Loading the day…">
        {(l) => (
          <Stack gap="sm">
            {l.appointments.length === 0 && <EmptyState>No visits on this day.</EmptyState>}
            {l.appointments.map((a) => {
              const patientRef = participant(a, 'Patient');
              const patient = patientRef ? (l.named.get(patientRef) as Patient | undefined) : undefined;
              const mode = visitModeOf(a);
              const phone = mode === 'phone' ? phoneOf(patient) : undefined;
              const started = a.start ? Date.parse(a.start) <= now.getTime() : false;
              return (
                <AppointmentCard
                  key={a.id}
                  appointment={a}
                  named={l.named}
                  who="Patient"
                  now={now}
                  actions={
                    <>
                      {phone && (
                        <Anchor href={`tel:${phone.replace(/[^\d+]/g, '')}`} size="sm" fw={600} mr="auto">
                          Call {phone}
                        </Anchor>
                      )}
                      {patientRef && (
                        <Button component={Link} to={`/clinician/patients/${encodeURIComponent(patientRef.split('/')[1]!)}`} variant="default" size="sm">
                          Open chart
                        </Button>
                      )}
                      {a.status === 'booked' && started && (
                        <Button variant="default" size="sm" onClick={() => setConfirm({ kind: 'noshow', appointment: a })}>
                          Mark missed
                        </Button>
                      )}
                      {a.status === 'booked' && !started && (
                        <Button variant="subtle" color="red" size="sm" onClick={() => setConfirm({ kind: 'cancel', appointment: a })}>
                          Cancel
                        </Button>
                      )}
                    </>
                  }
                />
              );
            })}
          </Stack>
        )}
      </AsyncView>
      <ConfirmDialog
        opened={!!confirm}
        title={confirm?.kind === 'noshow' ? 'Mark this visit as missed?' : 'Cancel this visit?'}
        confirmLabel={confirm?.kind === 'noshow' ? 'Mark missed' : 'Cancel visit'}
        color={confirm?.kind === 'noshow' ? 'orange' : 'red'}
        onClose={() => setConfirm(undefined)}
        onConfirm={async () => {
          const a = confirm!.appointment;
          if (confirm!.kind === 'noshow') await markNoShow(a.id!);
          else await cancelAppointment(a.id!, 'Cancelled by the clinic');
          notifications.show({ color: 'salus', title: confirm!.kind === 'noshow' ? 'Marked as missed' : 'Visit cancelled', message: formatDateTime(a.start) });
          list.reload();
        }}
      >
        <Text size="sm">
          {confirm?.kind === 'noshow' ? 'The patient did not attend. This is kept in their record.' : 'The patient is told by email and notification, and the time becomes free.'}
        </Text>
      </ConfirmDialog>
    </Stack>
  );
}

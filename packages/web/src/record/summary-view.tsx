import { Badge, Box, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { AllergyIntolerance, Appointment, Condition, Encounter, MedicationRequest, MedicationStatement } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { formatConcept, formatDate, formatDateTime, relativeDay } from '../lib/format.js';
import { codeOf, ItemList, Meta, SectionCard } from './record-parts.js';
import { medicationName, type PatientRecord } from './use-patient-record.js';
import { encounterKind } from './encounters.js';
import { splitAppointments } from '../scheduling/appointments.js';

/**
 * The record at a glance: problems, medicines, allergies, vaccinations and visits. Each card
 * lists what is current first; what is over stays one click away so the card stays short.
 */

const ACTIVE_PROBLEM = new Set(['active', 'recurrence', 'relapse']);
const DISCOUNTED = new Set(['refuted', 'entered-in-error']);
const ACTIVE_PRESCRIPTION = new Set(['active', 'on-hold']);
const ACTIVE_STATEMENT = new Set(['active', 'intended']);

const isActiveProblem = (c: Condition): boolean => !c.clinicalStatus || ACTIVE_PROBLEM.has(codeOf(c.clinicalStatus) ?? '');
const isCurrentAllergy = (a: AllergyIntolerance): boolean => codeOf(a.clinicalStatus) !== 'inactive' && codeOf(a.clinicalStatus) !== 'resolved';
const isDiscounted = (r: Condition | AllergyIntolerance): boolean => DISCOUNTED.has(codeOf(r.verificationStatus) ?? '');

/** Past details behind a disclosure: the card shows what is current. */
function Past({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box component="details" mt="sm">
      <Text component="summary" size="sm" c="salus.8" style={{ cursor: 'pointer' }}>
        {label}
      </Text>
      <Box mt="xs">{children}</Box>
    </Box>
  );
}

function ProblemItem({ condition }: { condition: Condition }) {
  const active = isActiveProblem(condition);
  const onset = condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.onsetString;
  const ended = condition.abatementDateTime ?? condition.abatementPeriod?.end ?? condition.abatementString;
  return (
    <li>
      <Group gap="xs" wrap="nowrap" justify="space-between" align="flex-start">
        <Text fw={500}>{formatConcept(condition.code) || 'Unnamed problem'}</Text>
        {!active && (
          <Badge color="gray" variant="light" style={{ flexShrink: 0 }}>
            {codeOf(condition.clinicalStatus) === 'remission' ? 'In remission' : 'Resolved'}
          </Badge>
        )}
      </Group>
      <Meta parts={[onset && `Since ${formatDate(onset)}`, ended && `ended ${formatDate(ended)}`, codeOf(condition.verificationStatus) === 'provisional' && 'not yet confirmed']} />
    </li>
  );
}

function ProblemsCard({ record }: { record: PatientRecord }) {
  const all = record.conditions.filter((c) => !isDiscounted(c));
  const active = all.filter(isActiveProblem);
  const past = all.filter((c) => !isActiveProblem(c));
  return (
    <SectionCard title="Problems" count={active.length}>
      {active.length === 0 && <Text c="dimmed" size="sm">No current problems are recorded.</Text>}
      <ItemList>
        {active.map((c) => (
          <ProblemItem key={c.id} condition={c} />
        ))}
      </ItemList>
      {past.length > 0 && (
        <Past label={`Past problems (${past.length})`}>
          <ItemList>
            {past.map((c) => (
              <ProblemItem key={c.id} condition={c} />
            ))}
          </ItemList>
        </Past>
      )}
    </SectionCard>
  );
}

function MedicineItem({ record, medicine }: { record: PatientRecord; medicine: MedicationRequest | MedicationStatement }) {
  const instructions =
    medicine.resourceType === 'MedicationRequest'
      ? medicine.dosageInstruction?.map((d) => d.text ?? d.patientInstruction).filter(Boolean).join(' ')
      : medicine.dosage?.map((d) => d.text ?? d.patientInstruction).filter(Boolean).join(' ');
  const by = medicine.resourceType === 'MedicationRequest' ? record.nameOf(medicine.requester) : record.nameOf(medicine.informationSource);
  const since = medicine.resourceType === 'MedicationRequest' ? medicine.authoredOn : (medicine.effectiveDateTime ?? medicine.effectivePeriod?.start);
  const verb = medicine.resourceType === 'MedicationRequest' ? 'Prescribed' : 'Reported';
  return (
    <li>
      <Text fw={500}>{medicationName(record, medicine) || 'Unnamed medicine'}</Text>
      {instructions && <Text size="sm">{instructions}</Text>}
      <Meta parts={[since && `${verb} ${formatDate(since)}`, by && `by ${by}`, medicine.status === 'on-hold' && 'on hold', medicine.status === 'stopped' && 'stopped', medicine.status === 'completed' && 'finished']} />
    </li>
  );
}

function MedicinesCard({ record }: { record: PatientRecord }) {
  const current = [
    ...record.medicationRequests.filter((m) => ACTIVE_PRESCRIPTION.has(m.status)),
    ...record.medicationStatements.filter((m) => ACTIVE_STATEMENT.has(m.status)),
  ];
  const past = [
    ...record.medicationRequests.filter((m) => !ACTIVE_PRESCRIPTION.has(m.status) && m.status !== 'entered-in-error' && m.status !== 'draft'),
    ...record.medicationStatements.filter((m) => !ACTIVE_STATEMENT.has(m.status) && m.status !== 'entered-in-error'),
  ];
  return (
    <SectionCard title="Medicines" count={current.length}>
      {current.length === 0 && <Text c="dimmed" size="sm">No current medicines are recorded.</Text>}
      <ItemList>
        {current.map((m) => (
          <MedicineItem key={`${m.resourceType}/${m.id}`} record={record} medicine={m} />
        ))}
      </ItemList>
      {past.length > 0 && (
        <Past label={`Past medicines (${past.length})`}>
          <ItemList>
            {past.map((m) => (
              <MedicineItem key={`${m.resourceType}/${m.id}`} record={record} medicine={m} />
            ))}
          </ItemList>
        </Past>
      )}
    </SectionCard>
  );
}

const CRITICALITY: Record<string, { label: string; color: string }> = {
  high: { label: 'High risk', color: 'red' },
  low: { label: 'Low risk', color: 'gray' },
  'unable-to-assess': { label: 'Risk not known', color: 'gray' },
};

function AllergiesCard({ record }: { record: PatientRecord }) {
  const current = record.allergies.filter((a) => isCurrentAllergy(a) && !isDiscounted(a));
  return (
    <SectionCard title="Allergies and intolerances" count={current.length}>
      {current.length === 0 && <Text c="dimmed" size="sm">No allergies or intolerances are recorded.</Text>}
      <ItemList>
        {current.map((a) => {
          const risk = a.criticality ? CRITICALITY[a.criticality] : undefined;
          const reactions = (a.reaction ?? []).map((r) => {
            const what = r.manifestation.map(formatConcept).filter(Boolean).join(', ');
            return r.severity ? `${what} (${r.severity})` : what;
          });
          return (
            <li key={a.id}>
              <Group gap="xs" wrap="nowrap" justify="space-between" align="flex-start">
                <Text fw={500}>{formatConcept(a.code) || 'Unnamed allergy'}</Text>
                {risk && (
                  <Badge color={risk.color} variant={a.criticality === 'high' ? 'filled' : 'light'} style={{ flexShrink: 0 }}>
                    {risk.label}
                  </Badge>
                )}
              </Group>
              {reactions.length > 0 && <Text size="sm">Reaction: {reactions.join('; ')}</Text>}
              <Meta parts={[a.type === 'intolerance' ? 'Intolerance' : a.type === 'allergy' ? 'Allergy' : undefined, a.category?.join(', '), ...(a.note ?? []).map((n) => n.text)]} />
            </li>
          );
        })}
      </ItemList>
    </SectionCard>
  );
}

function ImmunizationsCard({ record }: { record: PatientRecord }) {
  const given = record.immunizations.filter((i) => i.status === 'completed');
  return (
    <SectionCard title="Vaccinations" count={given.length}>
      {given.length === 0 && <Text c="dimmed" size="sm">No vaccinations are recorded.</Text>}
      <ItemList gap="xs">
        {given.map((i) => (
          <li key={i.id}>
            <Group justify="space-between" gap="xs" wrap="nowrap" align="baseline">
              <Text>{formatConcept(i.vaccineCode) || 'Vaccine'}</Text>
              <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {formatDate(i.occurrenceDateTime ?? i.occurrenceString)}
              </Text>
            </Group>
          </li>
        ))}
      </ItemList>
    </SectionCard>
  );
}

function appointmentWho(record: PatientRecord, a: Appointment): { clinicians: string; place: string } {
  const names = (type: string) =>
    a.participant
      .filter((p) => p.actor?.reference?.startsWith(`${type}/`))
      .map((p) => record.nameOf(p.actor))
      .filter(Boolean)
      .join(', ');
  return { clinicians: names('Practitioner') || names('PractitionerRole'), place: names('Location') };
}

function VisitsCard({ record, now }: { record: PatientRecord; now: Date }) {
  const { upcoming } = splitAppointments(record.appointments, now);
  const recent = record.encounters.filter((e: Encounter) => e.status !== 'cancelled' && e.status !== 'entered-in-error' && e.status !== 'planned').slice(0, 3);
  return (
    <SectionCard title="Visits">
      <Stack gap="md">
        <div>
          <Text fw={600} size="sm" mb={4}>
            Coming up
          </Text>
          {upcoming.length === 0 && <Text c="dimmed" size="sm">No visits are booked.</Text>}
          <ItemList>
            {upcoming.map((a) => {
              const { clinicians, place } = appointmentWho(record, a);
              const soon = relativeDay(a.start, now);
              const service = a.serviceType?.map(formatConcept).find(Boolean);
              const title = a.description || service || formatConcept(a.appointmentType) || 'Appointment';
              return (
                <li key={a.id}>
                  <Text fw={500}>
                    {soon ? `${soon[0]!.toUpperCase()}${soon.slice(1)}, ` : ''}
                    {formatDateTime(a.start)}
                  </Text>
                  <Text size="sm">{title}</Text>
                  <Meta parts={[service !== title && service, clinicians && `with ${clinicians}`, place, (a.status === 'proposed' || a.status === 'pending') && 'not yet confirmed']} />
                  {a.patientInstruction && <Text size="sm">{a.patientInstruction}</Text>}
                </li>
              );
            })}
          </ItemList>
        </div>
        <div>
          <Text fw={600} size="sm" mb={4}>
            Recent visits
          </Text>
          {recent.length === 0 && <Text c="dimmed" size="sm">No past visits are recorded.</Text>}
          <ItemList gap="xs">
            {recent.map((e) => (
              <li key={e.id}>
                <Text>{e.type?.map(formatConcept).find(Boolean) || encounterKind(e) || 'Visit'}</Text>
                <Meta parts={[formatDate(e.period?.start), encounterKind(e), e.participant?.map((p) => record.nameOf(p.individual)).filter(Boolean).join(', ')]} />
              </li>
            ))}
          </ItemList>
        </div>
      </Stack>
    </SectionCard>
  );
}

/** The summary of a patient's record. `now` decides which visits are still to come (tests fix it). */
export function SummaryView({ record, now = new Date() }: { record: PatientRecord; now?: Date }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <ProblemsCard record={record} />
      <MedicinesCard record={record} />
      <AllergiesCard record={record} />
      <VisitsCard record={record} now={now} />
      <ImmunizationsCard record={record} />
    </SimpleGrid>
  );
}

import { Anchor, Badge, Table, Text } from '@mantine/core';
import type { Patient } from '@medplum/fhirtypes';
import { Link } from 'react-router';
import { EmptyState } from '../layout/async.js';
import { formatAge, formatDate, formatName } from '../lib/format.js';

/** Patients as a table (name, birth date and age, sex, record number), each opening the chart. */

/** The record number people quote: the first identifier typed MR, else the first one. */
export function recordNumber(p: Patient): string | undefined {
  const id = p.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'MR')) ?? p.identifier?.[0];
  return id?.value;
}

export function PatientList({ patients, empty, why }: { patients: Patient[]; empty: string; why?: (p: Patient) => string | undefined }) {
  if (patients.length === 0) return <EmptyState>{empty}</EmptyState>;
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Born</Table.Th>
            <Table.Th scope="col">Sex</Table.Th>
            <Table.Th scope="col">Record number</Table.Th>
            {why && <Table.Th scope="col">Why listed</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {patients.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>
                <Anchor component={Link} to={`/clinician/patients/${p.id}`} fw={500}>
                  {formatName(p.name) || 'Unnamed patient'}
                </Anchor>
                {p.deceasedBoolean || p.deceasedDateTime ? (
                  <Badge ml="xs" color="gray" size="xs">
                    Deceased
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                {p.birthDate ? (
                  <>
                    {formatDate(p.birthDate)}{' '}
                    <Text span c="dimmed" size="sm">
                      ({formatAge(p.birthDate)})
                    </Text>
                  </>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>{p.gender ?? '—'}</Table.Td>
              <Table.Td>{recordNumber(p) ?? '—'}</Table.Td>
              {why && <Table.Td>{why(p) ?? ''}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

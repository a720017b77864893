import { Card, Group, Stack, Text, Title } from '@mantine/core';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { useId, type ReactNode } from 'react';

/** Pieces the record views share: a titled card, a plain list, a code's value. */

/** A card that is a section of its page, named by its heading. */
export function SectionCard({ title, count, action, children }: { title: string; count?: number; action?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="sm" wrap="nowrap" align="baseline">
        <Title order={2} size="h4" id={id}>
          {title}
          {count !== undefined && (
            <Text span c="dimmed" fw={400} size="sm" ml={6}>
              ({count})
            </Text>
          )}
        </Title>
        {action}
      </Group>
      {children}
    </Card>
  );
}

/** A list without bullets: each item is a block of its own. */
export function ItemList({ children, gap = 'sm' }: { children: ReactNode; gap?: string }) {
  return (
    <Stack component="ul" gap={gap} m={0} p={0} style={{ listStyle: 'none' }}>
      {children}
    </Stack>
  );
}

/** The first code of a coded status (clinicalStatus, verificationStatus...). */
export const codeOf = (concept: CodeableConcept | undefined): string | undefined => concept?.coding?.find((c) => c.code)?.code;

/** A secondary line under an item's name: the parts that are known, joined by a middle dot. */
export function Meta({ parts }: { parts: (string | false | undefined | null)[] }) {
  const shown = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  if (shown.length === 0) return null;
  return (
    <Text size="sm" c="dimmed">
      {shown.join(' · ')}
    </Text>
  );
}

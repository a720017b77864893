import { Button, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconAmbulance, IconLifebuoy, IconMessage, IconPhone } from '@tabler/icons-react';
import { useEffect, useId, useRef } from 'react';
import type { Concern } from './check-ins.js';

// The outline takes the darkest red: Mantine's middle shade is too faint as text on the pale panel.
const FILLED = { color: 'red', variant: 'filled' } as const;
const OUTLINE = { color: 'red.9', variant: 'outline' } as const;

/**
 * Help now, shown the moment a check-in raises a concern, before anything else on the page. The
 * numbers are the United States' (the demo clinic is in Oregon): 988, the Suicide & Crisis
 * Lifeline, by call or text; 911 for an emergency. Red-flag symptoms (chest pain, breathlessness,
 * stroke signs) put 911 first; otherwise 988 leads.
 */
export function CrisisSupport({ concerns, careTeamTold }: { concerns: readonly Concern[]; careTeamTold: boolean }) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const emergency = concerns.some((c) => c.kind === 'red-flag');
  // Moved to at once, so a screen reader and a phone's viewport both start here.
  useEffect(() => ref.current?.focus(), []);
  const call911 = (
    <Button key="911" component="a" href="tel:911" size="lg" {...(emergency ? FILLED : OUTLINE)} leftSection={<IconAmbulance size={20} aria-hidden />}>
      Call 911
    </Button>
  );
  const lifeline = [
    <Button key="call" component="a" href="tel:988" size="lg" {...(emergency ? OUTLINE : FILLED)} leftSection={<IconPhone size={20} aria-hidden />}>
      Call 988
    </Button>,
    <Button key="text" component="a" href="sms:988" size="lg" {...OUTLINE} leftSection={<IconMessage size={20} aria-hidden />}>
      Text 988
    </Button>,
  ];
  return (
    <Paper ref={ref} tabIndex={-1} role="alert" aria-labelledby={titleId} p="lg" radius="md" bg="red.0" style={{ border: '2px solid var(--mantine-color-red-7)', outline: 'none' }}>
      <Stack gap="sm">
        <Title order={2} size="h3" id={titleId} c="red.9" style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <IconLifebuoy size={26} aria-hidden />
          {emergency ? 'Get help now' : 'Help is here, right now'}
        </Title>
        {emergency && (
          <Text fw={600}>Chest pain, struggling to breathe, or sudden weakness, numbness or trouble speaking can be an emergency. Call 911 now; do not wait for your care team.</Text>
        )}
        <Text>
          If you are thinking about hurting yourself or feel you might not stay safe, talk to someone now. The <strong>988 Suicide &amp; Crisis Lifeline</strong> is free, confidential and open 24
          hours a day: call or text 988.
        </Text>
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
          {emergency ? [call911, ...lifeline] : [...lifeline, call911]}
        </SimpleGrid>
        <Text size="sm">If you or someone else is in danger right now, call 911.</Text>
        {careTeamTold && <Text size="sm">Your care team has been told about your answers and will contact you soon.</Text>}
      </Stack>
    </Paper>
  );
}

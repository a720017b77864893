import { Box, Container, Group, Paper, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The frame of the screens before sign-in: the name, a title, one card. */
export function PublicFrame({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <Box component="main" id="main" bg="gray.0" mih="100vh" py={{ base: 'md', sm: 48 }}>
      <Container size={aside ? 960 : 460} px="sm">
        <Group gap={8} mb="md" justify="center">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <Text fw={700} fz={28} c="salus.8">
            Salus
          </Text>
        </Group>
        <Group align="flex-start" gap="lg" wrap="wrap" justify="center">
          <Paper withBorder shadow="sm" p={{ base: 'md', sm: 'xl' }} radius="md" w={{ base: '100%', sm: 420 }}>
            <Title order={1} size="h3" mb="md">
              {title}
            </Title>
            {children}
          </Paper>
          {aside}
        </Group>
      </Container>
    </Box>
  );
}

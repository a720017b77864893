import { Box, Group, Title, type MantineSize, type TitleOrder } from '@mantine/core';
import { useId, type ReactNode } from 'react';

/**
 * A titled part of a page: a `<section>` named by its heading, so screen readers list it among
 * the page's regions. `aside` sits at the heading's end (a count, a live badge).
 */
export function Section({
  title,
  children,
  aside,
  order = 2,
  size = 'h4',
  gap = 'xs',
  maw,
}: {
  title: string;
  children: ReactNode;
  aside?: ReactNode;
  order?: TitleOrder;
  size?: 'h3' | 'h4' | 'h5';
  gap?: MantineSize | number;
  maw?: number;
}) {
  const id = useId();
  const heading = (
    <Title order={order} size={size} id={id} {...(aside ? {} : { mb: gap })}>
      {title}
    </Title>
  );
  return (
    <Box component="section" aria-labelledby={id} {...(maw ? { maw } : {})}>
      {aside ? (
        <Group justify="space-between" align="baseline" mb={gap}>
          {heading}
          {aside}
        </Group>
      ) : (
        heading
      )}
      {children}
    </Box>
  );
}

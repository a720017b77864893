import { Box, Paper, SimpleGrid, Stack, Table, Text, useMantineTheme } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { EmptyState } from './async.js';

/**
 * Rows of records: a table where the page is wide enough, and on a phone one card per row with
 * each value under its column's name, so that nothing scrolls sideways. The first column is the
 * card's title.
 */

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
}

export interface DataTableProps<T> {
  /** Names the table (or list) for assistive technology. */
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Rows to draw attention to get this background colour (their cells must say why in words too). */
  highlight?: (row: T) => string | undefined;
  empty: ReactNode;
}

export function DataTable<T>({ label, columns, rows, rowKey, highlight, empty }: DataTableProps<T>) {
  const theme = useMantineTheme();
  // The side navigation takes 240 px from `sm` up, so a table needs the `md` width to breathe.
  // Read at once (there is no server rendering), so a desktop never flashes the phone layout first.
  const wide = useMediaQuery(`(min-width: ${theme.breakpoints.md})`, undefined, { getInitialValueInEffect: false });
  if (rows.length === 0) return <EmptyState>{empty}</EmptyState>;
  if (!wide) {
    const [title, ...rest] = columns;
    return (
      <Stack component="ul" aria-label={label} gap="xs" p={0} m={0} style={{ listStyle: 'none' }}>
        {rows.map((row) => (
          <Paper component="li" key={rowKey(row)} withBorder p="sm" radius="md" bg={highlight?.(row)}>
            <Box fw={600} mb={4}>
              {title?.render(row)}
            </Box>
            <SimpleGrid component="dl" cols={2} spacing="xs" verticalSpacing={6} m={0}>
              {rest.map((c) => (
                <div key={c.label}>
                  <Text component="dt" size="xs" c="dimmed">
                    {c.label}
                  </Text>
                  <Text component="dd" size="sm" m={0}>
                    {c.render(row)}
                  </Text>
                </div>
              ))}
            </SimpleGrid>
          </Paper>
        ))}
      </Stack>
    );
  }
  return (
    <Table aria-label={label} highlightOnHover verticalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          {columns.map((c) => (
            <Table.Th key={c.label} scope="col">
              {c.label}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={rowKey(row)} bg={highlight?.(row)}>
            {columns.map((c) => (
              <Table.Td key={c.label}>{c.render(row)}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

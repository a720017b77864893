import { Box, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import type { MonitoringGoal, ReadingKind } from '@salus/core';
import { READING_KINDS } from '@salus/core';
import { IconTable, IconZoomReset } from '@tabler/icons-react';
import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ErrorState, Loading } from '../layout/async.js';
import { formatDateTime } from '../lib/format.js';
import {
  chartColumns,
  chartSummary,
  goalBands,
  goalText,
  isBloodPressure,
  lineLabels,
  maxPointsFor,
  needsFetch,
  pointText,
  RANGES,
  rangeWindow,
  tableRows,
  type RangeKey,
  type TimeWindow,
} from './chart-data.js';
import { loadReadings, type ReadingSeries } from './monitoring-api.js';

/**
 * One kind of reading over time: range buttons, a zoomable chart (drag across to zoom in,
 * double-click or "Reset zoom" to go back), the chart in words, and the points as a table on
 * request. Zooming into a stretch the server had thinned asks for that stretch again, so the
 * detail appears. The chart itself (uPlot) loads on first use; where nothing can be drawn on a
 * canvas, the words and the table stand in for it.
 */

const UPlotChart = lazy(() => import('./uplot-chart.js').then((m) => ({ default: m.UPlotChart })));

/** Whether this browser can draw on a canvas (a test DOM, or a browser with canvas turned off, cannot). */
function canvasAvailable(): boolean {
  try {
    return !!document.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

const sameWindow = (a: TimeWindow, b: TimeWindow) => a.from === b.from && a.to === b.to;

interface Loaded {
  series: ReadingSeries;
  window: TimeWindow;
}

export interface ReadingChartProps {
  patientId: string;
  kind: ReadingKind;
  goals: readonly MonitoringGoal[];
  ranges: readonly RangeKey[];
  initialRange: RangeKey;
  height?: number;
}

function PointsTable({ kind, loaded, view, labelledBy }: { kind: ReadingKind; loaded: Loaded; view: TimeWindow; labelledBy: string }) {
  const { rows, total } = tableRows(loaded.series.points, view);
  const bp = isBloodPressure(kind);
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed">
        {total > rows.length ? `The latest ${rows.length} of ${total} points in this window.` : `${total} ${total === 1 ? 'point' : 'points'} in this window.`}
        {loaded.series.thinned ? ' The server kept the lowest and highest of each stretch; zoom in for every reading.' : ''}
      </Text>
      <Table.ScrollContainer minWidth={260} mah={360}>
        <Table aria-labelledby={labelledBy} striped verticalSpacing={4} stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Time</Table.Th>
              <Table.Th scope="col">{bp ? 'Blood pressure' : READING_KINDS[kind].text}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((p, i) => (
              <Table.Tr key={`${p[0]}-${i}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(new Date(p[0]).toISOString())}</Table.Td>
                <Table.Td>{pointText(kind, p)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

export function ReadingChart({ patientId, kind, goals, ranges, initialRange, height = 220 }: ReadingChartProps) {
  const canDraw = useMemo(canvasAvailable, []);
  const [range, setRange] = useState<RangeKey>(initialRange);
  // The range's window is kept, not recomputed from the clock, so going back to it reuses its data.
  const [base, setBase] = useState<TimeWindow>(() => rangeWindow(initialRange, Date.now()));
  const [view, setView] = useState<TimeWindow>(base);
  const [loaded, setLoaded] = useState<Loaded>();
  const [baseData, setBaseData] = useState<Loaded>();
  const [error, setError] = useState<Error>();
  const [fetching, setFetching] = useState(false);
  const [showTable, setShowTable] = useState(!canDraw);
  const box = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const tableTitleId = useId();
  const tableId = useId();
  const info = READING_KINDS[kind];
  const zoomed = !sameWindow(view, base);

  useEffect(() => {
    if (!needsFetch(loaded && { window: loaded.window, thinned: !!loaded.series.thinned }, view)) return;
    const controller = new AbortController();
    setFetching(true);
    const width = box.current?.clientWidth || 800;
    loadReadings(patientId, { kind, from: view.from, to: view.to, max: maxPointsFor(width) }, controller.signal).then(
      (series) => {
        if (controller.signal.aborted) return;
        const next = { series, window: view };
        setLoaded(next);
        if (sameWindow(view, base)) setBaseData(next);
        setError(undefined);
        setFetching(false);
      },
      (e: Error) => {
        if (controller.signal.aborted) return;
        setError(e);
        setFetching(false);
      },
    );
    return () => {
      controller.abort();
      setFetching(false);
    };
  }, [patientId, kind, view, base, loaded]);

  const chooseRange = (key: RangeKey) => {
    const w = rangeWindow(key, Date.now());
    setRange(key);
    setBase(w);
    setView(w);
  };
  const reset = () => {
    if (baseData && sameWindow(baseData.window, base)) setLoaded(baseData);
    setView(base);
  };

  const columns = useMemo(() => (loaded ? chartColumns(loaded.series) : undefined), [loaded]);
  const bands = useMemo(() => goalBands(goals, kind), [goals, kind]);
  const goal = goalText(goals, kind);

  return (
    <Box component="section" aria-labelledby={titleId} className="monitoring-chart">
      <Group justify="space-between" align="center" wrap="wrap" gap="xs" mb={4}>
        <Title order={3} size="h5" id={titleId}>
          {info.text} {info.unitText && <Text span size="sm" c="dimmed">({info.unitText})</Text>}
        </Title>
        <Group gap={4} wrap="wrap">
          <Button.Group aria-label={`${info.text}: time range`}>
            {ranges.map((key) => (
              <Button key={key} size="compact-sm" variant={range === key && !zoomed ? 'filled' : 'default'} aria-pressed={range === key && !zoomed} aria-label={`Last ${RANGES[key].label}`} onClick={() => chooseRange(key)}>
                {RANGES[key].label}
              </Button>
            ))}
          </Button.Group>
          {zoomed && (
            <Button size="compact-sm" variant="light" leftSection={<IconZoomReset size={14} aria-hidden />} onClick={reset}>
              Reset zoom
            </Button>
          )}
        </Group>
      </Group>
      {error ? (
        <ErrorState error={error} onRetry={() => setView({ ...view })} title="The readings could not be loaded" />
      ) : !loaded ? (
        <Box h={canDraw ? height : undefined} ref={box}>
          <Loading label={`Loading ${info.text.toLowerCase()}…`} />
        </Box>
      ) : (
        <Stack gap={4}>
          <Box component="figure" m={0}>
            <div ref={box}>
              {canDraw && columns && (
                <Suspense
                  fallback={
                    <Box h={height}>
                      <Loading label="Drawing the chart…" />
                    </Box>
                  }
                >
                  <UPlotChart columns={columns} labels={lineLabels(kind)} unitText={info.unitText} bands={bands} view={view} height={height} onZoom={setView} onReset={reset} />
                </Suspense>
              )}
            </div>
            <Text component="figcaption" size="xs" c="dimmed" mt={4}>
              {chartSummary(loaded.series, view, goal)}
              {canDraw ? ' Drag across the chart to zoom in; double-click to go back.' : ''}
            </Text>
          </Box>
          {fetching && (
            <Group gap={4} wrap="nowrap" role="status">
              <Loader size="xs" />
              <Text size="xs" c="dimmed">
                Loading detail…
              </Text>
            </Group>
          )}
          <Button
            size="compact-xs"
            variant="subtle"
            leftSection={<IconTable size={14} aria-hidden />}
            aria-expanded={showTable}
            aria-controls={tableId}
            onClick={() => setShowTable((s) => !s)}
            style={{ alignSelf: 'flex-start' }}
          >
            {showTable ? 'Hide table' : 'Show as table'}
          </Button>
          <div id={tableId} hidden={!showTable}>
            {showTable && (
              <>
                <Text id={tableTitleId} size="sm" fw={600}>
                  {info.text} readings
                </Text>
                <PointsTable kind={kind} loaded={loaded} view={view} labelledBy={tableTitleId} />
              </>
            )}
          </div>
        </Stack>
      )}
    </Box>
  );
}

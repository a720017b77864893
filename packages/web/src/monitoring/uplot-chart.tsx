import { DEFAULT_THEME } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../lib/format.js';
import { theme } from '../theme.js';
import { yRange, zoomWindow, type ChartColumns, type GoalBand, type TimeWindow } from './chart-data.js';

/**
 * uPlot drawn into a div, kept thin: the time window, the data and the goal bands come from the
 * parent (which decides what to fetch); this only draws them and reports a drag (zoom to the
 * selected stretch) and a double-click (back to the range). uPlot draws on a canvas and keeps
 * tens of thousands of points smooth. Loaded only when a chart is shown.
 */

export interface UPlotChartProps {
  columns: ChartColumns;
  /** One per line after the time column. */
  labels: string[];
  unitText: string;
  bands: GoalBand[];
  view: TimeWindow;
  height: number;
  onZoom: (window: TimeWindow) => void;
  onReset: () => void;
}

// The second line (diastolic) is dashed as well as coloured, so the two differ without colour.
const LINES = [
  { stroke: theme.colors!.salus![7]!, dash: undefined },
  { stroke: DEFAULT_THEME.colors.orange[9], dash: [6, 4] },
];
const GOAL_FILL = 'rgba(47, 158, 68, 0.12)';
const GOAL_EDGE = 'rgba(43, 138, 62, 0.6)';

function drawGoalBands(u: uPlot, bands: readonly GoalBand[]): void {
  const { ctx, bbox } = u;
  const scale = u.scales.y;
  if (scale?.min == null || scale.max == null) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (const band of bands) {
    const top = u.valToPos(band.high ?? scale.max, 'y', true);
    const bottom = u.valToPos(band.low ?? scale.min, 'y', true);
    ctx.fillStyle = GOAL_FILL;
    ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
    ctx.strokeStyle = GOAL_EDGE;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = devicePixelRatio;
    for (const edge of [band.high, band.low]) {
      if (edge === undefined) continue;
      const y = u.valToPos(edge, 'y', true);
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
    }
    ctx.fillStyle = GOAL_EDGE;
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillText(band.label, bbox.left + 6 * devicePixelRatio, top + 14 * devicePixelRatio);
  }
  ctx.restore();
}

export function UPlotChart(props: UPlotChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // uPlot's hooks are set once; they read the latest props through this.
  const latest = useRef(props);
  latest.current = props;
  const { labels, unitText, height, columns, view, bands } = props;
  const lineKey = labels.join('|');

  useEffect(() => {
    const el = box.current!;
    const value = (_u: uPlot, v: number | null) => (v == null ? '–' : `${formatNumber(v)} ${unitText}`);
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      ms: 1,
      series: [{}, ...lineKey.split('|').map((label, i) => ({ label, stroke: LINES[i % LINES.length]!.stroke, width: 2, ...(LINES[i % LINES.length]!.dash ? { dash: LINES[i % LINES.length]!.dash! } : {}), value, points: { size: 5 } }))],
      scales: {
        x: { time: true, range: () => [latest.current.view.from, latest.current.view.to] },
        y: { range: (_u, min, max) => yRange(min, max, latest.current.bands) },
      },
      axes: [{}, { size: 52 }],
      cursor: {
        drag: { x: true, y: false, setScale: false },
        // A double-click goes back to the chosen range (uPlot's own would fit whatever is loaded).
        bind: { dblclick: () => () => (latest.current.onReset(), null) },
      },
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 3) latest.current.onZoom(zoomWindow(u.posToVal(left, 'x'), u.posToVal(left + width, 'x')));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        drawClear: [(u) => drawGoalBands(u, latest.current.bands)],
      },
    };
    const u = new uPlot(opts, latest.current.columns as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = undefined;
    };
  }, [lineKey, unitText, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.batch(() => {
      u.setData(columns as uPlot.AlignedData, false);
      u.setScale('x', { min: view.from, max: view.to });
    });
  }, [columns, view]);

  useEffect(() => {
    plot.current?.redraw(false);
  }, [bands]);

  return <div ref={box} className="monitoring-uplot" />;
}

import { Box, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { LARGE_MM, SMALL_MM, ecgCaption, ecgLayout, samplePoint, type EcgLayout } from './ecg-paper.js';
import type { EcgStrip } from './monitoring-api.js';

/**
 * One ECG strip on the standard paper grid (see ecg-paper.ts), drawn on a canvas as wide as its
 * element and redrawn when that changes. The caption gives the time, the duration and the scale;
 * where a canvas cannot be drawn, the caption is what remains.
 */

const SMALL_LINE = 'rgba(224, 49, 49, 0.18)';
const LARGE_LINE = 'rgba(224, 49, 49, 0.45)';
const TRACE = '#1a1b1e';
const LABEL = '#7a1c1c';

function drawPaper(ctx: CanvasRenderingContext2D, layout: EcgLayout): void {
  const { pxPerMm, rowWidthMm, rowHeightMm, rows } = layout;
  const heightMm = rowHeightMm * rows;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, layout.widthPx, layout.heightPx);
  // Small squares only where there is room to see them; large ones always.
  const steps = pxPerMm >= 2.5 ? [SMALL_MM, LARGE_MM] : [LARGE_MM];
  for (const step of steps) {
    ctx.strokeStyle = step === LARGE_MM ? LARGE_LINE : SMALL_LINE;
    ctx.lineWidth = step === LARGE_MM ? 1 : 0.5;
    ctx.beginPath();
    for (let mm = 0; mm <= rowWidthMm + 1e-6; mm += step) {
      const x = Math.round(mm * pxPerMm) + 0.5;
      ctx.moveTo(x, 0);
      ctx.lineTo(x, heightMm * pxPerMm);
    }
    for (let mm = 0; mm <= heightMm + 1e-6; mm += step) {
      const y = Math.round(mm * pxPerMm) + 0.5;
      ctx.moveTo(0, y);
      ctx.lineTo(rowWidthMm * pxPerMm, y);
    }
    ctx.stroke();
  }
}

function drawTrace(ctx: CanvasRenderingContext2D, layout: EcgLayout, strip: EcgStrip): void {
  ctx.strokeStyle = TRACE;
  ctx.lineWidth = Math.max(1, layout.pxPerMm * 0.3);
  ctx.lineJoin = 'round';
  ctx.font = '11px system-ui, sans-serif';
  for (let row = 0; row < layout.rows; row++) {
    const start = row * layout.samplesPerRow;
    const end = Math.min(strip.data.length, start + layout.samplesPerRow);
    ctx.beginPath();
    for (let i = start; i < end; i++) {
      const p = samplePoint(layout, strip.period, i, strip.data[i]!);
      if (i === start) ctx.moveTo(p.x, p.y);
      else ctx.lineTo(p.x, p.y);
    }
    ctx.stroke();
    // Where each row starts in the strip, for reading times off a long one.
    ctx.fillStyle = LABEL;
    ctx.fillText(`${((start * strip.period) / 1000).toFixed(0)} s`, 4, row * layout.rowHeightMm * layout.pxPerMm + 12);
  }
}

export function EcgStripView({ strip }: { strip: EcgStrip }) {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const caption = ecgCaption(strip);

  useEffect(() => {
    const el = box.current!;
    setWidth(el.clientWidth);
    const resize = new ResizeObserver(() => setWidth(el.clientWidth));
    resize.observe(el);
    return () => resize.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || width === 0 || strip.data.length === 0) return;
    const layout = ecgLayout(strip, width);
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(layout.widthPx * ratio);
    c.height = Math.round(layout.heightPx * ratio);
    c.style.height = `${layout.heightPx}px`;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    drawPaper(ctx, layout);
    drawTrace(ctx, layout, strip);
  }, [strip, width]);

  return (
    <Box component="figure" m={0}>
      <div ref={box} className="monitoring-ecg">
        <canvas ref={canvas} aria-hidden />
      </div>
      <Text component="figcaption" size="xs" c="dimmed" mt={4}>
        {caption}. Small squares {SMALL_MM} mm = 0.04 s × 0.1 mV; large squares {LARGE_MM} mm = 0.2 s × 0.5 mV.
        {strip.data.length === 0 ? ' This strip has no samples.' : ''}
      </Text>
    </Box>
  );
}

import { sparklineShape } from './monitoring.js';
import type { SparkPoint } from './monitoring-api.js';

/**
 * A week of one reading as a tiny line: plain SVG, so a dashboard of many patients draws at once.
 * Hidden from assistive technology: the value beside it says what matters, and the patient's
 * charts carry the full text alternative.
 */
export function Sparkline({ points, width = 72, height = 22 }: { points: readonly SparkPoint[] | undefined; width?: number; height?: number }) {
  const shape = points && points.length > 1 ? sparklineShape(points, width, height) : undefined;
  if (!shape) return null;
  return (
    <svg className="monitoring-sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden focusable="false">
      <polyline points={shape.polyline} />
      <circle cx={shape.last.x} cy={shape.last.y} r={2} />
    </svg>
  );
}

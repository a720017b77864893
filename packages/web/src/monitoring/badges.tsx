import { Badge } from '@mantine/core';
import type { AlertSeverity } from '@salus/core';
import type { SocketState } from '../telehealth/signal-socket.js';
import { ADVICE_STYLE, BAND_STYLE, SEVERITY_STYLE } from './monitoring.js';
import type { AdviceLevel, MonitoringAlert, News2Summary } from './monitoring-api.js';

/**
 * The badges of remote monitoring. Each says its meaning in words; the colour (green, yellow,
 * orange, red) only repeats it for a quick scan.
 */

export function News2Badge({ news2 }: { news2: News2Summary | undefined }) {
  if (!news2) {
    return (
      <Badge color="gray" variant="light" tt="none">
        No NEWS2
      </Badge>
    );
  }
  const band = BAND_STYLE[news2.band];
  return (
    // Allowed to wrap: in a phone's two-column card, cut-off words would hide the band.
    <Badge color={band.color} variant="light" tt="none" h="auto" maw="100%" py={2} styles={{ label: { whiteSpace: 'normal' } }}>
      NEWS2 {news2.total} · {band.label} risk
    </Badge>
  );
}

export function AlertSeverityBadge({ severity }: { severity: AlertSeverity }) {
  const s = SEVERITY_STYLE[severity];
  return (
    <Badge color={s.color} variant={severity === 'high' ? 'filled' : 'light'} tt="none">
      {s.label} severity
    </Badge>
  );
}

const STATUS_TEXT: Record<MonitoringAlert['status'], string> = { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' };

export function AlertStatusBadge({ status }: { status: MonitoringAlert['status'] }) {
  return (
    // The darkest shade of each: an outline badge's text must still read at AA on white.
    <Badge color={status === 'open' ? 'red.9' : 'gray.8'} variant="outline" tt="none">
      {STATUS_TEXT[status]}
    </Badge>
  );
}

export function AdviceBadge({ level }: { level: AdviceLevel }) {
  const a = ADVICE_STYLE[level];
  return (
    <Badge color={a.color} variant={level === 'urgent' ? 'filled' : 'light'} tt="none">
      {a.label}
    </Badge>
  );
}

/** Whether the page is receiving live updates, so nobody trusts a list that has stopped changing. */
export function LiveBadge({ state }: { state: SocketState }) {
  return (
    <Badge variant="light" color={state === 'open' ? 'green' : 'orange'} role="status" tt="none">
      {state === 'open' ? 'Live' : state === 'closed' ? 'Not updating; reload the page' : 'Connecting…'}
    </Badge>
  );
}

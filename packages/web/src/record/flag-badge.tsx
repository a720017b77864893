import { Badge } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconExclamationMark } from '@tabler/icons-react';
import { flagLabel, isCritical, type Flag } from '../lib/observations.js';

const ICONS: Partial<Record<Flag, typeof IconArrowUp>> = {
  high: IconArrowUp,
  'critically-high': IconArrowUp,
  low: IconArrowDown,
  'critically-low': IconArrowDown,
  abnormal: IconExclamationMark,
  'critically-abnormal': IconExclamationMark,
};

/**
 * A result's flag in words, colour and an arrow together, so that it reads without colour vision.
 * Normal values get no badge unless asked: a page of green badges hides the ones that matter.
 */
export function FlagBadge({ flag, showNormal = false }: { flag: Flag | undefined; showNormal?: boolean }) {
  if (!flag || (flag === 'normal' && !showNormal)) return null;
  const Icon = ICONS[flag];
  const color = flag === 'normal' ? 'gray' : isCritical(flag) ? 'red' : 'orange';
  return (
    <Badge color={color} variant={isCritical(flag) ? 'filled' : 'light'} leftSection={Icon ? <Icon size={12} aria-hidden /> : undefined} style={{ flexShrink: 0 }}>
      {flagLabel(flag)}
    </Badge>
  );
}

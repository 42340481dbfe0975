// State colours and the few glyphs the dashboard draws with, in one place.
import { isTaskStatus } from './model/counts.js';
import type { TaskStatus } from './model/types.js';

export type Color = 'green' | 'red' | 'redBright' | 'yellow' | 'yellowBright' | 'blue' | 'blueBright' | 'cyan' | 'magenta' | 'magentaBright' | 'gray' | 'white';

export function statusColor(s: TaskStatus): Color {
  switch (s) {
    case 'ACTIVE':
      return 'blue';
    case 'TRIGGER':
      return 'cyan';
    case 'STARTED':
      return 'cyan';
    case 'RUNNING':
      return 'yellow';
    case 'RESTARTING':
      return 'magentaBright';
    case 'SUCCESS':
      return 'green';
    case 'FAILED':
      return 'red';
    case 'TERMINATED':
      return 'magenta';
    case 'REJECTED':
      return 'redBright';
    case 'FROZEN':
      return 'blueBright';
    case 'SKIPPED':
      return 'gray';
    case 'IDLE':
      return 'gray';
  }
}

/** The colour of an event line, from the state it entered. */
export function eventColor(type: string, to: unknown): Color | undefined {
  if (type.startsWith('daemon.')) return 'cyan';
  return typeof to === 'string' && to !== 'ACTIVE' && isTaskStatus(to) ? statusColor(to) : undefined;
}

export const GLYPH = {
  open: '▾',
  closed: '▸',
  barFull: '█',
  barEmpty: '░',
  up: '●',
  down: '○',
} as const;

// The result shapes of the schedule engine and how a raw slot becomes a Fire.

import { formatTimeOfDay } from '../core/schedule-fields.js';
import { isoDate } from './civil.js';
import type { SkipCause } from './day-filter.js';
import type { ZoneClock } from './zone.js';

export interface Fire {
  /** The fire instant, epoch ms (UTC). */
  at: number;
  /** The instant in the schedule's zone, ISO 8601 with offset, e.g. `2024-03-10T03:00:00-04:00`. */
  local: string;
  /** The local date the slot belongs to (the eligible day), `YYYY-MM-DD`. */
  localDate: string;
  /** The wall-clock slot label, `HH:MM` or `HH:MM:SS`, e.g. "02:30" even when it fired at 03:00. */
  slot: string;
  /** Set when the slot's local time did not exist (spring forward) and it fired at the gap's end. */
  shifted?: 'gap';
}

export interface SkippedDay {
  date: string;
  cause: SkipCause;
  /** e.g. "Thanksgiving Day", "Saturday is 0 in day_of_week 1111100", "not the last friday of the month". */
  detail: string;
}

export interface NextFiresResult {
  fires: Fire[];
  /** Only with `explain`: excluded days between `after` and the last returned fire. */
  skipped: SkippedDay[];
  /** Set when fewer than n fires exist before the horizon. */
  exhausted?: { reason: string; horizon: number };
}

export function makeFire(zone: ZoneClock, day: number, sec: number, at: number, shifted: boolean): Fire {
  const fire: Fire = { at, local: zone.formatLocal(at), localDate: isoDate(day), slot: formatTimeOfDay(sec) };
  if (shifted) fire.shifted = 'gap';
  return fire;
}

// The wall-clock slots of a day: a TimeSource answers "the first slot at or after this second".

import { parseRunFrequency, parseTriggerTimes } from '../core/schedule-fields.js';
import { badInput } from '../core/errors.js';
import { DAY_SECONDS } from './civil.js';

export interface TimeSource {
  /** The first slot (seconds since local midnight) on epoch day `day` at or after `sec`, or -1. */
  next(day: number, sec: number): number;
}

/** The same sorted list of seconds every day (trigger_times, run_frequency). */
export class FixedTimes implements TimeSource {
  constructor(private readonly seconds: Int32Array) {}

  next(_day: number, sec: number): number {
    const s = this.seconds;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < sec) lo = mid + 1;
      else hi = mid;
    }
    return lo < s.length ? s[lo]! : -1;
  }
}

export function triggerTimesSource(text: string): FixedTimes {
  const parsed = parseTriggerTimes(text);
  if (!parsed.ok) throw badInput(`trigger_times: "${text}" is not valid; expected ${parsed.expected}`);
  return new FixedTimes(Int32Array.from(parsed.value));
}

/** START to END inclusive every N minutes; an N that does not divide the window stops at the last slot ≤ END. */
export function runFrequencySource(text: string): FixedTimes {
  const parsed = parseRunFrequency(text);
  if (!parsed.ok) throw badInput(`run_frequency: "${text}" is not valid; expected ${parsed.expected}`);
  const { startMinute, endMinute, everyMinutes } = parsed.value;
  const seconds: number[] = [];
  for (let m = startMinute; m <= endMinute && m * 60 < DAY_SECONDS; m += everyMinutes) seconds.push(m * 60);
  return new FixedTimes(Int32Array.from(seconds));
}

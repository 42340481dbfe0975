// Loads the shipped and user calendar folders; a later folder overrides an earlier one by name.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../core/defaults.js';
import { DAY_MS, floorDiv, parseIsoDate } from './civil.js';
import type { Calendar, CalendarSet } from './calendar.js';
import { parseCalendarFile } from './calendar-file.js';

export interface LoadedCalendars {
  calendars: CalendarSet;
  /** Human-readable warnings, e.g. a calendar that runs out soon. */
  warnings: string[];
}

/** Read every `*.json` in each folder (missing folders are skipped); throws on the first bad file. */
export function loadCalendars(dirs: readonly string[], opts: { now: number }): LoadedCalendars {
  const calendars = new Map<string, Calendar>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) {
      const file = join(dir, f);
      const cal = parseCalendarFile(file, readFileSync(file, 'utf8'));
      calendars.set(cal.name, cal);
    }
  }
  const warnings: string[] = [];
  for (const cal of calendars.values()) {
    const w = runsOutWarning(cal, opts.now);
    if (w !== undefined) warnings.push(w);
  }
  return { calendars, warnings };
}

/** A warning when the calendar's last date is fewer than DEFAULTS.calendarRunsOutDays days ahead of now. */
export function runsOutWarning(cal: Calendar, now: number): string | undefined {
  if (cal.last === undefined) return `calendar "${cal.name}" (${cal.file}) has no dates`;
  const today = floorDiv(now, DAY_MS);
  const left = parseIsoDate(cal.last)! - today;
  if (left >= DEFAULTS.calendarRunsOutDays) return undefined;
  const when = left < 0 ? `${-left} days ago` : `in ${left} days`;
  return `calendar "${cal.name}" (${cal.file}) runs out: its last date ${cal.last} is ${when}; add later dates`;
}

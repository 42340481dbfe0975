// Loads the shipped and user calendar folders; a later folder overrides an earlier one by name.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULTS } from '../core/defaults.js';
import { badInput } from '../core/errors.js';
import { DAY_MS, floorDiv, parseIsoDate } from './civil.js';
import type { Calendar, CalendarSet } from './calendar.js';
import { parseCalendarFile } from './calendar-file.js';

/** A calendar file that cannot be used, known by the name its file gives (`NAME.json`). */
export interface BrokenCalendar {
  name: string;
  file: string;
  /** e.g. `calendar file /x/ACME.json: not valid JSON (…)`. */
  problem: string;
}

export interface LoadedCalendars {
  calendars: CalendarSet;
  /** Human-readable warnings: a calendar that runs out soon, a calendar file that cannot be used. */
  warnings: string[];
  /** Calendar files that cannot be used, by name; a schedule naming one fails, the others carry on. */
  broken: ReadonlyMap<string, BrokenCalendar>;
}

/**
 * Read every `*.json` in each folder (missing folders are skipped). A file that cannot be read or
 * is not a valid calendar makes its name broken (overriding an earlier folder's calendar of that
 * name, as a good file would) and adds a warning; it does not stop the others from loading.
 */
export function loadCalendars(dirs: readonly string[], opts: { now: number }): LoadedCalendars {
  const calendars = new Map<string, Calendar>();
  const broken = new Map<string, BrokenCalendar>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) {
      const file = join(dir, f);
      try {
        const cal = parseCalendarFile(file, readCalendarFile(file));
        calendars.set(cal.name, cal);
        broken.delete(cal.name);
      } catch (err) {
        const name = basename(f, '.json');
        broken.set(name, { name, file, problem: (err as Error).message });
        calendars.delete(name);
      }
    }
  }
  const warnings: string[] = [];
  for (const b of broken.values()) warnings.push(brokenWarning(b));
  for (const cal of calendars.values()) {
    const w = runsOutWarning(cal, opts.now);
    if (w !== undefined) warnings.push(w);
  }
  return { calendars, warnings, broken };
}

function readCalendarFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw badInput(`calendar file ${file}: cannot be read (${(err as Error).message})`);
  }
}

/** The warning for a broken calendar file that nothing at hand uses. */
export function brokenWarning(b: BrokenCalendar): string {
  return `${b.problem}; calendar "${b.name}" cannot be used until the file is fixed`;
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

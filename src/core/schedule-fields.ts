// Parsers for the textual schedule fields; shared by validation and the schedule engine.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; expected: string };

export const TRIGGER_TIMES_EXPECTED =
  'comma separated times of day as HH:MM or HH:MM:SS, 00:00 to 23:59:59 (e.g. "08:30, 17:00")';

/** Seconds since local midnight for each time in a trigger_times list, sorted and de-duplicated. */
export function parseTriggerTimes(text: string): ParseResult<number[]> {
  const cleaned = text.replace(/[\s()]/g, '');
  if (cleaned === '') return { ok: false, expected: TRIGGER_TIMES_EXPECTED };
  const seconds = new Set<number>();
  for (const part of cleaned.split(',')) {
    if (part === '') continue;
    const s = parseTimeOfDay(part);
    if (s === undefined) return { ok: false, expected: TRIGGER_TIMES_EXPECTED };
    seconds.add(s);
  }
  if (seconds.size === 0) return { ok: false, expected: TRIGGER_TIMES_EXPECTED };
  return { ok: true, value: [...seconds].sort((a, b) => a - b) };
}

/** `HH:MM` or `HH:MM:SS` to seconds since midnight. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (h > 23 || min > 59 || s > 59) return undefined;
  return h * 3600 + min * 60 + s;
}

export function formatTimeOfDay(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hhmm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return s === 0 ? hhmm : `${hhmm}:${String(s).padStart(2, '0')}`;
}

/** The stored form of trigger_times: sorted, de-duplicated, `HH:MM[:SS]` joined by commas. */
export function normaliseTriggerTimes(seconds: readonly number[]): string {
  return seconds.map(formatTimeOfDay).join(',');
}

export interface RunFrequency {
  /** Window start and end, minutes since local midnight, inclusive. */
  startMinute: number;
  endMinute: number;
  everyMinutes: number;
}

export const RUN_FREQUENCY_EXPECTED =
  'HH:MM-HH:MM-N: from START to END (START not after END) every N minutes, N from 1 to 1440 (e.g. "09:00-17:00-15")';

export function parseRunFrequency(text: string): ParseResult<RunFrequency> {
  const m = /^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) return { ok: false, expected: RUN_FREQUENCY_EXPECTED };
  const start = parseTimeOfDay(m[1]!);
  const end = parseTimeOfDay(m[2]!);
  const every = Number(m[3]);
  if (start === undefined || end === undefined || start > end || every < 1 || every > 1440) {
    return { ok: false, expected: RUN_FREQUENCY_EXPECTED };
  }
  return { ok: true, value: { startMinute: start / 60, endMinute: end / 60, everyMinutes: every } };
}

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const ORDINALS = ['first', 'second', 'third', 'fourth', 'last'] as const;

export interface OrdinalDay {
  /** 1..4, or -1 for last. */
  nth: 1 | 2 | 3 | 4 | -1;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

export const ORDINAL_DAY_EXPECTED =
  '"<first|second|third|fourth|last> <weekday> of every month" (e.g. "last friday of every month")';

export function parseOrdinalDay(text: string): ParseResult<OrdinalDay> {
  const m = /^\s*(first|second|third|fourth|last)\s+(\w+)\s+of\s+every\s+month\s*$/i.exec(text);
  if (!m) return { ok: false, expected: ORDINAL_DAY_EXPECTED };
  const ordinal = m[1]!.toLowerCase() as (typeof ORDINALS)[number];
  const weekday = WEEKDAYS.indexOf(m[2]!.toLowerCase() as (typeof WEEKDAYS)[number]);
  if (weekday < 0) return { ok: false, expected: ORDINAL_DAY_EXPECTED };
  const nth = ordinal === 'last' ? -1 : ((ORDINALS.indexOf(ordinal) + 1) as 1 | 2 | 3 | 4);
  return { ok: true, value: { nth, weekday: weekday + 1 } };
}

export const DAY_OF_WEEK_EXPECTED = '7 characters of 0 or 1, Monday first (e.g. "1111100" for weekdays)';

export function parseDayOfWeek(text: string): ParseResult<boolean[]> {
  if (!/^[01]{7}$/.test(text)) return { ok: false, expected: DAY_OF_WEEK_EXPECTED };
  return { ok: true, value: [...text].map((c) => c === '1') };
}

/** cron's @-shorthands written out as 5-field expressions (@reboot has no schedule). */
export const CRON_SHORTHANDS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

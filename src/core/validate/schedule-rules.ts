// Text parsers for the schedule fields: they check and normalise what the schedule engine reads.

import { CronExpressionParser } from 'cron-parser';
import { IANAZone } from 'luxon';
import {
  CRON_SHORTHANDS,
  formatTimeOfDay,
  normaliseTriggerTimes,
  parseDayOfWeek,
  parseOrdinalDay,
  parseRunFrequency,
  parseTriggerTimes,
  ORDINALS,
  WEEKDAYS,
} from '../schedule-fields.js';
import { accept, refuse, type TextResult } from './text-rules.js';

export const TIMEZONE_EXPECTED =
  'an IANA time zone such as "America/New_York", "Europe/Berlin" or "UTC" (legacy links such as "US/Eastern" work too)';
export const CRON_EXPECTED =
  'a cron expression of 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first (e.g. "*/15 9-17 * * 1-5")';

/** Checking a zone builds an Intl formatter (~0.5 ms); a batch names few zones, so remember the answers. */
const zoneValidity = new Map<string, boolean>();

/** Kept as written: luxon resolves legacy links such as US/Eastern. */
export function timezone(text: string): TextResult {
  let valid = zoneValidity.get(text);
  if (valid === undefined) zoneValidity.set(text, (valid = IANAZone.isValidZone(text)));
  return valid ? accept(text) : refuse();
}

/** Sorted, de-duplicated, `HH:MM[:SS]` joined by commas. */
export function triggerTimes(text: string): TextResult {
  const r = parseTriggerTimes(text);
  return r.ok ? accept(normaliseTriggerTimes(r.value)) : refuse(undefined, r.expected);
}

/** Canonical `HH:MM-HH:MM-N`. */
export function runFrequency(text: string): TextResult {
  const r = parseRunFrequency(text);
  if (!r.ok) return refuse(undefined, r.expected);
  const { startMinute, endMinute, everyMinutes } = r.value;
  return accept(`${formatTimeOfDay(startMinute * 60)}-${formatTimeOfDay(endMinute * 60)}-${everyMinutes}`);
}

export function dayOfWeek(text: string): TextResult {
  const r = parseDayOfWeek(text);
  if (!r.ok) return refuse(undefined, r.expected);
  return r.value.includes(true) ? accept(text) : refuse('never runs (no day is set)');
}

/** Canonical lower-case `last friday of every month`. */
export function ordinalDay(text: string): TextResult {
  const r = parseOrdinalDay(text);
  if (!r.ok) return refuse(undefined, r.expected);
  const ordinal = r.value.nth === -1 ? 'last' : ORDINALS[r.value.nth - 1]!;
  return accept(`${ordinal} ${WEEKDAYS[r.value.weekday - 1]!} of every month`);
}

/** 5 or 6 fields, checked by cron-parser; whitespace collapsed to single spaces. */
export function cron(text: string): TextResult {
  const fields = text.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length === 0) return refuse('is empty');
  if (fields.length === 1 && fields[0]!.startsWith('@')) {
    const long = CRON_SHORTHANDS[fields[0]!.toLowerCase()];
    return refuse(long === undefined ? 'is not supported' : `is a shorthand; write it as "${long}"`);
  }
  if (fields.length !== 5 && fields.length !== 6) return refuse(`has ${fields.length} field${fields.length === 1 ? '' : 's'}`);
  const normal = fields.join(' ');
  try {
    CronExpressionParser.parse(normal);
  } catch (e) {
    return refuse(`is not valid (${e instanceof Error ? e.message : String(e)})`);
  }
  return accept(normal);
}

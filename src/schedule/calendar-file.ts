// Validation of one calendar file: every problem names the file and, for dates, the entry index.

import { basename } from 'node:path';
import { badInput, type EasyTaskError } from '../core/errors.js';
import { describeSyntaxError } from '../core/json-source.js';
import { parseIsoDate } from './civil.js';
import { makeCalendar, type Calendar, type CalendarEntry } from './calendar.js';

const NAME_RE = /^[A-Za-z0-9_-]{1,128}$/;
const TOP_FIELDS = ['name', 'description', 'dates'];
/** A longer range is almost certainly a typo in a year. */
const MAX_RANGE_DAYS = 366;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse and validate the text of a calendar file. */
export function parseCalendarFile(file: string, text: string): Calendar {
  const fail = (problem: string): EasyTaskError => badInput(`calendar file ${file}: ${problem}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const at = describeSyntaxError(text, (err as Error).message);
    throw fail(`not valid JSON (line ${at.line}, column ${at.column}: ${at.reason})`);
  }
  if (!isObject(data)) throw fail('expected an object with "name", "description" and "dates"');
  for (const key of Object.keys(data)) {
    if (!TOP_FIELDS.includes(key)) throw fail(`unknown field "${key}" (known: ${TOP_FIELDS.join(', ')})`);
  }
  const { name, description, dates } = data;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw fail('"name" must be 1 to 128 letters, digits, "_" or "-"');
  }
  const expectedFile = `${name}.json`;
  if (basename(file) !== expectedFile) throw fail(`"name" is "${name}" but the file is not named ${expectedFile}`);
  if (description !== undefined && typeof description !== 'string') throw fail('"description" must be a string');
  if (!Array.isArray(dates)) throw fail('"dates" must be an array of {"date", "reason"} or {"from", "to", "reason"}');
  const entries = dates.map((entry, i) => {
    const problem = entryProblem(entry);
    if (problem !== undefined) throw fail(`dates[${i}]: ${problem}`);
    return entry as CalendarEntry;
  });
  return makeCalendar(name, description ?? '', file, entries);
}

/** What is wrong with one dates[] entry, or undefined. */
function entryProblem(entry: unknown): string | undefined {
  if (!isObject(entry)) return 'expected {"date", "reason"} or {"from", "to", "reason"}';
  const single = 'date' in entry;
  const range = 'from' in entry || 'to' in entry;
  if (single && range) return 'give either "date" or "from" and "to", not both';
  if (!single && !range) return 'missing "date" (or "from" and "to")';
  const allowed = single ? ['date', 'reason'] : ['from', 'to', 'reason'];
  for (const key of Object.keys(entry)) {
    if (!allowed.includes(key)) return `unknown field "${key}" (known: ${allowed.join(', ')})`;
  }
  if (typeof entry.reason !== 'string' || entry.reason.trim() === '') return '"reason" must be a non-empty string';
  if (single) return dateProblem('date', entry.date);
  const fromProblem = dateProblem('from', entry.from) ?? dateProblem('to', entry.to);
  if (fromProblem !== undefined) return fromProblem;
  const from = parseIsoDate(entry.from as string)!;
  const to = parseIsoDate(entry.to as string)!;
  if (from > to) return `"from" ${String(entry.from)} is after "to" ${String(entry.to)}`;
  if (to - from + 1 > MAX_RANGE_DAYS) return `a range may cover at most ${MAX_RANGE_DAYS} days`;
  return undefined;
}

function dateProblem(field: string, value: unknown): string | undefined {
  if (typeof value === 'string' && parseIsoDate(value) !== undefined) return undefined;
  return `"${field}" must be a real date written YYYY-MM-DD, got ${JSON.stringify(value) ?? 'nothing'}`;
}

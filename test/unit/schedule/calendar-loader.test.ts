// Loading calendar folders: validation messages, overriding by name, and the runs-out warning.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { calendarDates, holidayOn, loadCalendars, parseCalendarFile, requireCalendar } from '../../../src/schedule/index.js';

const now = Date.parse('2025-06-01T12:00:00Z');
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'easytask-cal-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeCal(dir: string, name: string, body: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

const good = (name: string, dates: unknown[]): unknown => ({ name, description: 'd', dates });

describe('parseCalendarFile', () => {
  const entryCases: [string, unknown, string][] = [
    ['a bad date', { date: '2025-02-30', reason: 'x' }, 'dates[1]: "date" must be a real date written YYYY-MM-DD, got "2025-02-30"'],
    ['a date in another format', { date: '12/25/2025', reason: 'x' }, 'dates[1]: "date" must be a real date written YYYY-MM-DD, got "12/25/2025"'],
    ['a date that is not a string', { date: 20251225, reason: 'x' }, 'dates[1]: "date" must be a real date written YYYY-MM-DD, got 20251225'],
    ['no reason', { date: '2025-12-25' }, 'dates[1]: "reason" must be a non-empty string'],
    ['an empty reason', { date: '2025-12-25', reason: ' ' }, 'dates[1]: "reason" must be a non-empty string'],
    ['a reversed range', { from: '2025-12-31', to: '2025-12-24', reason: 'x' }, 'dates[1]: "from" 2025-12-31 is after "to" 2025-12-24'],
    ['a range without "to"', { from: '2025-12-24', reason: 'x' }, 'dates[1]: "to" must be a real date written YYYY-MM-DD, got nothing'],
    ['a huge range', { from: '2025-01-01', to: '2026-12-31', reason: 'x' }, 'dates[1]: a range may cover at most 366 days'],
    ['date and range', { date: '2025-12-24', from: '2025-12-24', to: '2025-12-25', reason: 'x' }, 'dates[1]: give either "date" or "from" and "to", not both'],
    ['an unknown field', { date: '2025-12-24', reason: 'x', note: 'y' }, 'dates[1]: unknown field "note" (known: date, reason)'],
    ['no date at all', { reason: 'x' }, 'dates[1]: missing "date" (or "from" and "to")'],
    ['not an object', '2025-12-25', 'dates[1]: expected {"date", "reason"} or {"from", "to", "reason"}'],
  ];
  it.each(entryCases)('names the file and the entry index for %s', (_label, entry, problem) => {
    const text = JSON.stringify(good('X', [{ date: '2025-01-01', reason: 'ok' }, entry]));
    expect(() => parseCalendarFile('/cal/X.json', text)).toThrow(new EasyTaskError('BAD_INPUT', `calendar file /cal/X.json: ${problem}`));
  });

  it.each([
    ['not JSON', '{ nope', /^calendar file \/cal\/X\.json: not valid JSON \(.+\)$/],
    ['an array', '[]', 'calendar file /cal/X.json: expected an object with "name", "description" and "dates"'],
    ['no name', JSON.stringify({ dates: [] }), 'calendar file /cal/X.json: "name" must be 1 to 128 letters, digits, "_" or "-"'],
    ['a name that is not the file name', JSON.stringify(good('Y', [])), 'calendar file /cal/X.json: "name" is "Y" but the file is not named Y.json'],
    ['dates that are not an array', JSON.stringify({ name: 'X', dates: {} }), 'calendar file /cal/X.json: "dates" must be an array of {"date", "reason"} or {"from", "to", "reason"}'],
    ['an unknown top-level field', JSON.stringify({ name: 'X', dates: [], year: 2025 }), 'calendar file /cal/X.json: unknown field "year" (known: name, description, dates)'],
    ['a description that is not text', JSON.stringify({ name: 'X', description: 3, dates: [] }), 'calendar file /cal/X.json: "description" must be a string'],
  ])('rejects %s', (_label, text, message) => {
    expect(() => parseCalendarFile('/cal/X.json', text)).toThrow(message);
  });

  it('expands ranges, joins reasons of the same date, and keeps first and last', () => {
    const cal = parseCalendarFile(
      '/cal/X.json',
      JSON.stringify(good('X', [
        { from: '2025-12-30', to: '2026-01-02', reason: 'Shutdown' },
        { date: '2026-01-01', reason: "New Year's Day" },
      ])),
    );
    expect(calendarDates(cal)).toEqual([
      { date: '2025-12-30', reason: 'Shutdown' },
      { date: '2025-12-31', reason: 'Shutdown' },
      { date: '2026-01-01', reason: "Shutdown; New Year's Day" },
      { date: '2026-01-02', reason: 'Shutdown' },
    ]);
    expect([cal.first, cal.last]).toEqual(['2025-12-30', '2026-01-02']);
    expect(holidayOn(cal, '2025-12-31')).toBe('Shutdown');
    expect(holidayOn(cal, '2025-12-29')).toBeUndefined();
  });
});

describe('loadCalendars', () => {
  it('reads every *.json of each folder; a later folder overrides by name; missing folders are skipped', () => {
    const shipped = join(root, 'shipped');
    const user = join(root, 'user');
    writeCal(shipped, 'A', good('A', [{ date: '2030-01-01', reason: 'shipped A' }]));
    writeCal(shipped, 'B', good('B', [{ date: '2030-01-01', reason: 'shipped B' }]));
    writeCal(user, 'A', good('A', [{ date: '2030-02-02', reason: 'user A' }]));
    writeFileSync(join(user, 'notes.txt'), 'ignored');
    const { calendars, warnings } = loadCalendars([shipped, user, join(root, 'missing')], { now });
    expect([...calendars.keys()].sort()).toEqual(['A', 'B']);
    expect(calendarDates(calendars.get('A')!)).toEqual([{ date: '2030-02-02', reason: 'user A' }]);
    expect(calendars.get('A')!.file).toBe(join(user, 'A.json'));
    expect(warnings).toEqual([]);
  });

  it('a bad file breaks only its own calendar, named by its file, with a warning; the others load', () => {
    const user = join(root, 'user');
    const file = writeCal(user, 'BAD', good('BAD', [{ date: '2025-13-01', reason: 'x' }]));
    writeCal(user, 'OK', good('OK', [{ date: '2030-01-01', reason: 'x' }]));
    const loaded = loadCalendars([user], { now });
    const problem = `calendar file ${file}: dates[0]: "date" must be a real date written YYYY-MM-DD, got "2025-13-01"`;
    expect([...loaded.calendars.keys()]).toEqual(['OK']);
    expect([...loaded.broken.values()]).toEqual([{ name: 'BAD', file, problem }]);
    expect(loaded.warnings).toEqual([`${problem}; calendar "BAD" cannot be used until the file is fixed`]);
    expect(() => requireCalendar(loaded.calendars, 'BAD', loaded.broken)).toThrow(new EasyTaskError('BAD_INPUT', `calendar "BAD" cannot be used: ${problem}`));
    expect(() => requireCalendar(loaded.calendars, 'NOPE', loaded.broken)).toThrow(new EasyTaskError('NOT_FOUND', 'calendar "NOPE" does not exist (known calendars: OK)'));
  });

  it('a broken file overrides an earlier folder\'s calendar of that name, and a good one mends an earlier broken one', () => {
    const shipped = join(root, 'shipped');
    const user = join(root, 'user');
    writeCal(shipped, 'A', good('A', [{ date: '2030-01-01', reason: 'shipped A' }]));
    writeCal(shipped, 'B', '{"name": "B",\n "dates": [}');
    const brokenA = writeCal(user, 'A', '');
    writeCal(user, 'B', good('B', [{ date: '2030-01-01', reason: 'user B' }]));
    const loaded = loadCalendars([shipped, user], { now });
    expect([...loaded.calendars.keys()]).toEqual(['B']);
    expect(calendarDates(loaded.calendars.get('B')!)).toEqual([{ date: '2030-01-01', reason: 'user B' }]);
    expect([...loaded.broken.values()]).toEqual([
      { name: 'A', file: brokenA, problem: `calendar file ${brokenA}: not valid JSON (line 1, column 1: Unexpected end of JSON input)` },
    ]);
  });

  it('a file that cannot be read is broken too', () => {
    const user = join(root, 'user');
    mkdirSync(join(user, 'DIR.json'), { recursive: true });
    const loaded = loadCalendars([user], { now });
    expect(loaded.broken.get('DIR')?.problem).toMatch(/^calendar file .*DIR\.json: cannot be read \(EISDIR: illegal operation on a directory, read\)$/);
  });

  it('warns when a calendar runs out in fewer than 60 days, or already has', () => {
    const dir = join(root, 'c');
    const soon = writeCal(dir, 'SOON', good('SOON', [{ date: '2025-07-30', reason: 'x' }]));
    writeCal(dir, 'LATER', good('LATER', [{ date: '2025-07-31', reason: 'x' }]));
    const past = writeCal(dir, 'PAST', good('PAST', [{ date: '2025-05-01', reason: 'x' }]));
    const empty = writeCal(dir, 'EMPTY', good('EMPTY', []));
    const { warnings } = loadCalendars([dir], { now });
    expect(warnings.sort()).toEqual([
      `calendar "EMPTY" (${empty}) has no dates`,
      `calendar "PAST" (${past}) runs out: its last date 2025-05-01 is 31 days ago; add later dates`,
      `calendar "SOON" (${soon}) runs out: its last date 2025-07-30 is in 59 days; add later dates`,
    ]);
  });
});

// The daemon's calendars: a broken calendar file affects only that calendar, at start and on reload.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CalendarWatch } from '../../../src/daemon/calendars.js';
import { calendarDates, type BrokenCalendar, type CalendarSet } from '../../../src/schedule/index.js';
import { tempHome } from '../../helpers/home.js';
import { waitFor } from '../../helpers/wait.js';

const watches: CalendarWatch[] = [];
afterEach(async () => {
  while (watches.length) await watches.pop()!.close();
});

function setup() {
  const home = tempHome();
  const dir = join(home, 'calendars');
  mkdirSync(dir);
  const write = (name: string, body: unknown) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };
  const log: string[] = [];
  const applied: [CalendarSet, boolean, ReadonlyMap<string, BrokenCalendar>][] = [];
  const watch = new CalendarWatch({ home, now: () => Date.parse('2026-03-01T12:00:00Z'), log: (l) => log.push(l), apply: (c, r, b) => applied.push([c, r, b]) });
  watches.push(watch);
  return { write, log, applied, watch };
}

const acme = (reason: string) => ({ name: 'ACME', description: 'Acme closures', dates: [{ date: '2030-01-02', reason }] });

describe('CalendarWatch', () => {
  it('loads the good calendars at start and says which file is broken and what that means', () => {
    const { write, log, applied, watch } = setup();
    write('ACME', acme('Stocktake'));
    const broken = write('BROKEN', '{ nope');
    watch.load();
    expect(applied).toHaveLength(1);
    expect([...applied[0]![0].keys()].sort()).toEqual(['ACME', 'UK_BANK_HOLIDAYS', 'US_HOLIDAYS', 'US_MARKET_HOLIDAYS']);
    expect(applied[0]![1]).toBe(false);
    const problem = `calendar file ${broken}: not valid JSON (line 1, column 3: Expected property name or '}')`;
    expect([...applied[0]![2].values()]).toEqual([{ name: 'BROKEN', file: broken, problem }]);
    expect(log).toEqual([
      `error: calendar "BROKEN" not loaded: calendar file ${broken}: not valid JSON (line 1, column 3: Expected property name or '}'); the tasks that use it are not scheduled until it is fixed`,
    ]);
  });

  it('a calendar whose file breaks later keeps the dates it had; the others still reload', async () => {
    const { write, log, applied, watch } = setup();
    const file = write('ACME', acme('Stocktake'));
    watch.load();
    watch.watch();
    await waitFor(() => applied.length === 1 || undefined, 'the load');
    write('ACME', '{"name": "ACME", "dates": [{"date": "2030-02-30", "reason": "x"}]}');
    write('OTHER', { name: 'OTHER', description: 'o', dates: [{ date: '2030-05-05', reason: 'Other' }] });
    const last = await waitFor(() => applied.find(([c]) => c.has('OTHER')), 'OTHER loaded');
    expect(last[1]).toBe(true);
    expect(calendarDates(last[0].get('ACME')!)).toEqual([{ date: '2030-01-02', reason: 'Stocktake' }]);
    expect(log).toContain(
      `error: calendar "ACME" not loaded: calendar file ${file}: dates[0]: "date" must be a real date written YYYY-MM-DD, got "2030-02-30"; it keeps the dates loaded before`,
    );
  });
});

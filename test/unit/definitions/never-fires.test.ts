// Schedules that can never fire: refused when the schedule alone never fires, a warning when only its calendar stops it.
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/core/validate/index.js';
import { prepare } from '../../../src/definitions/apply.js';
import { makeCalendar } from '../../../src/schedule/calendar.js';
import type { CalendarSet } from '../../../src/schedule/index.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const EXPECTED = 'expected a schedule that fires at least once in the next 28 years';

async function run(doc: unknown, calendars?: CalendarSet) {
  const p = await prepare([{ file: 'tasks.json', text: JSON.stringify(doc) }], undefined, {
    now: NOW,
    ...(calendars ? { calendars: () => calendars, calendarExists: (n: string) => calendars.has(n) } : {}),
  });
  return { issues: p.issues.map(formatIssue), warnings: p.warnings.map(formatIssue), items: p.items.length };
}

/** A calendar closing every day from 2026-02-28 for `years` years (ranges of at most 366 days). */
function closed(years: number): CalendarSet {
  const entries = Array.from({ length: years }, (_, i) => ({ from: `${2026 + i}-02-28`, to: `${2027 + i}-02-27`, reason: 'closed' }));
  return new Map([['CLOSED', makeCalendar('CLOSED', 'always closed', 'calendars/CLOSED.json', entries)]]);
}

describe('a schedule that never fires', () => {
  it('is refused at the day rule that excludes every day it has slots on', async () => {
    expect((await run([{ name: 'sundays', cmd: 'x', cron: '0 0 * * 0', day_of_week: '1111110' }])).issues).toEqual([
      `tasks.json: task #1 "sundays" /0/day_of_week: never fires: cron "0 0 * * 0" has slots only on days that day_of_week "1111110" excludes, in the next 28 years; ${EXPECTED}`,
    ]);
    expect((await run({ groups: [{ name: 'g', cron: '0 6 1-7 * *', ordinal_day: 'last friday of every month' }] })).issues).toEqual([
      `tasks.json: group #1 "g" /groups/0/ordinal_day: never fires: cron "0 6 1-7 * *" has slots only on days that ordinal_day "last friday of every month" excludes, in the next 28 years; ${EXPECTED}`,
    ]);
  });

  it('looks 28 years ahead, the cycle of weekdays and leap years: 29 February on a Monday next comes in 2044', async () => {
    expect(await run({ name: 'leap', cmd: 'x', cron: '0 0 29 2 *', day_of_week: '1000000' })).toEqual({ issues: [], warnings: [], items: 1 });
    expect(await run({ name: 'leap', cmd: 'x', cron: '0 0 29 2 *', day_of_week: '0100000' })).toEqual({ issues: [], warnings: [], items: 1 });
  });

  it('is judged from the given instant: after 2090, 29 February is not a Tuesday until 2124 (2100 is no leap year)', async () => {
    const p = await prepare([{ file: 'tasks.json', text: JSON.stringify({ name: 'leap', cmd: 'x', cron: '0 0 29 2 *', day_of_week: '0100000' }) }], undefined, {
      now: Date.parse('2090-01-01T00:00:00Z'),
    });
    expect(p.issues.map(formatIssue)).toEqual([
      `tasks.json: task #1 "leap" /day_of_week: never fires: cron "0 0 29 2 *" has slots only on days that day_of_week "0100000" excludes, in the next 28 years; ${EXPECTED}`,
    ]);
  });

  it('accepts every task of a batch whose first fires are years apart (29 February on each weekday)', async () => {
    const doc = Array.from({ length: 7 }, (_, i) => ({ name: `t${i}`, cmd: 'x', cron: '0 0 29 2 *', day_of_week: '0000000'.slice(0, i) + '1' + '0000000'.slice(i + 1) }));
    expect(await run(doc)).toEqual({ issues: [], warnings: [], items: 7 });
  });

  it('members fire with their group and are not checked on their own', async () => {
    expect(await run({ groups: [{ name: 'g', trigger_times: '06:00' }], tasks: [{ name: 'm', cmd: 'x', task_group: 'g' }] })).toEqual({ issues: [], warnings: [], items: 2 });
  });
});

describe('a calendar that excludes every fire', () => {
  const task = { name: 'daily', cmd: 'x', trigger_times: '10:00', calendar: 'CLOSED' };

  it('is a warning, and the definition is still accepted', async () => {
    expect(await run(task, closed(9))).toEqual({
      issues: [],
      warnings: [
        'tasks.json: task #1 "daily" /calendar: calendar "CLOSED" (calendars/CLOSED.json) excludes every day trigger_times "10:00" would fire on in the next 8 years, so it will not run; expected a calendar that leaves at least one of the schedule\'s days in the next 8 years',
      ],
      items: 1,
    });
  });

  it('is nothing when the calendar leaves a day within 8 years', async () => {
    expect(await run(task, closed(7))).toEqual({ issues: [], warnings: [], items: 1 });
  });

  it('is looked for up to the first fire when that is more than 8 years away', async () => {
    const leap = { name: 'leap', cmd: 'x', cron: '0 0 29 2 *', day_of_week: '1000000', calendar: 'CLOSED' };
    expect(await run(leap, closed(9))).toEqual({ issues: [], warnings: [], items: 1 });
    expect((await run(leap, closed(28))).warnings).toEqual([
      'tasks.json: task #1 "leap" /calendar: calendar "CLOSED" (calendars/CLOSED.json) excludes every day cron "0 0 29 2 *" would fire on in the next 28 years, so it will not run; expected a calendar that leaves at least one of the schedule\'s days in the next 28 years',
    ]);
  });

  it('a schedule that never fires by itself is an error, not a calendar warning', async () => {
    const r = await run({ ...task, trigger_times: undefined, cron: '0 0 * * 0', day_of_week: '1111110' }, closed(9));
    expect(r.warnings).toEqual([]);
    expect(r.issues).toEqual([
      `tasks.json: task #1 "daily" /day_of_week: never fires: cron "0 0 * * 0" has slots only on days that day_of_week "1111110" excludes, in the next 28 years; ${EXPECTED}`,
    ]);
  });
});

// day_of_week, ordinal_day and calendars, with the explanations `easytask next` shows.
import { describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { emptyCalendars, nextFires } from '../../../src/schedule/index.js';
import { calendarSet, firesOf, sched } from './helpers.js';

describe('day_of_week', () => {
  it.each([
    { mask: '1111100', after: '2024-05-03T10:00:00Z', want: ['2024-05-06', '2024-05-07'] }, // Fri → Mon
    { mask: '0000011', after: '2024-05-01T10:00:00Z', want: ['2024-05-04', '2024-05-05', '2024-05-11'] },
    { mask: '1000000', after: '2024-05-01T10:00:00Z', want: ['2024-05-06', '2024-05-13'] },
    { mask: '0000001', after: '2024-05-01T10:00:00Z', want: ['2024-05-05', '2024-05-12'] },
  ])('$mask', ({ mask, after, want }) => {
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: mask }), emptyCalendars, Date.parse(after), want.length);
    expect(r.fires.map((f) => f.localDate)).toEqual(want);
  });

  it('uses the weekday of the local date, not of UTC', () => {
    // Saturday 2024-05-04 23:30 in Los Angeles is already Sunday in UTC; Saturday is excluded locally.
    expect(firesOf({ timezone: 'America/Los_Angeles', trigger_times: '23:30', day_of_week: '1111101' }, '2024-05-04T08:00:00Z', 1)).toEqual([
      '2024-05-05T23:30:00-07:00 23:30',
    ]);
  });

  it('explains the days it skips', () => {
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '1111100' }), emptyCalendars, Date.parse('2024-05-03T10:00:00Z'), 1, {
      explain: true,
    });
    expect(r.skipped).toEqual([
      { date: '2024-05-04', cause: 'day_of_week', detail: 'Saturday is 0 in day_of_week 1111100' },
      { date: '2024-05-05', cause: 'day_of_week', detail: 'Sunday is 0 in day_of_week 1111100' },
    ]);
  });

  it('lists no skipped days unless asked', () => {
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '1111100' }), emptyCalendars, Date.parse('2024-05-03T10:00:00Z'), 1);
    expect(r.skipped).toEqual([]);
  });

  it('rejects a malformed mask', () => {
    expect(() => nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '11111' }), emptyCalendars, 0, 1)).toThrow(
      'day_of_week: "11111" is not valid; expected 7 characters of 0 or 1, Monday first (e.g. "1111100" for weekdays)',
    );
  });
});

describe('ordinal_day', () => {
  it.each([
    { ordinal: 'first monday of every month', want: ['2024-01-01', '2024-02-05', '2024-03-04'] },
    { ordinal: 'second tuesday of every month', want: ['2024-01-09', '2024-02-13', '2024-03-12'] },
    { ordinal: 'fourth sunday of every month', want: ['2024-01-28', '2024-02-25', '2024-03-24'] },
    { ordinal: 'last friday of every month', want: ['2024-01-26', '2024-02-23', '2024-03-29'] },
    { ordinal: 'last thursday of every month', want: ['2024-01-25', '2024-02-29', '2024-03-28'] },
    { ordinal: 'Last Saturday of every month', want: ['2024-01-27', '2024-02-24', '2024-03-30'] },
  ])('$ordinal', ({ ordinal, want }) => {
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', ordinal_day: ordinal }), emptyCalendars, Date.parse('2023-12-31T12:00:00Z'), 3);
    expect(r.fires.map((f) => f.localDate)).toEqual(want);
  });

  it('replaces day_of_week', () => {
    const r = nextFires(
      sched({ timezone: 'UTC', trigger_times: '09:00', ordinal_day: 'first sunday of every month', day_of_week: '1111100' }),
      emptyCalendars,
      Date.parse('2024-01-01T00:00:00Z'),
      1,
    );
    expect(r.fires.map((f) => f.localDate)).toEqual(['2024-01-07']);
  });

  it('explains the days it skips', () => {
    const r = nextFires(
      sched({ timezone: 'UTC', trigger_times: '09:00', ordinal_day: 'last friday of every month' }),
      emptyCalendars,
      Date.parse('2024-01-23T12:00:00Z'),
      1,
      { explain: true },
    );
    expect(r.skipped).toEqual([
      { date: '2024-01-24', cause: 'ordinal_day', detail: 'not the last friday of the month' },
      { date: '2024-01-25', cause: 'ordinal_day', detail: 'not the last friday of the month' },
    ]);
  });
});

describe('calendar', () => {
  const cals = calendarSet('TEST', [
    { date: '2025-11-27', reason: 'Thanksgiving Day' },
    { from: '2025-12-24', to: '2025-12-26', reason: 'Winter break' },
  ]);

  it('skips calendar dates and says why; a weekend is a day_of_week skip', () => {
    const r = nextFires(
      sched({ timezone: 'America/New_York', trigger_times: '09:00', day_of_week: '1111100', calendar: 'TEST' }),
      cals,
      Date.parse('2025-11-26T16:00:00Z'),
      2,
      { explain: true },
    );
    expect(r.fires.map((f) => f.localDate)).toEqual(['2025-11-28', '2025-12-01']);
    expect(r.skipped).toEqual([
      { date: '2025-11-27', cause: 'holiday', detail: 'Thanksgiving Day' },
      { date: '2025-11-29', cause: 'day_of_week', detail: 'Saturday is 0 in day_of_week 1111100' },
      { date: '2025-11-30', cause: 'day_of_week', detail: 'Sunday is 0 in day_of_week 1111100' },
    ]);
  });

  it('a range excludes every day in it', () => {
    expect(firesOf({ timezone: 'UTC', trigger_times: '09:00', calendar: 'TEST' }, '2025-12-23T12:00:00Z', 1, cals)).toEqual([
      '2025-12-27T09:00:00+00:00 09:00',
    ]);
  });

  it('calendar dates are local dates of the task zone', () => {
    // 2025-11-27 09:00 in Tokyo is 2025-11-27T00:00Z; in Honolulu 2025-11-27 09:00 is 19:00Z.
    expect(firesOf({ timezone: 'Asia/Tokyo', trigger_times: '09:00', calendar: 'TEST' }, '2025-11-26T12:00:00Z', 1, cals)).toEqual([
      '2025-11-28T09:00:00+09:00 09:00',
    ]);
    expect(firesOf({ timezone: 'Pacific/Honolulu', trigger_times: '09:00', calendar: 'TEST' }, '2025-11-26T20:00:00Z', 1, cals)).toEqual([
      '2025-11-28T09:00:00-10:00 09:00',
    ]);
  });

  it('an unknown calendar is an error, not "no holidays"', () => {
    const run = (): unknown => nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', calendar: 'NOPE' }), cals, 0, 1);
    expect(run).toThrow(EasyTaskError);
    expect(run).toThrow('calendar "NOPE" does not exist (known calendars: TEST)');
  });
});

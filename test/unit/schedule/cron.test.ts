import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { emptyCalendars, nextFires } from '../../../src/schedule/index.js';
import { firesOf, sched } from './helpers.js';

describe('cron', () => {
  it.each([
    {
      name: '5 fields: minute hour day month weekday',
      cron: '30 9 * * 1-5',
      after: '2024-05-03T10:00:00Z', // a Friday
      want: ['2024-05-06T09:30:00+00:00 09:30', '2024-05-07T09:30:00+00:00 09:30'],
    },
    {
      name: '6 fields: seconds first',
      cron: '15 30 9 * * *',
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T09:30:15+00:00 09:30:15', '2024-05-02T09:30:15+00:00 09:30:15'],
    },
    {
      name: 'steps and ranges',
      cron: '*/20 8-9 * * *',
      after: '2024-05-01T08:30:00Z',
      want: ['2024-05-01T08:40:00+00:00 08:40', '2024-05-01T09:00:00+00:00 09:00', '2024-05-01T09:20:00+00:00 09:20', '2024-05-01T09:40:00+00:00 09:40', '2024-05-02T08:00:00+00:00 08:00'],
    },
    {
      name: 'last day of the month (L), leap February',
      cron: '0 12 L * *',
      after: '2024-01-31T12:00:00Z',
      want: ['2024-02-29T12:00:00+00:00 12:00', '2024-03-31T12:00:00+00:00 12:00'],
    },
    {
      name: 'second Friday of the month (5#2)',
      cron: '0 7 * * 5#2',
      after: '2024-01-01T00:00:00Z',
      want: ['2024-01-12T07:00:00+00:00 07:00', '2024-02-09T07:00:00+00:00 07:00'],
    },
    {
      name: 'last Friday of the month (5L)',
      cron: '0 7 * * 5L',
      after: '2024-01-01T00:00:00Z',
      want: ['2024-01-26T07:00:00+00:00 07:00', '2024-02-23T07:00:00+00:00 07:00'],
    },
    {
      name: 'day of month OR day of week when both are restricted',
      cron: '0 0 1 * 1',
      after: '2024-01-28T00:00:00Z',
      want: ['2024-01-29T00:00:00+00:00 00:00', '2024-02-01T00:00:00+00:00 00:00', '2024-02-05T00:00:00+00:00 00:00'],
    },
    {
      name: 'a month list with names',
      cron: '0 0 1 jan,jul *',
      after: '2024-01-02T00:00:00Z',
      want: ['2024-07-01T00:00:00+00:00 00:00', '2025-01-01T00:00:00+00:00 00:00'],
    },
    {
      name: 'evaluated in the task zone',
      cron: '0 9 * * *',
      after: '2024-07-01T00:00:00Z',
      zone: 'Europe/Berlin',
      want: ['2024-07-01T09:00:00+02:00 09:00'],
    },
  ])('$name', ({ cron, after, want, zone }) => {
    expect(firesOf({ timezone: zone ?? 'UTC', cron }, after, want.length)).toEqual(want);
  });

  it('day_of_week still filters the days a cron expression selects', () => {
    expect(firesOf({ timezone: 'UTC', cron: '0 9 * * *', day_of_week: '1111100' }, '2024-05-03T10:00:00Z', 1)).toEqual([
      '2024-05-06T09:00:00+00:00 09:00',
    ]);
  });

  it('several cron slots inside a spring-forward gap fire once at the end of the gap', () => {
    expect(firesOf({ timezone: 'America/New_York', cron: '*/20 2 * * *' }, '2024-03-09T12:00:00Z', 4)).toEqual([
      '2024-03-10T03:00:00-04:00 02:00 gap',
      '2024-03-11T02:00:00-04:00 02:00',
      '2024-03-11T02:20:00-04:00 02:20',
      '2024-03-11T02:40:00-04:00 02:40',
    ]);
  });

  it('cron slots in the repeated fall-back hour fire once each, at the first occurrence', () => {
    expect(firesOf({ timezone: 'America/New_York', cron: '0,30 1 * * *' }, '2024-11-03T04:00:00Z', 3)).toEqual([
      '2024-11-03T01:00:00-04:00 01:00',
      '2024-11-03T01:30:00-04:00 01:30',
      '2024-11-04T01:00:00-05:00 01:00',
    ]);
  });

  it.each([
    ['0 9 * *', 'cron: "0 9 * *" has 4 fields; expected 5 (minute hour day month weekday) or 6 (seconds first)'],
    ['0 9 * * * * *', 'cron: "0 9 * * * * *" has 7 fields; expected 5 (minute hour day month weekday) or 6 (seconds first)'],
  ])('rejects %j', (cron, message) => {
    const run = (): unknown => nextFires(sched({ timezone: 'UTC', cron }), emptyCalendars, 0, 1);
    expect(run).toThrow(EasyTaskError);
    expect(run).toThrow(message);
  });

  it('rejects a field out of range with cron-parser\'s reason', () => {
    expect(() => nextFires(sched({ timezone: 'UTC', cron: '0 25 * * *' }), emptyCalendars, 0, 1)).toThrow(
      /^cron: "0 25 \* \* \*" is not a valid cron expression \(.+\)$/,
    );
  });

  // Where there is no daylight saving, EasyTask's slots must equal cron-parser's own answers.
  it('matches cron-parser in UTC for random expressions', () => {
    const field = (lo: number, hi: number): fc.Arbitrary<string> =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min: lo, max: hi }).map(String),
        fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.integer({ min: 2, max: Math.max(2, Math.floor((hi - lo) / 2)) }).map((n) => `*/${n}`),
        fc.uniqueArray(fc.integer({ min: lo, max: hi }), { minLength: 2, maxLength: 3 }).map((a) => a.join(',')),
      );
    const dom = fc.oneof(field(1, 28), fc.constant('L'));
    const dow = fc.oneof(field(0, 6), fc.constant('5L'), fc.integer({ min: 0, max: 6 }).map((d) => `${d}#${1 + (d % 4)}`));
    const expr = fc
      .tuple(field(0, 59), field(0, 23), dom, field(1, 12), dow)
      .map(([m, h, d, mo, w]) => `${m} ${h} ${d} ${mo} ${w}`);
    const start = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') });
    fc.assert(
      fc.property(expr, start, (cron, after) => {
        let theirs: number[];
        try {
          theirs = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: new Date(after) })
            .take(5)
            .map((d) => d.getTime());
        } catch {
          return; // an expression cron-parser itself rejects says nothing about the matcher
        }
        const ours = nextFires(sched({ timezone: 'UTC', cron }), emptyCalendars, after, 5).fires.map((f) => f.at);
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });
});

// The slots of a past date range: the schedule's own rules (day mask, ordinal day, daylight saving),
// dates in its zone, nothing after now, and clear refusals.
import { describe, expect, it } from 'vitest';
import type { ScheduleFields } from '../../../src/core/task.js';
import { backfillRange } from '../../../src/schedule/backfill-range.js';
import { emptyCalendars } from '../../../src/schedule/index.js';

const NOW = Date.UTC(2026, 3, 1, 12); // 2026-04-01 12:00 UTC
const sched = (over: Partial<ScheduleFields>): ScheduleFields => ({ timezone: 'UTC', day_of_week: '1111111', ...over });
const utc = (r: { fires: { at: number }[] }) => r.fires.map((f) => new Date(f.at).toISOString());

describe('backfillRange', () => {
  it('lists the fires from the start of --from to the end of --to, in the zone, with the day mask', () => {
    const r = backfillRange(sched({ trigger_times: '02:00', day_of_week: '1111100' }), emptyCalendars, '2026-03-05', '2026-03-09', NOW);
    // Thu 5, Fri 6, (Sat, Sun skipped), Mon 9.
    expect(utc(r)).toEqual(['2026-03-05T02:00:00.000Z', '2026-03-06T02:00:00.000Z', '2026-03-09T02:00:00.000Z']);
  });

  it('applies daylight saving: 02:30 on the spring-forward day runs when the clock springs forward', () => {
    const r = backfillRange(sched({ timezone: 'America/New_York', trigger_times: '02:30' }), emptyCalendars, '2026-03-07', '2026-03-09', NOW);
    expect(utc(r)).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(r.fires.map((f) => f.localDate)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
  });

  it('takes an ordinal day, and never goes past now', () => {
    const r = backfillRange(sched({ trigger_times: '09:00', ordinal_day: 'first monday of every month' }), emptyCalendars, '20260101', '2026-12-31', NOW);
    expect(utc(r)).toEqual(['2026-01-05T09:00:00.000Z', '2026-02-02T09:00:00.000Z', '2026-03-02T09:00:00.000Z']);
    const today = backfillRange(sched({ trigger_times: '08:00,18:00' }), emptyCalendars, '2026-04-01', '2026-04-01', NOW);
    expect(utc(today)).toEqual(['2026-04-01T08:00:00.000Z']);
  });

  it('refuses bad dates, a reversed range, a future start and too many slots', () => {
    const s = sched({ run_frequency: '00:00-23:59-1' });
    expect(() => backfillRange(s, emptyCalendars, '2026-02-30', '2026-03-01', NOW)).toThrow('--from must be a date as YYYY-MM-DD');
    expect(() => backfillRange(s, emptyCalendars, '2026-03-02', '2026-03-01', NOW)).toThrow('--from 2026-03-02 is after --to 2026-03-01');
    expect(() => backfillRange(s, emptyCalendars, '2026-05-01', '2026-05-02', NOW)).toThrow('in the future');
    expect(() => backfillRange(s, emptyCalendars, '2026-03-01', '2026-03-01', NOW)).toThrow('the range holds 1440 slots, more than --max 1000; narrow it or pass --max 1440');
    expect(backfillRange(s, emptyCalendars, '2026-03-01', '2026-03-01', NOW, 1440).fires).toHaveLength(1440);
  });
});

// A schedule that can never fire stops at the horizon instead of looping.
import { describe, expect, it } from 'vitest';
import { emptyCalendars, nextFire, nextFires, noFireWithin } from '../../../src/schedule/index.js';
import { calendarSet, sched } from './helpers.js';

const after = Date.parse('2024-01-01T00:00:00Z');

describe('horizon', () => {
  it('day_of_week 0000000 is exhausted with a clear reason', () => {
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '0000000' }), emptyCalendars, after, 3);
    expect(r.fires).toEqual([]);
    expect(r.exhausted).toEqual({
      reason: 'no fire in the 10227 days after 2024-01-01T00:00:00.000Z: day_of_week 0000000 selects no day of the week',
      horizon: after + 10227 * 86_400_000,
    });
    expect(nextFire(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '0000000' }), emptyCalendars, after)).toBeUndefined();
  });

  it('a calendar that covers every day is exhausted, and says so', () => {
    const cals = calendarSet('ALL', [{ from: '2024-01-01', to: '2024-12-31', reason: 'closed' }]);
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', calendar: 'ALL' }), cals, after, 1, { horizonDays: 100 });
    expect(r.fires).toEqual([]);
    expect(r.exhausted?.reason).toBe(
      'no fire in the 100 days after 2024-01-01T00:00:00.000Z: every day with a slot was excluded (100 by calendar "ALL")',
    );
  });

  it('mask and calendar together are both counted', () => {
    const cals = calendarSet('ALL', [{ from: '2024-01-01', to: '2024-12-31', reason: 'closed' }]);
    const r = nextFires(sched({ timezone: 'UTC', trigger_times: '09:00', calendar: 'ALL', day_of_week: '1111100' }), cals, after, 1, {
      horizonDays: 14,
    });
    expect(r.exhausted?.reason).toBe(
      'no fire in the 14 days after 2024-01-01T00:00:00.000Z: every day with a slot was excluded (10 by calendar "ALL", 4 by day_of_week 1111100)',
    );
  });

  it('a cron date that does not come within the horizon is exhausted', () => {
    const march = Date.parse('2024-03-01T00:00:00Z');
    const r = nextFires(sched({ timezone: 'UTC', cron: '0 0 29 2 *' }), emptyCalendars, march, 1, { horizonDays: 800 });
    expect(r.exhausted?.reason).toBe('no fire in the 800 days after 2024-03-01T00:00:00.000Z: cron "0 0 29 2 *" selects no day in that time');
  });

  it('a cron date that cannot exist is bad input', () => {
    expect(() => nextFires(sched({ timezone: 'UTC', cron: '0 0 30 2 *' }), emptyCalendars, after, 1)).toThrow(
      'cron: "0 0 30 2 *" is not a valid cron expression (Invalid explicit day of month definition)',
    );
  });

  it('returns the fires it found when fewer than n fit in the horizon', () => {
    const r = nextFires(sched({ timezone: 'UTC', cron: '0 0 29 2 *' }), emptyCalendars, after, 3, { horizonDays: 2000 });
    expect(r.fires.map((f) => f.localDate)).toEqual(['2024-02-29', '2028-02-29']);
    expect(r.exhausted?.reason).toBe('only 2 fires in the 2000 days after 2024-01-01T00:00:00.000Z');
  });

  it('n = 0 asks for nothing', () => {
    expect(nextFires(sched({ timezone: 'UTC', trigger_times: '09:00' }), emptyCalendars, after, 0)).toEqual({ fires: [], skipped: [] });
  });
});

describe('noFireWithin', () => {
  it('is undefined when the schedule fires within the span', () => {
    expect(noFireWithin(sched({ timezone: 'UTC', cron: '0 0 29 2 *' }), emptyCalendars, after, 60)).toBeUndefined();
    expect(noFireWithin(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '0000001' }), emptyCalendars, after, 7)).toBeUndefined();
  });

  it('says what excluded the days that had slots', () => {
    const cals = calendarSet('ALL', [{ from: '2024-01-01', to: '2024-12-31', reason: 'closed' }]);
    expect(noFireWithin(sched({ timezone: 'UTC', cron: '0 0 * * 0', day_of_week: '1111110' }), emptyCalendars, after, 3000)).toEqual({
      noSlots: false,
      excludedBy: ['day_of_week'],
    });
    expect(noFireWithin(sched({ timezone: 'UTC', cron: '0 0 1-7 * *', ordinal_day: 'last monday of every month' }), emptyCalendars, after, 3000)).toEqual({
      noSlots: false,
      excludedBy: ['ordinal_day'],
    });
    expect(noFireWithin(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '1111100', calendar: 'ALL' }), cals, after, 100)).toEqual({
      noSlots: false,
      excludedBy: ['day_of_week', 'holiday'],
    });
    expect(noFireWithin(sched({ timezone: 'UTC', trigger_times: '09:00', day_of_week: '0000000' }), emptyCalendars, after, 10)).toEqual({
      noSlots: false,
      excludedBy: ['day_of_week'],
    });
  });

  it('a span in which the slot source selects no day', () => {
    const march = Date.parse('2024-03-01T00:00:00Z');
    expect(noFireWithin(sched({ timezone: 'UTC', cron: '0 0 29 2 *' }), emptyCalendars, march, 800)).toEqual({ noSlots: true, excludedBy: [] });
  });
});

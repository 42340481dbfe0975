// Bad schedules fail with a message that names the field.
import { describe, expect, it } from 'vitest';
import type { ScheduleFields } from '../../../src/core/task.js';
import { emptyCalendars, nextFire, planOf } from '../../../src/schedule/index.js';

const base: ScheduleFields = { timezone: 'UTC', day_of_week: '1111111' };

describe('schedule compilation', () => {
  it.each([
    [{ ...base, timezone: 'Mars/Olympus', trigger_times: '09:00' }, 'timezone: "Mars/Olympus" is not a known IANA time zone (e.g. "America/New_York", "Europe/London", "UTC")'],
    [{ ...base }, 'schedule: exactly one of trigger_times, run_frequency, cron is needed; none is set'],
    [{ ...base, trigger_times: '09:00', cron: '0 9 * * *' }, 'schedule: exactly one of trigger_times, run_frequency, cron is needed; trigger_times and cron are set'],
    [{ ...base, trigger_times: '25:00' }, 'trigger_times: "25:00" is not valid; expected comma separated times of day as HH:MM or HH:MM:SS, 00:00 to 23:59:59 (e.g. "08:30, 17:00")'],
    [{ ...base, run_frequency: '10:00-09:00-5' }, 'run_frequency: "10:00-09:00-5" is not valid; expected HH:MM-HH:MM-N: from START to END (START not after END) every N minutes, N from 1 to 1440 (e.g. "09:00-17:00-15")'],
    [{ ...base, trigger_times: '09:00', ordinal_day: 'fifth monday of every month' }, 'ordinal_day: "fifth monday of every month" is not valid; expected "<first|second|third|fourth|last> <weekday> of every month" (e.g. "last friday of every month")'],
  ])('%j', (schedule, message) => {
    expect(() => planOf(schedule)).toThrow(message);
  });

  it('accepts legacy zone links and the plain UTC zone', () => {
    for (const timezone of ['US/Eastern', 'US/Pacific', 'GB', 'Etc/UTC', 'UTC']) {
      expect(nextFire({ ...base, timezone, trigger_times: '09:00' }, emptyCalendars, 0)).toBeTypeOf('number');
    }
  });

  it('caches compiled plans', () => {
    const s = { ...base, cron: '*/5 * * * *' };
    expect(planOf(s)).toBe(planOf({ ...s }));
  });
});

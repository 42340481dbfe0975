import { describe, expect, it } from 'vitest';
import { REBOOT_REASON, translateSchedule } from '../../../src/crontab/schedule.js';
import { emptyCalendars, nextFires } from '../../../src/schedule/index.js';

describe('translateSchedule', () => {
  it('spells out the shorthands, in any case', () => {
    expect(translateSchedule('@daily')).toEqual({ ok: true, cron: '0 0 * * *' });
    expect(translateSchedule('@midnight')).toEqual({ ok: true, cron: '0 0 * * *' });
    expect(translateSchedule('@HOURLY')).toEqual({ ok: true, cron: '0 * * * *' });
    expect(translateSchedule('@weekly')).toEqual({ ok: true, cron: '0 0 * * 0' });
    expect(translateSchedule('@monthly')).toEqual({ ok: true, cron: '0 0 1 * *' });
    expect(translateSchedule('@yearly')).toEqual({ ok: true, cron: '0 0 1 1 *' });
    expect(translateSchedule('@annually')).toEqual({ ok: true, cron: '0 0 1 1 *' });
  });

  it('refuses @reboot and unknown shorthands with the reason', () => {
    expect(translateSchedule('@reboot')).toEqual({ ok: false, reason: REBOOT_REASON });
    expect(translateSchedule('@often')).toEqual({
      ok: false,
      reason: 'unknown shorthand "@often" (cron knows @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    });
  });

  it('keeps five fields as they are when both day fields mean the same to cron and EasyTask', () => {
    expect(translateSchedule('30 4 1,15 * 5')).toEqual({ ok: true, cron: '30 4 1,15 * 5' });
    expect(translateSchedule('0 9 * * mon-fri')).toEqual({ ok: true, cron: '0 9 * * mon-fri' });
    expect(translateSchedule('0 9 */2 * *')).toEqual({ ok: true, cron: '0 9 */2 * *' });
  });

  it('keeps cron\'s AND when a restricted day field starts with * by moving the weekdays to day_of_week', () => {
    expect(translateSchedule('0 9 */2 * mon')).toEqual({ ok: true, cron: '0 9 */2 * *', dayOfWeek: '1000000' });
    expect(translateSchedule('0 9 13 * */2')).toEqual({ ok: true, cron: '0 9 13 * *', dayOfWeek: '0101011' });
    expect(translateSchedule('0 9 */1 * 6,7')).toEqual({ ok: true, cron: '0 9 */1 * *', dayOfWeek: '0000011' });
  });

  it('fires, as cron would, only on odd days that are Mondays for 0 9 */2 * mon', () => {
    const s = translateSchedule('0 9 */2 * mon');
    if (!s.ok) throw new Error(s.reason);
    const { fires } = nextFires({ timezone: 'UTC', cron: s.cron, day_of_week: s.dayOfWeek! }, emptyCalendars, Date.UTC(2026, 0, 1), 4);
    expect(fires.map((f) => new Date(f.at).toISOString())).toEqual([
      '2026-01-05T09:00:00.000Z',
      '2026-01-19T09:00:00.000Z',
      '2026-02-09T09:00:00.000Z',
      '2026-02-23T09:00:00.000Z',
    ]);
  });
});

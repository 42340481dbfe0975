// Slots in a past range, for catch-up after downtime, and the slots holidays swallowed.
import { describe, expect, it } from 'vitest';
import { emptyCalendars, slotsBetween, slotsBetweenWithHolidays } from '../../../src/schedule/index.js';
import { calendarSet, sched, show } from './helpers.js';

const hourly = sched({ timezone: 'UTC', run_frequency: '00:00-23:00-60' });

describe('slotsBetween', () => {
  it('lists the fires in (from, to]', () => {
    const r = slotsBetween(hourly, emptyCalendars, Date.parse('2024-05-01T01:00:00Z'), Date.parse('2024-05-01T04:00:00Z'), 10);
    expect(r.fires.map((f) => f.slot)).toEqual(['02:00', '03:00', '04:00']);
    expect(r.omitted).toBe(0);
  });

  it('keeps the latest `limit` fires and counts the rest', () => {
    const r = slotsBetween(hourly, emptyCalendars, Date.parse('2024-05-01T00:00:00Z'), Date.parse('2024-05-02T00:00:00Z'), 3);
    expect(r.fires.map((f) => f.local)).toEqual(['2024-05-01T22:00:00+00:00', '2024-05-01T23:00:00+00:00', '2024-05-02T00:00:00+00:00']);
    expect(r.omitted).toBe(21);
  });

  it('an empty or reversed range has no fires', () => {
    expect(slotsBetween(hourly, emptyCalendars, 1000, 1000, 10)).toEqual({ fires: [], omitted: 0 });
    expect(slotsBetween(hourly, emptyCalendars, 2000, 1000, 10)).toEqual({ fires: [], omitted: 0 });
  });

  it('agrees with nextFires across a fall-back night', () => {
    const s = sched({ timezone: 'America/New_York', cron: '*/15 0-3 * * *' });
    const r = slotsBetween(s, emptyCalendars, Date.parse('2024-11-03T03:00:00Z'), Date.parse('2024-11-03T09:00:00Z'), 100);
    expect(r.fires).toHaveLength(16);
    expect(r.fires.filter((f) => f.slot === '01:30').map(show)).toEqual(['2024-11-03T01:30:00-04:00 01:30']);
  });
});

describe('slotsBetweenWithHolidays', () => {
  const cals = calendarSet('TEST', [{ date: '2024-12-25', reason: 'Christmas Day' }]);
  const s = sched({ timezone: 'Europe/London', trigger_times: '09:00,17:00', day_of_week: '1111100', calendar: 'TEST' });

  it('returns the holiday slots, with calendar and reason, but not the weekend ones', () => {
    const r = slotsBetweenWithHolidays(s, cals, Date.parse('2024-12-24T12:00:00Z'), Date.parse('2024-12-30T12:00:00Z'), 50);
    expect(r.fires.map(show)).toEqual([
      '2024-12-24T17:00:00+00:00 17:00',
      '2024-12-26T09:00:00+00:00 09:00',
      '2024-12-26T17:00:00+00:00 17:00',
      '2024-12-27T09:00:00+00:00 09:00',
      '2024-12-27T17:00:00+00:00 17:00',
      '2024-12-30T09:00:00+00:00 09:00',
    ]);
    expect(r.holidays).toEqual([
      { at: Date.parse('2024-12-25T09:00:00Z'), local: '2024-12-25T09:00:00+00:00', localDate: '2024-12-25', slot: '09:00', calendar: 'TEST', holiday: 'Christmas Day' },
      { at: Date.parse('2024-12-25T17:00:00Z'), local: '2024-12-25T17:00:00+00:00', localDate: '2024-12-25', slot: '17:00', calendar: 'TEST', holiday: 'Christmas Day' },
    ]);
    expect(r.omitted).toBe(0);
    expect(r.omittedHolidays).toBe(0);
  });

  it('a schedule without a calendar has no holiday slots', () => {
    const r = slotsBetweenWithHolidays(hourly, cals, Date.parse('2024-12-25T00:00:00Z'), Date.parse('2024-12-25T03:00:00Z'), 50);
    expect(r.fires).toHaveLength(3);
    expect(r.holidays).toEqual([]);
  });
});

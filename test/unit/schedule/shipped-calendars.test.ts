// The calendars shipped in calendars/: they load, they are found, and known dates are right.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  calendarDates,
  findCalendarsDirFrom,
  holidayOn,
  loadCalendars,
  shippedCalendarsDir,
  userCalendarsDir,
} from '../../../src/schedule/index.js';

const dir = shippedCalendarsDir({});
const { calendars, warnings } = loadCalendars(dir === undefined ? [] : [dir], { now: Date.parse('2025-01-01T00:00:00Z') });
const cal = (name: string) => calendars.get(name)!;

describe('shipped calendars', () => {
  it('are found from the source tree, or from $EASYTASK_CALENDARS_DIR', () => {
    expect(dir).toBe(join(process.cwd(), 'calendars'));
    expect(shippedCalendarsDir({ EASYTASK_CALENDARS_DIR: '/opt/cal' })).toBe('/opt/cal');
    expect(findCalendarsDirFrom('/')).toBeUndefined();
    expect(userCalendarsDir('/home/me/.local/state/easytask')).toBe('/home/me/.local/state/easytask/calendars');
  });

  it('all load without warnings and cover 2024 through 2030', () => {
    expect([...calendars.keys()].sort()).toEqual(['UK_BANK_HOLIDAYS', 'US_HOLIDAYS', 'US_MARKET_HOLIDAYS']);
    expect(warnings).toEqual([]);
    for (const c of calendars.values()) {
      expect(c.first!.slice(0, 4)).toBe('2024');
      expect(c.last!.slice(0, 4)).toBe('2030');
    }
  });

  it('never put a US or UK closure on a weekend', () => {
    for (const c of calendars.values()) {
      for (const { date } of calendarDates(c)) expect([0, 6], `${c.name} ${date}`).not.toContain(new Date(`${date}T00:00:00Z`).getUTCDay());
    }
  });

  it.each([
    ['US_HOLIDAYS', '2024-11-28', 'Thanksgiving Day'],
    ['US_HOLIDAYS', '2025-06-19', 'Juneteenth National Independence Day'],
    ['US_HOLIDAYS', '2026-07-03', 'Independence Day (observed)'],
    ['US_HOLIDAYS', '2027-12-31', "New Year's Day (observed)"],
    ['US_HOLIDAYS', '2028-11-10', 'Veterans Day (observed)'],
    ['US_MARKET_HOLIDAYS', '2024-03-29', 'Good Friday'],
    ['US_MARKET_HOLIDAYS', '2025-01-09', 'National Day of Mourning for President Jimmy Carter'],
    ['US_MARKET_HOLIDAYS', '2025-04-18', 'Good Friday'],
    ['US_MARKET_HOLIDAYS', '2027-03-26', 'Good Friday'],
    ['US_MARKET_HOLIDAYS', '2027-12-24', 'Christmas Day (observed)'],
    ['UK_BANK_HOLIDAYS', '2026-12-28', 'Boxing Day (substitute day)'],
    ['UK_BANK_HOLIDAYS', '2027-12-27', 'Christmas Day (substitute day)'],
    ['UK_BANK_HOLIDAYS', '2028-01-03', "New Year's Day (substitute day)"],
    ['UK_BANK_HOLIDAYS', '2030-04-22', 'Easter Monday'],
  ])('%s has %s (%s)', (name, date, reason) => {
    expect(holidayOn(cal(name), date)).toBe(reason);
  });

  it.each([
    ['US_MARKET_HOLIDAYS', '2027-12-31', 'NYSE stays open on a Friday that ends the year'],
    ['US_MARKET_HOLIDAYS', '2025-10-13', 'Columbus Day is a trading day'],
    ['US_MARKET_HOLIDAYS', '2025-11-11', 'Veterans Day is a trading day'],
    ['US_HOLIDAYS', '2025-04-18', 'Good Friday is not a federal holiday'],
    ['UK_BANK_HOLIDAYS', '2026-12-26', 'a Saturday Boxing Day moves to Monday'],
  ])('%s does not have %s: %s', (name, date) => {
    expect(holidayOn(cal(name), date)).toBeUndefined();
  });

  it('have the expected number of dates a year', () => {
    const perYear = (name: string, year: string) => calendarDates(cal(name)).filter((d) => d.date.startsWith(year)).length;
    expect(perYear('US_HOLIDAYS', '2025')).toBe(11);
    expect(perYear('US_HOLIDAYS', '2027')).toBe(12); // includes New Year's Day 2028 observed
    expect(perYear('US_HOLIDAYS', '2028')).toBe(10);
    expect(perYear('US_MARKET_HOLIDAYS', '2025')).toBe(11);
    expect(perYear('US_MARKET_HOLIDAYS', '2028')).toBe(9);
    expect(perYear('UK_BANK_HOLIDAYS', '2026')).toBe(8);
  });
});

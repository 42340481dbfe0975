// All slots in a past range, for catch-up after downtime: the fires, and the slots a holiday
// swallowed (the daemon records those as SKIPPED with reason `holiday`).

import type { ScheduleFields } from '../core/task.js';
import type { CalendarSet } from './calendar.js';
import { parseIsoDate } from './civil.js';
import { makeFire, type Fire } from './fires.js';
import { calendarOf } from './next-fires.js';
import { planOf } from './plan.js';
import { scan } from './scan.js';
import type { ZoneClock } from './zone.js';

export interface HolidaySlot extends Fire {
  /** The calendar that excluded the day. */
  calendar: string;
  /** Its reason for the date, e.g. "Christmas Day". */
  holiday: string;
}

export interface SlotsBetweenResult {
  /** Fires in (fromExclusive, toInclusive], ascending; the latest `limit` when there are more. */
  fires: Fire[];
  /** How many earlier fires were left out because of `limit`. */
  omitted: number;
}

export interface SlotsWithHolidaysResult extends SlotsBetweenResult {
  /** Slots on days excluded only by a calendar date, ascending; the latest `limit` when there are more. */
  holidays: HolidaySlot[];
  omittedHolidays: number;
}

/** A ring buffer of the last `limit` raw slots; formatting waits until the end. */
class Tail {
  private readonly buf: [number, number, number, boolean][] = [];
  private next = 0;
  dropped = 0;
  constructor(private readonly limit: number) {}
  push(day: number, sec: number, at: number, shifted: boolean): boolean {
    if (this.limit <= 0) this.dropped++;
    else if (this.buf.length < this.limit) this.buf.push([day, sec, at, shifted]);
    else {
      this.buf[this.next] = [day, sec, at, shifted];
      this.next = (this.next + 1) % this.limit;
      this.dropped++;
    }
    return true;
  }
  fires(zone: ZoneClock): Fire[] {
    const ordered = [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
    return ordered.map(([day, sec, at, shifted]) => makeFire(zone, day, sec, at, shifted));
  }
}

/** Every fire instant in (fromExclusive, toInclusive], keeping the latest `limit`. */
export function slotsBetween(
  schedule: ScheduleFields,
  calendars: CalendarSet,
  fromExclusive: number,
  toInclusive: number,
  limit: number,
): SlotsBetweenResult {
  const plan = planOf(schedule);
  const fires = new Tail(limit);
  if (toInclusive > fromExclusive) {
    scan(plan, calendarOf(plan, calendars), fromExclusive, toInclusive, { fire: (...s) => fires.push(...s) });
  }
  return { fires: fires.fires(plan.zone), omitted: fires.dropped };
}

/** Like slotsBetween, plus the slots that would have fired on eligible days that are calendar dates. */
export function slotsBetweenWithHolidays(
  schedule: ScheduleFields,
  calendars: CalendarSet,
  fromExclusive: number,
  toInclusive: number,
  limit: number,
): SlotsWithHolidaysResult {
  const plan = planOf(schedule);
  const calendar = calendarOf(plan, calendars);
  const fires = new Tail(limit);
  const holidays = new Tail(limit);
  if (toInclusive > fromExclusive) {
    scan(plan, calendar, fromExclusive, toInclusive, {
      fire: (...s) => fires.push(...s),
      holidaySlot: calendar === undefined ? undefined : (...s) => holidays.push(...s),
    });
  }
  const holidaySlots = holidays.fires(plan.zone).map((f) => ({
    ...f,
    calendar: calendar!.name,
    holiday: calendar!.days.get(parseIsoDate(f.localDate)!) ?? 'holiday',
  }));
  return { fires: fires.fires(plan.zone), omitted: fires.dropped, holidays: holidaySlots, omittedHolidays: holidays.dropped };
}

// Which local days a schedule may fire on: day_of_week or ordinal_day, minus its calendar's dates.

import { badInput } from '../core/errors.js';
import { ORDINALS, WEEKDAYS, parseDayOfWeek, parseOrdinalDay, type OrdinalDay } from '../core/schedule-fields.js';
import { WEEKDAY_NAMES, civilFromDays, daysInMonth, weekdayIndex } from './civil.js';
import type { Calendar } from './calendar.js';

export type SkipCause = 'holiday' | 'day_of_week' | 'ordinal_day';

/** 0 = eligible; otherwise why not. Numbers keep the hot path free of allocation. */
export const ELIGIBLE = 0;
export const NOT_IN_MASK = 1;
export const NOT_ORDINAL = 2;
export const HOLIDAY = 3;
export type DayVerdict = typeof ELIGIBLE | typeof NOT_IN_MASK | typeof NOT_ORDINAL | typeof HOLIDAY;

export const CAUSE_OF: Record<Exclude<DayVerdict, 0>, SkipCause> = {
  [NOT_IN_MASK]: 'day_of_week',
  [NOT_ORDINAL]: 'ordinal_day',
  [HOLIDAY]: 'holiday',
};

export class DayFilter {
  private readonly mask: boolean[];
  private readonly ordinal: OrdinalDay | undefined;

  constructor(
    readonly dayOfWeek: string,
    ordinalDay: string | undefined,
  ) {
    const mask = parseDayOfWeek(dayOfWeek);
    if (!mask.ok) throw badInput(`day_of_week: "${dayOfWeek}" is not valid; expected ${mask.expected}`);
    this.mask = mask.value;
    if (ordinalDay === undefined) {
      this.ordinal = undefined;
    } else {
      const ord = parseOrdinalDay(ordinalDay);
      if (!ord.ok) throw badInput(`ordinal_day: "${ordinalDay}" is not valid; expected ${ord.expected}`);
      this.ordinal = ord.value;
    }
  }

  /** True when no day can ever pass the weekday rule (mask 0000000 without ordinal_day). */
  get selectsNoWeekday(): boolean {
    return this.ordinal === undefined && !this.mask.includes(true);
  }

  check(day: number, calendar: Calendar | undefined): DayVerdict {
    if (this.ordinal === undefined) {
      if (!this.mask[weekdayIndex(day)]) return NOT_IN_MASK;
    } else if (!isOrdinalDay(this.ordinal, day)) {
      return NOT_ORDINAL;
    }
    if (calendar !== undefined && calendar.days.has(day)) return HOLIDAY;
    return ELIGIBLE;
  }

  /** The human explanation of a verdict for a day. */
  detail(day: number, verdict: DayVerdict, calendar: Calendar | undefined): string {
    switch (verdict) {
      case ELIGIBLE:
        return 'eligible';
      case NOT_IN_MASK:
        return `${WEEKDAY_NAMES[weekdayIndex(day)]} is 0 in day_of_week ${this.dayOfWeek}`;
      case NOT_ORDINAL: {
        const o = this.ordinal!;
        return `not the ${ORDINALS[o.nth === -1 ? 4 : o.nth - 1]} ${WEEKDAYS[o.weekday - 1]} of the month`;
      }
      case HOLIDAY:
        return calendar?.days.get(day) ?? 'holiday';
    }
  }
}

function isOrdinalDay(o: OrdinalDay, day: number): boolean {
  if (weekdayIndex(day) + 1 !== o.weekday) return false;
  const c = civilFromDays(day);
  if (o.nth === -1) return c.day + 7 > daysInMonth(c.year, c.month);
  return Math.ceil(c.day / 7) === o.nth;
}

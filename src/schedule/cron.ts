// Cron as local wall-clock slots. cron-parser parses the expression; the matching is done here on
// wall-clock days, because cron-parser's own DST handling does not follow EasyTask's rules (it
// skips a time inside a spring-forward gap) and its next() is too slow for the daemon's hot path.
// Day matching mirrors cron-parser's rules (L, nL, n#k, and the Vixie OR of day-of-month and
// day-of-week when both are restricted); a test compares the two on random expressions in UTC.

import { CronExpressionParser } from 'cron-parser';
import { badInput } from '../core/errors.js';
import { civilFromDays, daysInMonth, weekdayIndex } from './civil.js';
import type { TimeSource } from './times.js';

type FieldValue = number | string;

interface DayRule {
  months: ReadonlySet<number>;
  domValues: ReadonlySet<number>;
  domLast: boolean;
  domRestricted: boolean;
  dowValues: readonly FieldValue[];
  dowNumbers: ReadonlySet<number>;
  dowLast: boolean;
  dowRestricted: boolean;
  nth: number;
}

const numbers = (values: readonly FieldValue[]): number[] =>
  values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);

export class CronTimes implements TimeSource {
  private readonly hours: number[];
  private readonly minutes: number[];
  private readonly seconds: number[];
  private readonly rule: DayRule;
  private cachedDay = Number.NaN;
  private cachedMatch = false;

  constructor(readonly expression: string) {
    const fields = parseCron(expression);
    this.hours = numbers(fields.hour.values);
    this.minutes = numbers(fields.minute.values);
    this.seconds = numbers(fields.second.values);
    this.rule = {
      months: new Set(numbers(fields.month.values)),
      domValues: new Set(numbers(fields.dayOfMonth.values)),
      domLast: fields.dayOfMonth.hasLastChar,
      domRestricted: !fields.dayOfMonth.isWildcard,
      dowValues: [...fields.dayOfWeek.values],
      dowNumbers: new Set(numbers(fields.dayOfWeek.values).map((v) => v % 7)),
      dowLast: fields.dayOfWeek.hasLastChar,
      dowRestricted: !fields.dayOfWeek.isWildcard,
      nth: fields.dayOfWeek.nthDay,
    };
  }

  /** Whether the expression selects this epoch day at all. */
  matchesDay(day: number): boolean {
    if (day !== this.cachedDay) {
      this.cachedDay = day;
      this.cachedMatch = matchDay(this.rule, day);
    }
    return this.cachedMatch;
  }

  next(day: number, sec: number): number {
    if (sec >= 86_400 || !this.matchesDay(day)) return -1;
    const h0 = Math.floor(sec / 3600);
    const m0 = Math.floor((sec % 3600) / 60);
    const s0 = sec % 60;
    const firstMinute = this.minutes[0]!;
    const firstSecond = this.seconds[0]!;
    for (const h of this.hours) {
      if (h < h0) continue;
      if (h > h0) return h * 3600 + firstMinute * 60 + firstSecond;
      for (const m of this.minutes) {
        if (m < m0) continue;
        if (m > m0) return h * 3600 + m * 60 + firstSecond;
        for (const s of this.seconds) if (s >= s0) return h * 3600 + m * 60 + s;
      }
    }
    return -1;
  }
}

function parseCron(expression: string): ReturnType<typeof CronExpressionParser.parse>['fields'] {
  const count = expression.trim().split(/\s+/).length;
  const macro = expression.trim().startsWith('@');
  if (!macro && count !== 5 && count !== 6) {
    throw badInput(`cron: "${expression}" has ${count} fields; expected 5 (minute hour day month weekday) or 6 (seconds first)`);
  }
  try {
    return CronExpressionParser.parse(expression, { tz: 'UTC' }).fields;
  } catch (err) {
    throw badInput(`cron: "${expression}" is not a valid cron expression (${(err as Error).message})`);
  }
}

function matchDay(rule: DayRule, day: number): boolean {
  const { year, month, day: dom } = civilFromDays(day);
  if (!rule.months.has(month)) return false;
  const dim = daysInMonth(year, month);
  const weekday = (weekdayIndex(day) + 1) % 7; // cron counts Sunday = 0
  const matchedDom = rule.domValues.has(dom) || (rule.domLast && dom === dim);
  const matchedDow =
    (rule.dowNumbers.has(weekday) && (rule.nth <= 0 || Math.ceil(dom / 7) === rule.nth)) ||
    (rule.dowLast && dom + 7 > dim && rule.dowValues.some((v) => parseInt(String(v).charAt(0), 10) % 7 === weekday));
  if (rule.domRestricted && rule.dowRestricted) return matchedDom || matchedDow;
  if (!rule.dowRestricted) return matchedDom;
  return matchedDow;
}

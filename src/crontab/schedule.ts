// A cron line's time fields as EasyTask's `cron` field, keeping Vixie cron's meaning where the two differ.
import { CronExpressionParser } from 'cron-parser';
import { CRON_SHORTHANDS } from '../core/schedule-fields.js';


export const REBOOT_REASON =
  '@reboot has no EasyTask equivalent: tasks run on a schedule, not when the machine starts (a systemd unit with WantedBy=multi-user.target does that)';

export type CronSchedule = { ok: true; cron: string; dayOfWeek?: string } | { ok: false; reason: string };

/** Monday-first 0/1 mask of the weekdays a day-of-week field selects, or undefined if it has L or #. */
function weekdayMask(dow: string): string | undefined {
  let values: readonly (number | string)[];
  try {
    values = CronExpressionParser.parse(`0 0 * * ${dow}`).fields.dayOfWeek.values;
  } catch {
    return undefined;
  }
  if (values.some((v) => typeof v !== 'number') || dow.includes('#') || /l/i.test(dow)) return undefined;
  const days = new Set(values.map((v) => (v as number) % 7));
  return [1, 2, 3, 4, 5, 6, 0].map((d) => (days.has(d) ? '1' : '0')).join('');
}

/**
 * Vixie cron runs a job when day-of-month OR day-of-week matches only if neither field starts with
 * "*"; `*\/2` counts as a star, so `0 0 *\/2 * 1` means odd days that are Mondays. EasyTask (like
 * cron-parser) treats any field other than a plain `*` as restricted, so that AND is kept by
 * moving the weekdays into `day_of_week`.
 */
function keepVixieDayRule(fields: string[]): CronSchedule {
  const [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const starAnd = (dom.startsWith('*') || dow.startsWith('*')) && dom !== '*' && dow !== '*';
  if (!starAnd) return { ok: true, cron: fields.join(' ') };
  const mask = weekdayMask(dow);
  if (mask === undefined) return { ok: true, cron: fields.join(' ') };
  return { ok: true, cron: [min, hour, dom, month, '*'].join(' '), dayOfWeek: mask };
}

export function translateSchedule(schedule: string): CronSchedule {
  if (schedule.startsWith('@')) {
    const key = schedule.toLowerCase();
    if (key === '@reboot') return { ok: false, reason: REBOOT_REASON };
    const long = CRON_SHORTHANDS[key];
    if (long === undefined) return { ok: false, reason: `unknown shorthand "${schedule}" (cron knows @reboot, ${Object.keys(CRON_SHORTHANDS).join(', ')})` };
    return { ok: true, cron: long };
  }
  return keepVixieDayRule(schedule.split(/\s+/));
}

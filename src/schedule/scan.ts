// The one loop every query uses: walk local days and their wall-clock slots forward from an
// instant, resolve each slot to an instant under the DST rules, and report fires and excluded days.

import { DAY_MS, DAY_SECONDS, floorDiv } from './civil.js';
import type { Calendar } from './calendar.js';
import { ELIGIBLE, HOLIDAY, type DayVerdict } from './day-filter.js';
import type { Plan } from './plan.js';

/** Return false to stop the scan. */
export type SlotVisitor = (day: number, sec: number, at: number, shifted: boolean) => boolean;
export type DayVisitor = (day: number, verdict: Exclude<DayVerdict, 0>) => boolean;

export interface ScanHooks {
  /** Each fire in order: strictly increasing instants, all after `after`. */
  fire: SlotVisitor;
  /** Each excluded local day that had at least one slot after `after`. */
  excludedDay?: DayVisitor;
  /** Each slot that would have fired on a day excluded only by its calendar (same instant rules as fires). */
  holidaySlot?: SlotVisitor;
}

export interface ScanEnd {
  /** 'stopped' when a visitor said so, 'limit' when the next slot is after `until`. */
  end: 'stopped' | 'limit';
  /** Excluded days with slots, by verdict (1 mask, 2 ordinal, 3 holiday). */
  excluded: [number, number, number, number];
  /** Days whose slot source gave at least one slot. */
  daysWithSlots: number;
}

/**
 * Visit the slots with instants in (after, until], in order. A slot inside a DST gap resolves to the
 * gap's end; a repeated wall time to its first occurrence; slots that resolve to an instant already
 * visited are collapsed; a local date that does not exist at all (a whole day skipped by the zone)
 * has no slots.
 */
export function scan(plan: Plan, calendar: Calendar | undefined, after: number, until: number, hooks: ScanHooks): ScanEnd {
  const { zone, times, days } = plan;
  const result: ScanEnd = { end: 'limit', excluded: [0, 0, 0, 0], daysWithSlots: 0 };
  if (days.selectsNoWeekday) return result;
  const startWall = zone.wallOf(after);
  let day = floorDiv(startWall, DAY_MS);
  let sec = Math.floor((startWall - day * DAY_MS) / 1000) + 1;
  const lastDay = floorDiv(zone.wallOf(until), DAY_MS);
  let lastFire = after;
  let lastHoliday = after;
  for (; day <= lastDay; day++, sec = 0) {
    let s = sec < DAY_SECONDS ? times.next(day, sec) : -1;
    if (s < 0) continue;
    const dayStart = day * DAY_MS;
    let at = zone.resolve(dayStart + s * 1000);
    let shifted = zone.wallOf(at) !== dayStart + s * 1000;
    if (shifted && dayMissing(plan, at, dayStart)) continue;
    if (at > until) return result;
    result.daysWithSlots++;
    const verdict = days.check(day, calendar);
    if (verdict !== ELIGIBLE) {
      result.excluded[verdict]++;
      if (hooks.excludedDay !== undefined && !hooks.excludedDay(day, verdict)) return stop(result);
      if (hooks.holidaySlot === undefined || verdict !== HOLIDAY) continue;
    }
    for (;;) {
      if (verdict === ELIGIBLE && at > lastFire) {
        lastFire = at;
        if (!hooks.fire(day, s, at, shifted)) return stop(result);
      } else if (verdict !== ELIGIBLE && at > lastHoliday) {
        lastHoliday = at;
        if (!hooks.holidaySlot!(day, s, at, shifted)) return stop(result);
      }
      s = s + 1 < DAY_SECONDS ? times.next(day, s + 1) : -1;
      if (s < 0) break;
      at = zone.resolve(dayStart + s * 1000);
      shifted = zone.wallOf(at) !== dayStart + s * 1000;
      if (shifted && dayMissing(plan, at, dayStart)) break;
      if (at > until) return result;
    }
  }
  return result;
}

function stop(result: ScanEnd): ScanEnd {
  result.end = 'stopped';
  return result;
}

/** True when the gap that swallowed a slot covers its whole local day (e.g. Samoa, 2011-12-30). */
function dayMissing(plan: Plan, at: number, dayStart: number): boolean {
  const gap = plan.zone.gapAround(at);
  return gap.startWall <= dayStart && gap.endWall >= dayStart + DAY_MS;
}

// Properties over random zones, times and masks, checked against luxon as an independent oracle:
// fires strictly increase, are never at or before `after`, fall on eligible local days, never
// repeat a local slot, are never early, and no existing slot on an eligible day is dropped.
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ScheduleFields } from '../../../src/core/task.js';
import { emptyCalendars, nextFires, type Fire } from '../../../src/schedule/index.js';

const ZONES = [
  'UTC', 'America/New_York', 'US/Eastern', 'Europe/London', 'Europe/Berlin', 'Australia/Lord_Howe',
  'America/Santiago', 'Asia/Kolkata', 'Pacific/Apia', 'America/Sao_Paulo', 'Asia/Tehran', 'America/Havana',
  'Pacific/Chatham', 'America/St_Johns', 'Asia/Kathmandu', 'Africa/Cairo', 'Europe/Moscow', 'Antarctica/Troll',
  'America/Nuuk', 'Pacific/Kiritimati', 'America/Caracas',
];

const pad = (n: number): string => String(n).padStart(2, '0');
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 0, 0, 30));
const fmt = ([h, m, s]: [number, number, number]): string => `${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}`;

const slotSource = fc.oneof(
  fc.uniqueArray(time, { minLength: 1, maxLength: 4, selector: fmt }).map((ts) => ({ trigger_times: ts.map(fmt).sort().join(',') })),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 6 }), fc.constantFrom(1, 7, 15, 30, 45, 60, 1440))
    .map(([h, span, n]) => ({ run_frequency: `${pad(h)}:00-${pad(Math.min(23, h + span))}:30-${n}` })),
  fc
    .tuple(fc.constantFrom('0', '*/15', '5,35', '0-10/5'), fc.constantFrom('*', '0-3', '1,2', '22-23', '*/6'))
    .map(([m, h]) => ({ cron: `${m} ${h} * * *` })),
);

const scheduleArb = fc.record({
  timezone: fc.constantFrom(...ZONES),
  day_of_week: fc.integer({ min: 1, max: 127 }).map((n) => n.toString(2).padStart(7, '0')),
  source: slotSource,
});

/** Every wall-clock slot label of a schedule on one day, via luxon-free arithmetic on the fields. */
function slotsOf(s: ScheduleFields): string[] {
  if (s.trigger_times) return s.trigger_times.split(',');
  if (s.run_frequency) {
    const [a, b, n] = s.run_frequency.split('-');
    const toMin = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
    const out: string[] = [];
    for (let m = toMin(a!); m <= toMin(b!); m += Number(n)) out.push(`${pad(Math.floor(m / 60))}:${pad(m % 60)}`);
    return out;
  }
  const [mf, hf] = s.cron!.split(' ');
  const expand = (f: string, max: number): number[] => {
    const all = Array.from({ length: max }, (_, i) => i);
    if (f === '*') return all;
    if (f.startsWith('*/')) return all.filter((v) => v % Number(f.slice(2)) === 0);
    if (f.includes('/')) {
      const [range, step] = f.split('/');
      const [lo, hi] = range!.split('-').map(Number);
      return all.filter((v) => v >= lo! && v <= hi! && (v - lo!) % Number(step) === 0);
    }
    if (f.includes('-')) {
      const [lo, hi] = f.split('-').map(Number);
      return all.filter((v) => v >= lo! && v <= hi!);
    }
    return f.split(',').map(Number);
  };
  return expand(hf!, 24).flatMap((h) => expand(mf!, 60).map((m) => `${pad(h)}:${pad(m)}`));
}

const wallParts = (date: string, slot: string) => {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi, sec] = slot.split(':').map(Number);
  return { year: y!, month: mo!, day: d!, hour: h!, minute: mi!, second: sec ?? 0 };
};

function checkFire(s: ScheduleFields, f: Fire): void {
  const local = DateTime.fromMillis(f.at, { zone: s.timezone });
  expect(f.local).toBe(local.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"));
  const wanted = wallParts(f.localDate, f.slot);
  const weekday = DateTime.fromObject({ year: wanted.year, month: wanted.month, day: wanted.day }, { zone: 'UTC' }).weekday;
  expect(s.day_of_week[weekday - 1], `${f.localDate} is eligible`).toBe('1');
  const sameWall = local.toFormat('yyyy-MM-dd HH:mm:ss') === DateTime.fromObject(wanted, { zone: 'UTC' }).toFormat('yyyy-MM-dd HH:mm:ss');
  if (f.shifted === undefined) {
    expect(sameWall, `${f.local} shows ${f.localDate} ${f.slot}`).toBe(true);
  } else {
    // A gap fire: the slot's wall time does not exist; one second earlier the clock read earlier than the slot.
    const before = DateTime.fromMillis(f.at - 1000, { zone: s.timezone });
    const slotWall = DateTime.fromObject(wanted, { zone: 'UTC' }).toMillis();
    const wallOf = (t: DateTime): number => DateTime.fromObject(t.toObject(), { zone: 'UTC' }).toMillis();
    expect(wallOf(before)).toBeLessThan(slotWall);
    expect(wallOf(local)).toBeGreaterThan(slotWall);
  }
}

/**
 * Every instant whose local time in `zone` is the given wall time, from luxon's raw offsets (luxon's
 * own fromObject guesses wrongly next to some transitions, so it is not used as the oracle).
 */
function instantsOf(zone: string, parts: ReturnType<typeof wallParts>): number[] {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const z = new IANAZone(zone);
  const offsets = new Set<number>();
  for (let h = -30; h <= 30; h += 3) offsets.add(z.offset(wall + h * 3_600_000));
  return [...offsets].map((o) => wall - o * 60_000).filter((t) => z.offset(t) * 60_000 === wall - t);
}

/** False for a local date the zone skipped entirely (Samoa, 2011-12-30). */
function dayExists(zone: string, date: string): boolean {
  const [year, month, day] = date.split('-').map(Number);
  const parts = { year: year!, month: month!, day: day!, hour: 0, minute: 0, second: 0 };
  return Array.from({ length: 24 }, (_, hour) => instantsOf(zone, { ...parts, hour })).some((a) => a.length > 0);
}

/** Slots that exist on eligible days strictly between the first and last fire must all be there. */
function checkComplete(s: ScheduleFields, fires: Fire[]): void {
  const keys = new Set(fires.map((f) => `${f.localDate} ${f.slot}`));
  const first = DateTime.fromISO(fires[0]!.localDate, { zone: 'UTC' });
  const last = DateTime.fromISO(fires[fires.length - 1]!.localDate, { zone: 'UTC' });
  for (let d = first.plus({ days: 1 }); d < last; d = d.plus({ days: 1 })) {
    if (s.day_of_week[d.weekday - 1] !== '1') continue;
    const date = d.toISODate()!;
    for (const slot of slotsOf(s)) {
      const parts = wallParts(date, slot);
      const instants = instantsOf(s.timezone, parts);
      if (instants.length > 0) {
        // Fired at its first occurrence under its own label, or collapsed into a gap fire at that instant.
        const first = Math.min(...instants);
        const fired = fires.some((f) => f.at === first && (`${f.localDate} ${f.slot}` === `${date} ${slot}` || f.shifted));
        expect(fired, `${date} ${slot} in ${s.timezone} fired at ${new Date(first).toISOString()}`).toBe(true);
      } else if (dayExists(s.timezone, date)) {
        // Inside a gap: fired once at the gap's end, under this slot's label or an earlier gap slot's.
        const prevDate = d.minus({ days: 1 }).toISODate()!;
        expect(fires.some((f) => f.shifted && (f.localDate === date || f.localDate === prevDate)), `${date} ${slot} fired after the gap`).toBe(true);
      } else {
        expect(fires.some((f) => f.localDate === date), `${date} does not exist in ${s.timezone}`).toBe(false);
      }
    }
  }
}

describe('schedule properties', () => {
  it('hold for random zones, slots and masks', () => {
    const after = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2035-12-31T00:00:00Z') });
    fc.assert(
      fc.property(scheduleArb, after, fc.integer({ min: 1, max: 40 }), ({ timezone, day_of_week, source }, from, n) => {
        const s: ScheduleFields = { timezone, day_of_week, ...source };
        const r = nextFires(s, emptyCalendars, from, n);
        expect(r.fires).toHaveLength(n);
        let prev = from;
        const seen = new Set<string>();
        for (const f of r.fires) {
          expect(f.at).toBeGreaterThan(prev);
          prev = f.at;
          const key = `${f.localDate} ${f.slot}`;
          expect(seen.has(key), `duplicate ${key}`).toBe(false);
          seen.add(key);
          checkFire(s, f);
        }
        checkComplete(s, r.fires);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('walking fire by fire gives the same list as asking for n at once', () => {
    fc.assert(
      fc.property(scheduleArb, fc.integer({ min: Date.parse('2010-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') }), ({ timezone, day_of_week, source }, from) => {
        const s: ScheduleFields = { timezone, day_of_week, ...source };
        const all = nextFires(s, emptyCalendars, from, 12).fires.map((f) => f.at);
        const stepped: number[] = [];
        let t = from;
        for (let i = 0; i < 12; i++) {
          t = nextFires(s, emptyCalendars, t, 1).fires[0]!.at;
          stepped.push(t);
        }
        expect(stepped).toEqual(all);
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});

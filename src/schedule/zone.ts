// Fast UTC offsets and the wall-clock → instant mapping that carries the daylight-saving rules.
//
// Luxon answers "what is the offset at this instant" correctly but slowly (an Intl round trip).
// A zone changes its offset at most once a day in practice, so each UTC day is probed once at its
// two ends; a day whose ends differ is searched for the exact transition second. Later lookups are
// one Map read.

import { IANAZone } from 'luxon';
import { badInput } from '../core/errors.js';
import { DAY_MS, floorDiv, formatOffset, isoWallDateTime } from './civil.js';

/** Offsets of one UTC day: constant, or a change at `at`. */
type DayOffsets = number | { before: number; after: number; at: number };

/** How far (ms) a wall-clock time can sit from its instant: the largest real UTC offset is 14 h. */
const SEARCH_SPAN_MS = DAY_MS;

export class ZoneClock {
  readonly name: string;
  private readonly zone: IANAZone;
  private readonly days = new Map<number, DayOffsets>();

  constructor(name: string) {
    if (!IANAZone.isValidZone(name)) {
      throw badInput(`timezone: "${name}" is not a known IANA time zone (e.g. "America/New_York", "Europe/London", "UTC")`);
    }
    this.name = name;
    this.zone = IANAZone.create(name);
  }

  /** The UTC offset in ms at an instant (local = instant + offset). */
  offsetMs(ts: number): number {
    const day = floorDiv(ts, DAY_MS);
    const entry = this.days.get(day) ?? this.probe(day);
    if (typeof entry === 'number') return entry;
    return ts < entry.at ? entry.before : entry.after;
  }

  /** The wall-clock time (local time counted as if UTC, ms) of an instant. */
  wallOf(ts: number): number {
    return ts + this.offsetMs(ts);
  }

  /**
   * The instant of a wall-clock time under EasyTask's rules: a time that occurs twice resolves to
   * its first occurrence; a time that does not exist resolves to the first instant after the gap.
   */
  resolve(wall: number): number {
    const before = this.offsetMs(wall - SEARCH_SPAN_MS);
    const after = this.offsetMs(wall + SEARCH_SPAN_MS);
    const early = wall - before;
    if (before === after) {
      if (this.offsetMs(early) === before) return early;
    }
    const late = wall - after;
    const earlyOk = this.offsetMs(early) === before;
    const lateOk = this.offsetMs(late) === after;
    if (earlyOk && lateOk) return Math.min(early, late);
    if (earlyOk) return early;
    if (lateOk) return late;
    return this.transitionAfter(Math.min(early, late), Math.max(early, late)) ?? Math.max(early, late);
  }

  /** For an instant returned by `resolve` for a time in a gap: the wall-clock span of the gap. */
  gapAround(at: number): { startWall: number; endWall: number } {
    return { startWall: at + this.offsetMs(at - 1), endWall: at + this.offsetMs(at) };
  }

  /** `YYYY-MM-DDTHH:MM:SS±HH:MM` of an instant in this zone. */
  formatLocal(ts: number): string {
    const offset = this.offsetMs(ts);
    return isoWallDateTime(ts + offset) + formatOffset(offset);
  }

  /** The first offset change in (from, to], if any. */
  private transitionAfter(from: number, to: number): number | undefined {
    for (let day = floorDiv(from, DAY_MS); day <= floorDiv(to, DAY_MS); day++) {
      const entry = this.days.get(day) ?? this.probe(day);
      if (typeof entry !== 'number' && entry.at > from && entry.at <= to) return entry.at;
    }
    return undefined;
  }

  private raw(ts: number): number {
    return Math.round(this.zone.offset(ts) * 60_000);
  }

  private probe(day: number): DayOffsets {
    if (this.days.size > 200_000) this.days.clear();
    const start = day * DAY_MS;
    const before = this.raw(start);
    const after = this.raw(start + DAY_MS);
    let entry: DayOffsets = before;
    if (before !== after) {
      // Binary search, to the second, for the first instant that has the new offset.
      let lo = start / 1000;
      let hi = (start + DAY_MS) / 1000;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (this.raw(mid * 1000) === before) lo = mid;
        else hi = mid;
      }
      entry = { before, after, at: hi * 1000 };
    }
    this.days.set(day, entry);
    return entry;
  }
}

const clocks = new Map<string, ZoneClock>();

/** The shared ZoneClock of a zone name; throws a bad-input error for an unknown zone. */
export function zoneClock(name: string): ZoneClock {
  let clock = clocks.get(name);
  if (clock === undefined) {
    clock = new ZoneClock(name);
    clocks.set(name, clock);
  }
  return clock;
}

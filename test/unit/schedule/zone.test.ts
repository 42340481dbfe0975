// The cached offsets must equal luxon's, and the wall-clock mapping must follow the DST rules.
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { EasyTaskError } from '../../../src/core/errors.js';
import { civilFromDays, daysFromCivil, formatOffset, isoDate, parseIsoDate, weekdayIndex } from '../../../src/schedule/civil.js';
import { ZoneClock, zoneClock } from '../../../src/schedule/zone.js';

const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Apia', 'Asia/Kolkata', 'Antarctica/Troll', 'Pacific/Chatham', 'Europe/Moscow'];
const wall = (iso: string): number => Date.parse(`${iso}Z`);

describe('ZoneClock', () => {
  it('gives the same offset as luxon for any instant', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.parse('1995-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), (zone, ts) => {
        expect(zoneClock(zone).offsetMs(ts)).toBe(Math.round(new IANAZone(zone).offset(ts) * 60_000));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a transition to the second', () => {
    const ny = zoneClock('America/New_York');
    const change = Date.parse('2024-03-10T07:00:00Z');
    expect(ny.offsetMs(change - 1)).toBe(-5 * 3_600_000);
    expect(ny.offsetMs(change)).toBe(-4 * 3_600_000);
  });

  it.each([
    ['America/New_York', '2024-07-01T12:00:00', '2024-07-01T16:00:00Z'],
    ['America/New_York', '2024-03-10T02:30:00', '2024-03-10T07:00:00Z'], // gap → its end
    ['America/New_York', '2024-03-10T03:00:00', '2024-03-10T07:00:00Z'],
    ['America/New_York', '2024-11-03T01:30:00', '2024-11-03T05:30:00Z'], // repeat → first
    ['America/Santiago', '2024-09-08T00:00:00', '2024-09-08T04:00:00Z'],
    ['Pacific/Apia', '2011-12-30T12:00:00', '2011-12-30T10:00:00Z'], // whole day missing → gap end
    ['Australia/Lord_Howe', '2024-10-06T02:10:00', '2024-10-05T15:30:00Z'],
  ])('%s %s resolves to %s', (zone, local, instant) => {
    expect(new Date(zoneClock(zone).resolve(wall(local))).toISOString()).toBe(new Date(instant).toISOString());
  });

  it('describes a gap by its wall-clock span', () => {
    const apia = zoneClock('Pacific/Apia');
    const at = apia.resolve(wall('2011-12-30T12:00:00'));
    expect(apia.gapAround(at)).toEqual({ startWall: wall('2011-12-30T00:00:00'), endWall: wall('2011-12-31T00:00:00') });
  });

  it('formats an instant with its local offset', () => {
    expect(zoneClock('Asia/Kathmandu').formatLocal(Date.parse('2024-01-01T00:00:00Z'))).toBe('2024-01-01T05:45:00+05:45');
    expect(zoneClock('America/St_Johns').formatLocal(Date.parse('2024-01-01T00:00:00Z'))).toBe('2023-12-31T20:30:00-03:30');
  });

  it('rejects an unknown zone', () => {
    expect(() => new ZoneClock('Nowhere/Land')).toThrow(EasyTaskError);
  });
});

describe('civil dates', () => {
  it('round-trips epoch days and agrees with Date', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const c = civilFromDays(days);
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days);
        const d = new Date(days * 86_400_000);
        expect([c.year, c.month, c.day]).toEqual([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
        expect(weekdayIndex(days)).toBe((d.getUTCDay() + 6) % 7);
      }),
    );
  });

  it('parses only real dates', () => {
    expect(parseIsoDate('2024-02-29')).toBe(daysFromCivil(2024, 2, 29));
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2024-2-1')).toBeUndefined();
    expect(isoDate(parseIsoDate('1999-12-31')!)).toBe('1999-12-31');
  });

  it('formats offsets', () => {
    expect([formatOffset(0), formatOffset(-12_600_000), formatOffset(49_500_000)]).toEqual(['+00:00', '-03:30', '+13:45']);
  });
});

import { describe, expect, it } from 'vitest';
import { emptyCalendars, slotsBetween } from '../../../src/schedule/index.js';
import { firesOf, sched } from './helpers.js';

describe('run_frequency', () => {
  it.each([
    {
      name: 'START = END with 1440 is once a day',
      freq: '02:00-02:00-1440',
      after: '2024-05-01T03:00:00Z',
      want: ['2024-05-02T02:00:00+00:00 02:00', '2024-05-03T02:00:00+00:00 02:00'],
    },
    {
      name: 'START = END with a small N is still once a day',
      freq: '09:00-09:00-5',
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T09:00:00+00:00 09:00', '2024-05-02T09:00:00+00:00 09:00'],
    },
    {
      name: 'END is inclusive',
      freq: '09:00-10:00-30',
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T09:00:00+00:00 09:00', '2024-05-01T09:30:00+00:00 09:30', '2024-05-01T10:00:00+00:00 10:00', '2024-05-02T09:00:00+00:00 09:00'],
    },
    {
      name: 'an interval that does not divide the window stops at the last slot before END',
      freq: '09:00-10:00-25',
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T09:00:00+00:00 09:00', '2024-05-01T09:25:00+00:00 09:25', '2024-05-01T09:50:00+00:00 09:50', '2024-05-02T09:00:00+00:00 09:00'],
    },
    {
      name: 'starts mid-window at the next slot',
      freq: '08:00-18:00-60',
      after: '2024-05-01T12:10:00Z',
      want: ['2024-05-01T13:00:00+00:00 13:00', '2024-05-01T14:00:00+00:00 14:00'],
    },
    {
      name: 'an interval longer than the window fires at START only',
      freq: '08:00-09:00-90',
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T08:00:00+00:00 08:00', '2024-05-02T08:00:00+00:00 08:00'],
    },
  ])('$name', ({ freq, after, want }) => {
    expect(firesOf({ timezone: 'UTC', run_frequency: freq }, after, want.length)).toEqual(want);
  });

  it('every minute of the day is 1440 fires a day', () => {
    const s = sched({ timezone: 'UTC', run_frequency: '00:00-23:59-1' });
    const r = slotsBetween(s, emptyCalendars, Date.parse('2024-05-01T00:00:00Z') - 1, Date.parse('2024-05-02T00:00:00Z') - 1, 5000);
    expect(r.fires).toHaveLength(1440);
    expect(r.fires[1439]!.slot).toBe('23:59');
  });

  it('a window that crosses the spring-forward gap collapses the gap slots into one fire at 03:00', () => {
    expect(firesOf({ timezone: 'America/New_York', run_frequency: '01:00-04:00-30' }, '2024-03-10T05:00:00Z', 6)).toEqual([
      '2024-03-10T01:00:00-05:00 01:00',
      '2024-03-10T01:30:00-05:00 01:30',
      '2024-03-10T03:00:00-04:00 02:00 gap',
      '2024-03-10T03:30:00-04:00 03:30',
      '2024-03-10T04:00:00-04:00 04:00',
      '2024-03-11T01:00:00-04:00 01:00',
    ]);
  });

  it('a window that crosses the fall-back change fires each wall-clock slot once', () => {
    expect(firesOf({ timezone: 'America/New_York', run_frequency: '00:30-03:00-30' }, '2024-11-03T04:00:00Z', 7)).toEqual([
      '2024-11-03T00:30:00-04:00 00:30',
      '2024-11-03T01:00:00-04:00 01:00',
      '2024-11-03T01:30:00-04:00 01:30',
      '2024-11-03T02:00:00-05:00 02:00',
      '2024-11-03T02:30:00-05:00 02:30',
      '2024-11-03T03:00:00-05:00 03:00',
      '2024-11-04T00:30:00-05:00 00:30',
    ]);
  });
});

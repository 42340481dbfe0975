// Daylight saving in the zones where it is hardest: a gap fires once at its end, a repeated time
// once at its first occurrence, and a local date that does not exist has no fires.
import { describe, expect, it } from 'vitest';
import { emptyCalendars, nextFires, slotsBetween } from '../../../src/schedule/index.js';
import { firesOf, sched } from './helpers.js';

describe('daylight saving', () => {
  it.each([
    {
      name: 'New York spring forward: 02:30 fires at 03:00 EDT',
      fields: { timezone: 'America/New_York', trigger_times: '02:30' },
      after: '2024-03-09T12:00:00Z',
      want: ['2024-03-10T03:00:00-04:00 02:30 gap', '2024-03-11T02:30:00-04:00 02:30'],
    },
    {
      name: 'New York spring forward: 02:00 and 03:00 collapse into one fire',
      fields: { timezone: 'America/New_York', trigger_times: '02:00,03:00,04:00' },
      after: '2024-03-09T12:00:00Z',
      want: ['2024-03-10T03:00:00-04:00 02:00 gap', '2024-03-10T04:00:00-04:00 04:00'],
    },
    {
      name: 'New York fall back: 01:30 fires once, at the daylight-time occurrence',
      fields: { timezone: 'America/New_York', trigger_times: '01:30' },
      after: '2024-11-02T12:00:00Z',
      want: ['2024-11-03T01:30:00-04:00 01:30', '2024-11-04T01:30:00-05:00 01:30'],
    },
    {
      name: 'New York fall back: asked from inside the repeated hour, the slot is not fired again',
      fields: { timezone: 'America/New_York', trigger_times: '01:30' },
      after: '2024-11-03T06:10:00Z', // 01:10 EST, the second 01:10
      want: ['2024-11-04T01:30:00-05:00 01:30'],
    },
    {
      name: 'New York fall back: 01:59:59 and 02:00 are an hour and a second apart',
      fields: { timezone: 'America/New_York', trigger_times: '01:59:59,02:00' },
      after: '2024-11-03T04:00:00Z',
      want: ['2024-11-03T01:59:59-04:00 01:59:59', '2024-11-03T02:00:00-05:00 02:00'],
    },
    {
      name: 'London spring forward at 01:00 GMT',
      fields: { timezone: 'Europe/London', trigger_times: '01:30' },
      after: '2024-03-30T12:00:00Z',
      want: ['2024-03-31T02:00:00+01:00 01:30 gap', '2024-04-01T01:30:00+01:00 01:30'],
    },
    {
      name: 'London fall back',
      fields: { timezone: 'Europe/London', trigger_times: '01:30' },
      after: '2024-10-26T12:00:00Z',
      want: ['2024-10-27T01:30:00+01:00 01:30', '2024-10-28T01:30:00+00:00 01:30'],
    },
    {
      name: 'Lord Howe 30-minute spring forward',
      fields: { timezone: 'Australia/Lord_Howe', trigger_times: '02:15' },
      after: '2024-10-05T00:00:00Z',
      want: ['2024-10-06T02:30:00+11:00 02:15 gap', '2024-10-07T02:15:00+11:00 02:15'],
    },
    {
      name: 'Lord Howe 30-minute fall back',
      fields: { timezone: 'Australia/Lord_Howe', trigger_times: '01:45' },
      after: '2025-04-05T00:00:00Z',
      want: ['2025-04-06T01:45:00+11:00 01:45', '2025-04-07T01:45:00+10:30 01:45'],
    },
    {
      name: 'Santiago: local midnight does not exist on the spring day',
      fields: { timezone: 'America/Santiago', trigger_times: '00:00' },
      after: '2024-09-07T12:00:00Z',
      want: ['2024-09-08T01:00:00-03:00 00:00 gap', '2024-09-09T00:00:00-03:00 00:00'],
    },
    {
      name: 'Santiago: the hour before midnight repeats on the autumn day',
      fields: { timezone: 'America/Santiago', trigger_times: '23:30' },
      after: '2025-04-05T12:00:00Z',
      want: ['2025-04-05T23:30:00-03:00 23:30', '2025-04-06T23:30:00-04:00 23:30'],
    },
    {
      name: 'Kolkata has no daylight saving',
      fields: { timezone: 'Asia/Kolkata', trigger_times: '02:30' },
      after: '2024-03-08T12:00:00Z',
      want: ['2024-03-09T02:30:00+05:30 02:30', '2024-03-10T02:30:00+05:30 02:30', '2024-03-11T02:30:00+05:30 02:30'],
    },
    {
      name: 'Apia skipped 2011-12-30 entirely: a daily task has no fire that date',
      fields: { timezone: 'Pacific/Apia', trigger_times: '09:00' },
      after: '2011-12-28T00:00:00Z',
      want: ['2011-12-28T09:00:00-10:00 09:00', '2011-12-29T09:00:00-10:00 09:00', '2011-12-31T09:00:00+14:00 09:00'],
    },
  ])('$name', ({ fields, after, want }) => {
    expect(firesOf(fields, after, want.length)).toEqual(want);
  });

  it('Apia: an hourly task runs to the end of 29 December and resumes at 00:00 on the 31st', () => {
    const s = sched({ timezone: 'Pacific/Apia', run_frequency: '00:00-23:00-60' });
    const r = slotsBetween(s, emptyCalendars, Date.parse('2011-12-30T08:30:00Z'), Date.parse('2011-12-30T11:30:00Z'), 100);
    expect(r.fires.map((f) => `${f.local} ${f.localDate}`)).toEqual([
      '2011-12-29T23:00:00-10:00 2011-12-29',
      '2011-12-31T00:00:00+14:00 2011-12-31',
      '2011-12-31T01:00:00+14:00 2011-12-31',
    ]);
    expect(r.fires.some((f) => f.localDate === '2011-12-30')).toBe(false);
  });

  it('London every 10 minutes across the spring gap: no duplicate instant, nothing early', () => {
    const s = sched({ timezone: 'Europe/London', run_frequency: '00:00-23:50-10' });
    const r = nextFires(s, emptyCalendars, Date.parse('2024-03-31T00:45:00Z'), 4);
    expect(r.fires.map((f) => `${f.local} ${f.slot}${f.shifted ? ' gap' : ''}`)).toEqual([
      '2024-03-31T00:50:00+00:00 00:50',
      '2024-03-31T02:00:00+01:00 01:00 gap',
      '2024-03-31T02:10:00+01:00 02:10',
      '2024-03-31T02:20:00+01:00 02:20',
    ]);
  });

  it('London every 10 minutes across the fall-back change: each slot once, 6 fewer fires than instants', () => {
    const s = sched({ timezone: 'Europe/London', run_frequency: '00:00-23:50-10' });
    const r = slotsBetween(s, emptyCalendars, Date.parse('2024-10-26T23:00:00Z') - 1, Date.parse('2024-10-27T02:59:59Z'), 100);
    // 00:00–02:50 local is 18 wall-clock slots over four real hours.
    expect(r.fires).toHaveLength(18);
    expect(new Set(r.fires.map((f) => f.slot)).size).toBe(18);
    expect(r.fires[6]!.local).toBe('2024-10-27T01:00:00+01:00');
    expect(r.fires[12]!.local).toBe('2024-10-27T02:00:00+00:00');
  });
});

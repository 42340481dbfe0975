import { describe, expect, it } from 'vitest';
import { firesOf } from './helpers.js';

describe('trigger_times', () => {
  it.each([
    {
      name: 'one time, next day when today has passed',
      fields: { timezone: 'UTC', trigger_times: '08:30' },
      after: '2024-05-01T09:00:00Z',
      want: ['2024-05-02T08:30:00+00:00 08:30', '2024-05-03T08:30:00+00:00 08:30'],
    },
    {
      name: 'several times, in order, same day first',
      fields: { timezone: 'UTC', trigger_times: '06:00,12:00,18:00' },
      after: '2024-05-01T11:00:00Z',
      want: ['2024-05-01T12:00:00+00:00 12:00', '2024-05-01T18:00:00+00:00 18:00', '2024-05-02T06:00:00+00:00 06:00'],
    },
    {
      name: 'seconds are kept and shown',
      fields: { timezone: 'UTC', trigger_times: '08:00:30,08:00:45' },
      after: '2024-05-01T08:00:30Z',
      want: ['2024-05-01T08:00:45+00:00 08:00:45', '2024-05-02T08:00:30+00:00 08:00:30'],
    },
    {
      name: '"after" is exclusive',
      fields: { timezone: 'UTC', trigger_times: '10:00' },
      after: '2024-05-01T10:00:00Z',
      want: ['2024-05-02T10:00:00+00:00 10:00'],
    },
    {
      name: 'a millisecond before the slot still gets it',
      fields: { timezone: 'UTC', trigger_times: '10:00' },
      after: '2024-05-01T09:59:59.999Z',
      want: ['2024-05-01T10:00:00+00:00 10:00'],
    },
    {
      name: 'midnight and the last second of the day',
      fields: { timezone: 'UTC', trigger_times: '00:00,23:59:59' },
      after: '2024-12-31T12:00:00Z',
      want: ['2024-12-31T23:59:59+00:00 23:59:59', '2025-01-01T00:00:00+00:00 00:00'],
    },
    {
      name: 'local time in a zone with a half-hour offset',
      fields: { timezone: 'Asia/Kolkata', trigger_times: '09:00' },
      after: '2024-05-01T00:00:00Z',
      want: ['2024-05-01T09:00:00+05:30 09:00', '2024-05-02T09:00:00+05:30 09:00'],
    },
    {
      name: 'a legacy zone link',
      fields: { timezone: 'US/Eastern', trigger_times: '09:00' },
      after: '2024-07-01T00:00:00Z',
      want: ['2024-07-01T09:00:00-04:00 09:00'],
    },
    {
      name: 'spaces and parentheses are ignored',
      fields: { timezone: 'UTC', trigger_times: '( 07:00 , 19:00 )' },
      after: '2024-05-01T08:00:00Z',
      want: ['2024-05-01T19:00:00+00:00 19:00', '2024-05-02T07:00:00+00:00 07:00'],
    },
  ])('$name', ({ fields, after, want }) => {
    expect(firesOf(fields, after, want.length)).toEqual(want);
  });

  it('gives the fire instant in epoch ms and the local date of the slot', async () => {
    const { nextFires, emptyCalendars } = await import('../../../src/schedule/index.js');
    const r = nextFires(
      { timezone: 'America/Los_Angeles', trigger_times: '23:30', day_of_week: '1111111' },
      emptyCalendars,
      Date.parse('2024-05-01T00:00:00Z'),
      1,
    );
    expect(r.fires[0]).toEqual({
      at: Date.parse('2024-05-01T06:30:00Z'),
      local: '2024-04-30T23:30:00-07:00',
      localDate: '2024-04-30',
      slot: '23:30',
    });
    expect(r.exhausted).toBeUndefined();
  });
});

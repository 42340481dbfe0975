// random_delay: each slot's run is due at a stable offset in [0, random_delay] after the slot, never
// before it; the offset survives a restart; the daemon's loop wakes for the delayed instant.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { delayOwner, randomDelayMs } from '../../../src/schedule/random-delay.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { insertGroup, insertTask } from '../../helpers/defs.js';
import { startFakeClockDaemon } from '../../helpers/fake-clock-daemon.js';
import { tempHome } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0); // Monday 08:00 UTC
const SLOT = T0 + 5 * 60_000; // 08:05
const MIN = 60_000;

describe('randomDelayMs', () => {
  it('stays within [0, random_delay], is the same for the same slot, and spreads over the bound', () => {
    const seconds = 3600;
    const offsets = Array.from({ length: 2000 }, (_, i) => randomDelayMs('default/a', T0 + i * MIN, seconds));
    expect(offsets.every((o) => o >= 0 && o <= seconds * 1000)).toBe(true);
    expect(offsets).toEqual(Array.from({ length: 2000 }, (_, i) => randomDelayMs('default/a', T0 + i * MIN, seconds)));
    // Spread: each tenth of the bound gets some of the 2000 offsets (about 200 each).
    const tenths = new Array<number>(10).fill(0);
    for (const o of offsets) tenths[Math.min(9, Math.floor(o / (seconds * 100)))]!++;
    expect(Math.min(...tenths)).toBeGreaterThan(120);
    // Another task, or no delay, gives other offsets.
    expect(randomDelayMs('default/b', SLOT, seconds)).not.toBe(randomDelayMs('default/a', SLOT, seconds));
    expect(randomDelayMs('default/a', SLOT, 0)).toBe(0);
    expect(randomDelayMs('default/a', SLOT, undefined)).toBe(0);
  });

  it('a member shares its group\'s offset', () => {
    expect(delayOwner({ instance: 'default', name: 'm1', task_group: 'g' })).toBe(delayOwner({ instance: 'default', name: 'g' }));
  });
});

const startDaemon = startFakeClockDaemon;

/** Stop a daemon before the test ends (stopping it again after the test does nothing). */
async function stopDaemon(d: Daemon) {
  const stopped = d.stop('test');
  d.stopNow();
  await stopped;
}

/** A task name whose 08:05 offset under a 600 s delay is above the missed threshold (so lateness matters). */
function nameWithLongOffset(): { name: string; offset: number } {
  for (let i = 0; ; i++) {
    const name = `t${i}`;
    const offset = randomDelayMs(delayOwner({ instance: 'default', name }), SLOT, 600);
    if (offset > 3 * MIN) return { name, offset };
  }
}

describe('the daemon with random_delay', () => {
  it('creates the run at the slot plus its offset, never earlier, with the slot and business date of the slot', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    const store = await openStore(home, clock);
    const { name, offset } = nameWithLongOffset();
    await insertTask(store, { name, trigger_times: '08:05', random_delay: 600 });
    const { daemon, live } = await startDaemon(store, clock, home);
    expect(daemon.scheduler?.nextDue()).toBe(SLOT + offset);
    await clock.advanceAsync(SLOT + offset - 1 - T0);
    expect(await store.runs.list({})).toEqual([]);
    expect(live).toHaveLength(0);
    await clock.advanceAsync(1);
    const runs = await store.runs.list({});
    expect(runs.map((r) => [r.state, r.slot, r.business_date])).toEqual([['RUNNING', SLOT, '20260302']]);
    // Its lateness counts from the delayed instant: the trigger event says when it was due.
    const triggered = (await store.events.list({ types: ['run.triggered'] }))[0]!;
    expect(triggered.data).toMatchObject({ due: new Date(SLOT + offset).toISOString(), delay_ms: offset });
    await stopDaemon(daemon);
    await store.close();
  });

  it('keeps the same offset for the same slot across a restart while the run waits for it', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    let store = await openStore(home, clock);
    const { name, offset } = nameWithLongOffset();
    await insertTask(store, { name, trigger_times: '08:05', random_delay: 600 });
    const first = await startDaemon(store, clock, home);
    await clock.advanceAsync(SLOT + 60_000 - T0); // past the slot, before its delayed instant
    await stopDaemon(first.daemon);
    await store.close();
    expect(offset).toBeGreaterThan(2 * MIN);

    store = await openStore(home, clock);
    const second = await startDaemon(store, clock, home);
    expect(second.daemon.scheduler?.nextDue()).toBe(SLOT + offset);
    await clock.advanceAsync(SLOT + offset - 1 - clock.now());
    expect(await store.runs.list({})).toEqual([]);
    await clock.advanceAsync(1);
    // Due at its own instant, so not missed (its offset is longer than the missed threshold): it runs.
    expect((await store.runs.list({})).map((r) => [r.state, r.slot])).toEqual([['RUNNING', SLOT]]);
    await stopDaemon(second.daemon);
    await store.close();
  });

  it('slots of a frequent schedule each run at their own offset, in order, within the bound', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    const store = await openStore(home, clock);
    await insertTask(store, { name: 'often', run_frequency: '08:00-09:00-10', random_delay: 120, overlap: 'allow' });
    const { daemon } = await startDaemon(store, clock, home);
    await clock.advanceAsync(40 * MIN);
    const runs = (await store.runs.list({})).sort((a, b) => a.slot - b.slot);
    expect(runs.map((r) => r.slot)).toEqual([10, 20, 30].map((m) => T0 + m * MIN));
    for (const r of runs) {
      const offset = randomDelayMs('default/often', r.slot, 120);
      expect(r.created_at).toBe(r.slot + offset);
      expect(offset).toBeLessThanOrEqual(120_000);
    }
    await stopDaemon(daemon);
    await store.close();
  });

  it('a delayed run is on time at its delayed instant: with overlap skip it is skipped, not queued as catch-up', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    const store = await openStore(home, clock);
    const slots = [T0 + 10 * MIN, T0 + 20 * MIN];
    let name = '';
    for (let i = 0; !name; i++) if (slots.every((s) => randomDelayMs(`default/s${i}`, s, 300) > 2 * MIN)) name = `s${i}`;
    await insertTask(store, { name, run_frequency: '08:00-09:00-10', random_delay: 300, overlap: 'skip' });
    const { daemon, live } = await startDaemon(store, clock, home);
    await clock.advanceAsync(26 * MIN); // both slots due; the first run never ends
    const runs = (await store.runs.list({})).sort((a, b) => a.slot - b.slot);
    expect(runs.map((r) => [r.slot, r.state, r.reason])).toEqual([
      [slots[0], 'RUNNING', null],
      [slots[1], 'SKIPPED', 'overlap'],
    ]);
    expect(live).toHaveLength(1);
    await stopDaemon(daemon);
    await store.close();
  });

  it('delays a group cycle by the group\'s random_delay', async () => {
    const home = tempHome();
    const clock = new FakeClock(T0);
    const store = await openStore(home, clock);
    await insertGroup(store, { name: 'g', trigger_times: '08:05', random_delay: 900 });
    await insertTask(store, { name: 'm', task_group: 'g', timezone: undefined, day_of_week: undefined });
    const offset = randomDelayMs('default/g', SLOT, 900);
    const { daemon } = await startDaemon(store, clock, home);
    await clock.advanceAsync(SLOT + offset - 1 - T0);
    expect(await store.groupRuns.recent('g', 'default', 10)).toEqual([]);
    await clock.advanceAsync(1);
    expect((await store.groupRuns.recent('g', 'default', 10)).map((g) => g.slot)).toEqual([SLOT]);
    await stopDaemon(daemon);
    await store.close();
  });
});

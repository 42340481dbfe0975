// overlap "replace" on a fake clock: a slot that comes while the task's run is live ends that run
// (TERMINATED, replaced), then runs; never two live at once. Catch-up slots queue instead.
import { afterEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../../src/daemon/daemon.js';
import type { Store } from '../../../src/store/index.js';
import { insertTask } from '../../helpers/defs.js';
import { startFakeClockDaemon } from '../../helpers/fake-clock-daemon.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0); // Monday 08:00 UTC
const MIN = 60_000;

async function daemonWith(setup: (store: Store) => Promise<void>) {
  const { store, clock, home } = await tempStore(T0);
  await setup(store);
  const { daemon, ...l } = await startFakeClockDaemon(store, clock, home);
  return { store, clock, ...l };
}

const byId = async (store: Store) => (await store.runs.list({})).sort((a, b) => a.id - b.id).map((r) => [r.slot, r.state, r.reason]);

describe('overlap "replace"', () => {
  it('terminates the live run (replaced) when the next slot comes, then starts the new one', async () => {
    const { store, clock, live } = await daemonWith(async (s) => void (await insertTask(s, { name: 'r', run_frequency: '08:00-09:00-5', overlap: 'replace' })));
    await clock.advanceAsync(5 * MIN);
    expect(await byId(store)).toEqual([[T0 + 5 * MIN, 'RUNNING', null]]);
    await clock.advanceAsync(5 * MIN);
    await clock.advanceAsync(10);
    expect(live[0]!.terminated).toBe('replaced');
    expect(await byId(store)).toEqual([
      [T0 + 5 * MIN, 'TERMINATED', 'replaced'],
      [T0 + 10 * MIN, 'RUNNING', null],
    ]);
    expect(live).toHaveLength(2);
    // The event says so.
    const ended = (await store.events.list({ types: ['run.terminated'] }))[0]!;
    expect(ended.data).toMatchObject({ reason: 'replaced' });
  });

  it('a run not started yet (TRIGGER, no free agent) ends TERMINATED at once and the new slot triggers', async () => {
    const { store, clock } = await daemonWith(async (s) => {
      await insertTask(s, { name: 'r', run_frequency: '08:00-09:00-5', overlap: 'replace', run_on_host: 'elsewhere' });
    });
    await clock.advanceAsync(5 * MIN);
    expect(await byId(store)).toEqual([[T0 + 5 * MIN, 'TRIGGER', null]]);
    await clock.advanceAsync(5 * MIN);
    await clock.advanceAsync(10);
    expect(await byId(store)).toEqual([
      [T0 + 5 * MIN, 'TERMINATED', 'replaced'],
      [T0 + 10 * MIN, 'TRIGGER', null],
    ]);
  });
});

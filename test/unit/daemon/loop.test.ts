// The daemon's loop decisions driven by a FakeClock: when it arms its timer, retries, expiries and the
// shutdown grace, each decided by the clock's timers and never by waiting for real time. A launcher
// stands in for the spawners, so an attempt ends exactly when the test says.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import type { Store } from '../../../src/store/index.js';
import { insertTask } from '../../helpers/defs.js';
import { startFakeClockDaemon } from '../../helpers/fake-clock-daemon.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0); // Monday 08:00 UTC
const MIN = 60_000;

async function daemonAt(t0: number, setup: (store: Store) => Promise<void>, graceSeconds = 30) {
  const { store, clock, home } = await tempStore(t0);
  await setup(store);
  const lines: string[] = [];
  const { daemon, ...l } = await startFakeClockDaemon(store, clock, home, { graceSeconds, log: (line) => lines.push(line) });
  return { store, clock, daemon, lines, ...l };
}

const states = async (store: Store) => (await store.runs.list({})).map((r) => `${r.task_name}:${r.state}`).sort();

describe('the daemon loop on a fake clock', () => {
  it('arms its timer for the next fire and creates nothing before that instant', async () => {
    const { store, clock, live } = await daemonAt(T0, async (s) => void (await insertTask(s, { name: 'a', trigger_times: '08:05' })));
    await clock.advanceAsync(5 * MIN - 1);
    expect(await store.runs.list({})).toEqual([]);
    await clock.advanceAsync(1);
    expect(live).toHaveLength(1);
    expect(await states(store)).toEqual(['a:RUNNING']);
    const run = (await store.runs.list({}))[0]!;
    expect(run.slot).toBe(T0 + 5 * MIN);
    expect(run.triggered_at).toBe(T0 + 5 * MIN);
  });

  it('a failed attempt waits its retry delay on the clock, then the next attempt starts', async () => {
    const { store, clock, live } = await daemonAt(T0, async (s) => void (await insertTask(s, { name: 'r', trigger_times: '08:01', retry_attempts: 1, retry_delay: 20 })));
    await clock.advanceAsync(MIN);
    live[0]!.end({ outcome: 'failed', reason: 'exit_code', exitCode: 3 });
    await clock.advanceAsync(0);
    const retrying = (await store.runs.list({}))[0]!;
    expect(retrying).toMatchObject({ state: 'RESTARTING', attempt: 1 });
    const delay = retrying.due_at! - clock.now();
    expect(delay).toBeGreaterThanOrEqual(18_000); // 20 s ± 10 %
    expect(delay).toBeLessThanOrEqual(22_000);
    await clock.advanceAsync(delay - 1);
    expect(live).toHaveLength(1);
    await clock.advanceAsync(1);
    expect(live).toHaveLength(2);
    expect((await store.runs.list({}))[0]).toMatchObject({ state: 'RUNNING', attempt: 2 });
  });

  it('a run nobody accepts ends REJECTED (expired) when its accept expiry passes', async () => {
    const { store, clock } = await daemonAt(T0, async (s) => void (await insertTask(s, { name: 'x', trigger_times: '08:01', run_on_host: 'elsewhere', task_accept_expiry_time: 90 })));
    await clock.advanceAsync(MIN);
    expect(await states(store)).toEqual(['x:TRIGGER']);
    await clock.advanceAsync(90_000 - 1);
    expect(await states(store)).toEqual(['x:TRIGGER']);
    await clock.advanceAsync(1);
    expect((await store.runs.list({}))[0]).toMatchObject({ state: 'REJECTED', reason: 'expired' });
  });

  it('stop() lets a running attempt finish within the grace on the clock, then terminates it (shutdown)', async () => {
    const { store, clock, daemon, live } = await daemonAt(T0, async (s) => void (await insertTask(s, { name: 'g', trigger_times: '08:01' })), 10);
    await clock.advanceAsync(MIN);
    expect(live).toHaveLength(1);
    const stopped = daemon.stop('SIGTERM');
    await clock.advanceAsync(10_000 - 1);
    expect(live[0]!.terminated).toBeUndefined();
    await clock.advanceAsync(1);
    await stopped;
    expect(live[0]!.terminated).toBe('shutdown');
    expect((await store.runs.list({}))[0]).toMatchObject({ state: 'TERMINATED', reason: 'shutdown' });
  });

  it('a wall-clock jump is noticed within 30 s: the loop never sleeps longer in one go', async () => {
    const { store, clock } = await daemonAt(T0, async (s) => void (await insertTask(s, { name: 'j', trigger_times: '09:00' })));
    expect(clock.nextTimerIn()).toBeLessThanOrEqual(30_000);
    clock.set(T0 + 60 * MIN); // suspended for an hour: the wall clock moved, the monotonic one did not
    await clock.advanceAsync(30_000);
    expect(await states(store)).toEqual(['j:RUNNING']);
  });
});

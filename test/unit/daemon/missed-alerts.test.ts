// Slots that passed without a run raise one alert per detection: the daemon down across them (the
// scheduler records them SKIPPED, missed), or the task disabled across them (counted when it is
// enabled again). Driven by a FakeClock; the alert is a command that appends what it was told.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptHooks, AttemptLauncher, AttemptResult, AttemptSpec } from '../../../src/attempt/attempt-types.js';
import type { FakeClock } from '../../../src/core/clock.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { insertTask } from '../../helpers/defs.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0); // Monday 08:00 UTC
const MIN = 60_000;

/** Attempts that succeed at once. */
function launcher(clock: FakeClock): AttemptLauncher {
  let pid = 60_000;
  return {
    start: (spec: AttemptSpec, hooks: AttemptHooks) => {
      const p = ++pid;
      hooks.onSpawn?.(p, clock.now());
      const out = (path: string) => ({ path, bytes: 0, lines: 0, truncated: false });
      const result = Promise.resolve({ outcome: 'success', exitCode: 0, startedAt: clock.now(), endedAt: clock.now(), durationMs: 1, output: { stdout: out(spec.stdoutPath), stderr: out(spec.stderrPath) } } as unknown as AttemptResult);
      return { pid: p, result, terminate: () => undefined };
    },
  };
}

const daemons: Daemon[] = [];
const logs: string[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await stop(d);
});

async function stop(d: Daemon): Promise<void> {
  const stopped = d.stop('test');
  d.stopNow();
  await stopped;
  daemons.splice(daemons.indexOf(d), 1);
}

async function daemon(store: Store, clock: FakeClock, home: string): Promise<Daemon> {
  const d = new Daemon(store, clock, {
    home, version: 'test', queues: [], concurrency: 4, graceSeconds: 1, killGraceSeconds: 1, pollMs: 1000,
    machineZone: 'UTC', log: (l) => logs.push(l), random: () => 0.5, launcher: launcher(clock),
  });
  daemons.push(d);
  await d.start();
  return d;
}

/** Real time for the alert command (a real process), the fake clock moving on a little meanwhile. */
async function until(clock: FakeClock, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    await clock.advanceAsync(20);
    if (Date.now() > end) throw new Error(`timed out; log: ${logs.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Let the daemon work a while (real and fake time). */
async function settle(clock: FakeClock): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await clock.advanceAsync(20);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

const alertCommand = (file: string) => `echo "$EASYTASK_ALERT_STATUS $EASYTASK_MISSED_COUNT $EASYTASK_MISSED_FIRST $EASYTASK_MISSED_LAST" >> ${file}`;

describe('missed-slot alerts', () => {
  it('slots that passed while the daemon was down: one alert saying how many, the first and the last; not again after a restart', async () => {
    const { store, clock, home } = await tempStore(T0);
    const file = join(home, 'alerts.txt');
    await insertTask(store, { name: 'm', trigger_times: '08:05,08:10,08:15', catch_up: 'none', alert: { alert_on: 'failure', actions: [{ command: alertCommand(file) }] } });
    await insertTask(store, { name: 'quiet', trigger_times: '08:05,08:10,08:15', catch_up: 'none', alert: { alert_on: 'success', actions: [{ command: `echo quiet >> ${file}` }] } });
    clock.advance(20 * MIN);
    const d = await daemon(store, clock, home);
    await clock.advanceAsync(0);
    await until(clock, () => read(file).length > 0);
    expect((await store.runs.list({ task: 'm' })).map((r) => [r.state, r.reason])).toEqual([['SKIPPED', 'missed'], ['SKIPPED', 'missed'], ['SKIPPED', 'missed']]);
    await stop(d);
    await daemon(store, clock, home);
    await settle(clock);
    expect(read(file)).toEqual(['MISSED 3 2026-03-02T08:05:00.000Z 2026-03-02T08:15:00.000Z']);
    const events = (await store.events.list()).filter((e) => e.type === 'alert.sent');
    expect(events.map((e) => [e.task, e.data.status, e.data.cause, e.data.missed])).toEqual([['m', 'MISSED', 'down', 3]]);
  });

  it('slots that passed while the task was disabled: counted when it is enabled again, one alert', async () => {
    const { store, clock, home } = await tempStore(T0);
    const file = join(home, 'alerts.txt');
    await insertTask(store, { name: 'd', run_frequency: '08:00-18:00-5', catch_up: 'none', alert: { alert_on: 'change', actions: [{ command: alertCommand(file) }] } });
    const d = await daemon(store, clock, home);
    await clock.advanceAsync(5 * MIN);
    await until(clock, async () => (await store.runs.list({ task: 'd' }))[0]?.state === 'SUCCESS');
    await clock.advanceAsync(MIN);
    // The CLI's connection: the daemon notices what another connection commits.
    const cli = await openStore(home, clock);
    await cli.defs.setActive('d', false);
    await clock.advanceAsync(1000);
    await clock.advanceAsync(15 * MIN); // 08:21: 08:10, 08:15 and 08:20 passed while disabled
    await cli.defs.setActive('d', true);
    await cli.close();
    await clock.advanceAsync(1000);
    await until(clock, () => read(file).length > 0);
    expect(read(file)).toEqual(['MISSED 3 2026-03-02T08:10:00.000Z 2026-03-02T08:20:00.000Z']);
    // A restart before the next slot sees the same gap: it is the same detection, alerted once.
    await stop(d);
    await daemon(store, clock, home);
    await settle(clock);
    expect(read(file)).toHaveLength(1);
    const [e] = (await store.events.list()).filter((x) => x.type === 'alert.sent');
    expect((await store.runs.list({ task: 'd' })).map((r) => r.slot)).toEqual([T0 + 5 * MIN]);
    expect(e).toMatchObject({ task: 'd', run_id: null, data: { status: 'MISSED', cause: 'disabled', missed: 3, alert_on: 'change' } });
  });
});

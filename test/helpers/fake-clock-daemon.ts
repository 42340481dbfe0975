// A daemon on a FakeClock with the fake launcher (attempts end when the test says), stopped after
// each test without waiting out a grace (the fake clock does not move on its own).
import { afterEach } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { Store } from '../../src/store/index.js';
import { fakeLauncher } from './fake-launcher.js';

const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    const stopped = d.stop('test');
    d.stopNow();
    await stopped;
  }
});

export async function startFakeClockDaemon(store: Store, clock: FakeClock, home: string, opts: { graceSeconds?: number; log?: (line: string) => void } = {}) {
  const l = fakeLauncher(clock);
  const daemon = new Daemon(store, clock, {
    home, version: 'test', queues: [], concurrency: 4, graceSeconds: opts.graceSeconds ?? 0, killGraceSeconds: 1, pollMs: 1000,
    machineZone: 'UTC', log: opts.log ?? (() => undefined), random: () => 0.5, launcher: l.launcher,
  });
  daemons.push(daemon);
  await daemon.start();
  return { daemon, ...l };
}

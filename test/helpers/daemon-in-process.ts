// A real Daemon in this process on a temporary home, with a second store connection for the test
// (the way the CLI and the dashboard talk to it). Stopped, and both connections closed, after each test.
import { afterEach } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempHome } from './home.js';

const running: { daemon: Daemon; stores: Store[] }[] = [];
afterEach(async () => {
  while (running.length) {
    const { daemon, stores } = running.pop()!;
    await daemon.stop('test');
    for (const s of stores) await s.close();
  }
});

export async function startDaemon(opts: { concurrency?: number; graceSeconds?: number } = {}) {
  const home = tempHome();
  const own = await openStore(home);
  const store = await openStore(home);
  const lines: string[] = [];
  const daemon = new Daemon(own, systemClock, {
    home, version: 'test', queues: [], concurrency: opts.concurrency ?? 4, graceSeconds: opts.graceSeconds ?? 1, killGraceSeconds: 1,
    pollMs: 20, machineZone: 'UTC', log: (l) => lines.push(l), random: () => 0.5,
  });
  running.push({ daemon, stores: [own, store] });
  await daemon.start();
  return { home, store, daemon, lines };
}

// A live process that looks like a daemon of a home (its command line says easytask daemon) and
// holds its daemon lease, with a heartbeat of a chosen age: for status and watch without a real daemon.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openStore } from '../../src/store/index.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Returns the pid of the stand-in process. */
export async function fakeDaemon(home: string, heartbeatAgoMs: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'easytask', 'daemon'], { stdio: 'ignore' });
  children.push(child);
  const store = await openStore(home);
  try {
    const now = systemClock.now();
    await store.daemonLease.acquire({ pid: child.pid!, host: hostname(), version: '9.9.9' }, now - 3_600_000, () => false);
    await store.daemonLease.beat(child.pid!, now - heartbeatAgoMs, null);
  } finally {
    await store.close();
  }
  return child.pid!;
}

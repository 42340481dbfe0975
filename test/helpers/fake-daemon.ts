// A live process that looks like a daemon of a home (its command line says easytask daemon) and
// owns its daemon row, with a heartbeat of a chosen age: for status and watch without a real daemon.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { Store } from '../../src/store/index.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Returns the pid of the stand-in process. */
export function fakeDaemon(home: string, heartbeatAgoMs: number): number {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'easytask', 'daemon'], { stdio: 'ignore' });
  children.push(child);
  const store = Store.open(home);
  try {
    const now = Date.now();
    store.db
      .prepare('INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at) VALUES (1, ?, ?, ?, ?, ?, NULL)')
      .run(child.pid, 'vm1', '9.9.9', now - 3_600_000, now - heartbeatAgoMs);
  } finally {
    store.close();
  }
  return child.pid!;
}

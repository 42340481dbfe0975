// The spawner process: starts attempts for the daemon, supervises them and reports back.
//
// Starting a process blocks the starting thread for a few milliseconds (fork, exec, execa's set-up);
// done in the daemon, that time delays every other run due at the same instant. A spawner takes
// that work, the output pipes and the output files off the daemon's thread. It holds no store.
import { systemClock } from '../core/clock.js';
import type { AttemptHandle } from '../agent/attempt-types.js';
import { startAttempt } from '../agent/run-attempt.js';
import type { FromSpawner, ToSpawner } from './protocol.js';

export function runSpawner(): void {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('error: the spawner is started by `easytask daemon`, not by hand\n');
    process.exit(2);
  }
  const post = (m: FromSpawner): void => {
    if (process.connected) send(m);
  };
  const live = new Map<number, AttemptHandle>();
  process.on('message', (m: ToSpawner) => {
    if (m.t === 'terminate') {
      live.get(m.id)?.terminate(m.reason);
      return;
    }
    const { id } = m;
    const handle = startAttempt(m.spec, {
      clock: systemClock,
      outputEventMs: m.outputEventMs,
      onSpawn: (pid) => post({ t: 'spawned', id, pid }),
      onOutput: (progress) => post({ t: 'output', id, progress }),
    });
    live.set(id, handle);
    void handle.result.then((result) => {
      live.delete(id);
      post({ t: 'result', id, result });
    });
  });
  // The daemon decides when attempts end: Ctrl-C in a terminal reaches this process too, and the
  // daemon answers it by draining. When the daemon is gone (it crashed or was killed), the attempts
  // are left as a dead daemon leaves them: the next daemon finds them by their environment, kills
  // them and resolves their runs.
  process.on('SIGINT', () => undefined);
  process.on('SIGHUP', () => undefined);
  process.on('disconnect', () => process.exit(0));
  post({ t: 'ready', pid: process.pid });
}

// The spawner process: starts attempts for the daemon, supervises them and reports back.
//
// Starting a process blocks the starting thread for a few milliseconds (fork, exec, the pipes' set-up);
// done in the daemon, that time delays every other run due at the same instant. A spawner takes
// that work, the output pipes and the output files off the daemon's thread. It holds no store.
import { systemClock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import type { AttemptHandle } from '../attempt/attempt-types.js';
import { startAttempt } from '../attempt/run-attempt.js';
import type { FromSpawner, ToSpawner } from './protocol.js';

export async function runSpawner(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) {
    process.stderr.write('error: the spawner is started by `easytask daemon`, not by hand\n');
    process.exit(2);
  }
  // A send that fails means the daemon is going away; 'disconnect' follows and ends this process.
  const post = (m: FromSpawner): void => {
    if (process.connected) send(m, undefined, undefined, () => undefined);
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
      onSpawn: (pid, at) => post({ t: 'spawned', id, pid, at }),
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
  await warmUp();
  post({ t: 'ready', pid: process.pid });
}

/**
 * One attempt of `:` before the first real one: a fresh process compiles the spawn path lazily,
 * which made the first attempts due after a start-up several times slower to spawn than the rest.
 */
async function warmUp(): Promise<void> {
  await startAttempt(
    { cmd: ':', env: {}, shell: 'bash', stdoutPath: '/dev/null', stderrPath: '/dev/null', killGraceSeconds: 0, maxOutputBytes: DEFAULTS.maxOutputBytes, attempt: 1 },
    { clock: systemClock },
  ).result;
}

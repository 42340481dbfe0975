// The attempt's `bash -c cmd` started through execa, as it was before spawn-bash.ts used
// node:child_process: kept only as the other side of the A/B benchmark (EASYTASK_SPAWN_VIA=execa).
import { execa } from 'execa';
import type { AttemptSpec } from './attempt-types.js';
import { bashPath } from './bash.js';
import { spawnIds } from './run-as-user.js';
import type { Spawned } from './spawn-bash.js';

export function spawnBashViaExeca(spec: AttemptSpec): Spawned {
  const child = execa(bashPath(), ['-c', spec.cmd], {
    detached: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: spec.env,
    extendEnv: false,
    cwd: spec.cwd,
    ...spawnIds(spec.runAsUser),
  });
  child.catch(() => undefined);
  if (child.pid === undefined) return { failed: child.then((r) => r.originalMessage ?? r.shortMessage ?? 'spawn failed') };
  return { child: child as typeof child & { pid: number } };
}

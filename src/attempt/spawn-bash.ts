// Starts an attempt's `bash -c cmd` with node:child_process directly: every run goes through here, and
// execa's per-call set-up cost each run about 1.5–2.5 ms of a spawner's CPU (execa stays elsewhere).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AttemptSpec } from './attempt-types.js';
import { bashPath } from './bash.js';
import { spawnBashViaExeca } from './spawn-bash-execa.js';
import { spawnIds } from './run-as-user.js';

/** A started `bash -c cmd`: its own process group (pid = pgid), output piped, stdin closed. */
export interface BashChild {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

/** The process, or why it could not start (a result, never an exception). */
export type Spawned = { child: BashChild } | { failed: Promise<string> };

/**
 * `EASYTASK_SPAWN_VIA=execa` starts attempts through execa instead, as before; read once, when the
 * module loads. It exists for the A/B benchmark (test/bench/spawn-ab.mjs) and nothing else.
 */
const VIA_EXECA = process.env.EASYTASK_SPAWN_VIA === 'execa';

export function spawnBash(spec: AttemptSpec): Spawned {
  return VIA_EXECA ? spawnBashViaExeca(spec) : spawnDirect(spec);
}

function spawnDirect(spec: AttemptSpec): Spawned {
  let child;
  try {
    child = spawn(bashPath(), ['-c', spec.cmd], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: spec.env,
      cwd: spec.cwd,
      ...spawnIds(spec.runAsUser),
    });
  } catch (err) {
    // Node throws, rather than emits, for some failures (EPERM switching user, E2BIG).
    return { failed: Promise.resolve(spawnMessage(err as Error, spec.cwd)) };
  }
  if (child.pid === undefined) {
    // 'error' follows on the next tick (ENOENT, EACCES, EMFILE…); the pipes, if any, go with it.
    return {
      failed: new Promise((resolve) => {
        child.once('error', (err) => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          resolve(spawnMessage(err, spec.cwd));
        });
      }),
    };
  }
  // No 'error' may go unhandled and take the whole process down with it; a stream's error also
  // ends its pump (OutputSink.pump).
  const quiet = (): void => undefined;
  child.on('error', quiet);
  child.stdout.on('error', quiet);
  child.stderr.on('error', quiet);
  return { child: child as BashChild };
}

/** The error as execa worded it: a cwd that vanished or turned into a file since it was checked is named. */
function spawnMessage(err: Error, cwd: string | undefined): string {
  if (cwd === undefined || cwd === safeCwd()) return err.message;
  try {
    if (!statSync(cwd).isDirectory()) return `The "cwd" option is not a directory: ${cwd}.\n${err.message}`;
  } catch (statErr) {
    return `The "cwd" option is invalid: ${cwd}.\n${(statErr as Error).message}\n${err.message}`;
  }
  return err.message;
}

function safeCwd(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

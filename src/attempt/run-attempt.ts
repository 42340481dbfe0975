// Runs one attempt as `bash -c cmd` in its own process group and always returns a result, never throws.
import type { Timer } from '../core/clock.js';
import { closeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { DEFAULTS } from '../core/defaults.js';
import type {
  AttemptHandle,
  AttemptHooks,
  AttemptOutcome,
  AttemptOutput,
  AttemptResult,
  AttemptSpec,
  OutputProgress,
  TerminateReason,
} from './attempt-types.js';
import { attemptHeader, openOutputFile } from './output-files.js';
import { OutputSink } from './output-sink.js';
import { killMarkedGracefully } from './marked-processes.js';
import { killGroupGracefully } from './process-group.js';
import { ProgressThrottle } from './progress.js';
import { currentUid, needsRootMessage, type RunAs } from './run-as-user.js';
import { spawnBash, type BashChild } from './spawn-bash.js';

/** After bash exits, how long its pipes may stay open (a background child holding them) before we cut them. */
export const PIPE_DRAIN_MS = 500;

interface Sinks {
  stdout: OutputSink;
  stderr: OutputSink;
}
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Start an attempt; the handle gives its pid once spawned, its result, and a way to terminate it. */
export function startAttempt(spec: AttemptSpec, hooks: AttemptHooks): AttemptHandle {
  const attempt = new Attempt(spec, hooks);
  const result = attempt.run();
  return {
    get pid() {
      return attempt.pid;
    },
    result,
    terminate: (reason) => attempt.terminate(reason),
  };
}

/** Run an attempt to its end. */
export function runAttempt(spec: AttemptSpec, hooks: AttemptHooks): Promise<AttemptResult> {
  return startAttempt(spec, hooks).result;
}

class Attempt {
  pid: number | undefined;
  private stop: 'timeout' | TerminateReason | undefined;
  private exited = false;
  private killing: Promise<unknown> | undefined;
  private readonly startedAt: number;
  private readonly startMono: number;

  constructor(
    private readonly spec: AttemptSpec,
    private readonly hooks: AttemptHooks,
  ) {
    this.startedAt = hooks.clock.now();
    this.startMono = hooks.clock.monotonic();
  }

  terminate(reason: TerminateReason): void {
    if (this.exited || this.stop !== undefined) return;
    this.stop = reason;
    if (this.pid !== undefined) this.killGroup();
  }

  async run(): Promise<AttemptResult> {
    try {
      return await this.prepareAndRun();
    } catch (err) {
      return this.finish(emptyOutput(this.spec), spawnError(`internal error: ${(err as Error).message}`));
    }
  }

  private async prepareAndRun(): Promise<AttemptResult> {
    const { spec } = this;
    const userProblem = checkSpawnUser(spec.runAsUser);
    if (userProblem) return this.finish(emptyOutput(spec), { outcome: 'failed', reason: 'user_error', error: userProblem });
    const cwdProblem = await checkCwd(spec.cwd);
    if (cwdProblem) return this.finish(emptyOutput(spec), spawnError(cwdProblem));
    const opened = this.openSinks();
    if (!('stdout' in opened)) return this.finish(emptyOutput(spec), spawnError(opened.message));
    if (this.stop === 'requested' || this.stop === 'shutdown' || this.stop === 'replaced') {
      await closeSinks(opened);
      return this.finish(outputOf(opened), { outcome: 'terminated', reason: this.stop });
    }
    return this.supervise(opened);
  }

  private openSinks(): Sinks | { message: string } {
    const { spec } = this;
    const header = spec.attempt >= 2 ? attemptHeader(spec.attempt, this.startedAt) : undefined;
    const shared = spec.stdoutPath === spec.stderrPath;
    const out = openOutputFile(spec.stdoutPath, 'stdout', header);
    if (!out.ok) return out;
    const err = openOutputFile(spec.stderrPath, 'stderr', shared ? undefined : header);
    if (!err.ok) {
      closeSync(out.fd);
      return err;
    }
    return {
      stdout: new OutputSink(out.fd, spec.stdoutPath, spec.maxOutputBytes),
      stderr: new OutputSink(err.fd, spec.stderrPath, spec.maxOutputBytes),
    };
  }

  private async supervise(sinks: Sinks): Promise<AttemptResult> {
    const spawned = spawnBash(this.spec);
    if ('failed' in spawned) {
      const message = await spawned.failed;
      await closeSinks(sinks);
      return this.finish(outputOf(sinks), spawnError(message));
    }
    const { child } = spawned;
    const exit = waitForExit(child, () => (this.exited = true));
    const pid = child.pid;
    this.pid = pid;
    this.hooks.onSpawn?.(pid, this.hooks.clock.now());
    const throttle = this.progressThrottle(sinks);
    const pumps = Promise.all([sinks.stdout.pump(child.stdout, () => throttle.poke()), sinks.stderr.pump(child.stderr, () => throttle.poke())]);
    const timer = this.startTimeout();
    const ended = await exit;
    timer?.cancel();
    if (!(await settlesWithin(pumps, PIPE_DRAIN_MS))) {
      child.stdout.destroy();
      child.stderr.destroy();
      await pumps;
    }
    // Whatever is left of the group (background children) goes too, and so does every process that
    // left the group but still carries the attempt's marker; the result waits for both.
    const graceMs = this.spec.killGraceSeconds * 1000;
    await (this.killing ?? killGroupGracefully(pid, graceMs));
    if (this.spec.marker) await killMarkedGracefully(this.spec.marker, graceMs);
    // The final counts, whatever the interval left unreported: once the files are closed, as a
    // byte counts when its file has taken it.
    await closeSinks(sinks);
    throttle.flush();
    return this.finish(outputOf(sinks), this.outcome(ended));
  }

  private progressThrottle(sinks: Sinks): ProgressThrottle {
    const { onOutput, outputEventMs, clock } = this.hooks;
    const emit = (): void => onOutput?.(progressOf(sinks));
    return new ProgressThrottle(emit, outputEventMs ?? DEFAULTS.outputEventMs, clock);
  }

  /** max_run_time, on the attempt's clock. */
  private startTimeout(): Timer | undefined {
    const seconds = this.spec.maxRunTimeSeconds;
    if (seconds === undefined) return undefined;
    return this.hooks.clock.after(seconds * 1000, () => {
      if (this.exited || this.stop !== undefined) return;
      this.stop = 'timeout';
      this.killGroup();
    });
  }

  private killGroup(): void {
    if (this.pid === undefined || this.killing) return;
    this.killing = killGroupGracefully(this.pid, this.spec.killGraceSeconds * 1000);
  }

  private outcome(exit: Exit): AttemptOutcome {
    switch (this.stop) {
      case 'timeout':
        return { outcome: 'failed', reason: 'timeout' };
      case 'requested':
      case 'shutdown':
      case 'replaced':
        return { outcome: 'terminated', reason: this.stop };
      case undefined:
        break;
    }
    if (exit.code === 0) return { outcome: 'success', exitCode: 0 };
    if (exit.signal !== null) {
      return { outcome: 'failed', reason: 'exit_code', exitCode: 128 + (osConstants.signals[exit.signal] ?? 0), signal: exit.signal };
    }
    return { outcome: 'failed', reason: 'exit_code', exitCode: exit.code ?? 1 };
  }

  private finish(output: AttemptOutput, outcome: AttemptOutcome): AttemptResult {
    const { clock } = this.hooks;
    const common = {
      startedAt: this.startedAt,
      endedAt: clock.now(),
      durationMs: Math.round(clock.monotonic() - this.startMono),
      ...(this.pid !== undefined ? { pid: this.pid } : {}),
      output,
    };
    return { ...common, ...outcome };
  }
}

function spawnError(error: string): AttemptOutcome {
  return { outcome: 'failed', reason: 'spawn_error', error };
}

/** A reason the spawn may not switch to `runAs`, or undefined when it may. */
function checkSpawnUser(runAs: RunAs | undefined): string | undefined {
  if (runAs === undefined) return undefined;
  const uid = currentUid();
  if (uid === 0 || uid === runAs.uid) return undefined;
  return needsRootMessage(runAs.name ?? `uid ${runAs.uid}`, uid);
}

async function checkCwd(cwd: string | undefined): Promise<string | undefined> {
  if (cwd === undefined) return undefined;
  try {
    return (await stat(cwd)).isDirectory() ? undefined : `cwd "${cwd}" is not a folder`;
  } catch {
    return `cwd "${cwd}" does not exist`;
  }
}

function waitForExit(child: BashChild, onExit: () => void): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      onExit();
      resolve({ code, signal });
    });
  });
}

/** True when `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([p.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

async function closeSinks(sinks: Sinks): Promise<void> {
  await Promise.all([sinks.stdout.close(), sinks.stderr.close()]);
}

function outputOf(sinks: Sinks): AttemptOutput {
  return { stdout: { ...sinks.stdout.stats }, stderr: { ...sinks.stderr.stats } };
}

function progressOf(sinks: Sinks): OutputProgress {
  const { stdout, stderr } = sinks;
  return {
    stdoutBytes: stdout.stats.bytes,
    stderrBytes: stderr.stats.bytes,
    stdoutLines: stdout.stats.lines,
    stderrLines: stderr.stats.lines,
  };
}

function emptyOutput(spec: AttemptSpec): AttemptOutput {
  const empty = (path: string) => ({ path, bytes: 0, lines: 0, truncated: false });
  return { stdout: empty(spec.stdoutPath), stderr: empty(spec.stderrPath) };
}

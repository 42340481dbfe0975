// The contract between the daemon and the agent for one attempt: what to run, and how it ended.
import type { Clock } from '../core/clock.js';
import type { AttemptMarker } from './marked-processes.js';
import type { StreamStats } from './output-sink.js';
import type { RunAs } from './run-as-user.js';

export interface AttemptSpec {
  /** The command text, placeholders already resolved; run as `bash -c cmd`. */
  cmd: string;
  /** The whole environment (nothing is inherited from the daemon). */
  env: Readonly<Record<string, string>>;
  cwd?: string;
  shell: 'bash';
  stdoutPath: string;
  stderrPath: string;
  /** Past this the process group gets SIGTERM, then SIGKILL after killGraceSeconds. */
  maxRunTimeSeconds?: number;
  killGraceSeconds: number;
  /** Cap per attempt and stream. */
  maxOutputBytes: number;
  runAsUser?: RunAs;
  /** 1-based; from 2 on, a header line separates the attempt in the output files. */
  attempt: number;
  /**
   * Environment entries (also in `env`) that every process of the attempt inherits. When the
   * attempt ends, however it ends, processes that still carry them are killed too, even those
   * that left the process group (setsid, a double fork).
   */
  marker?: AttemptMarker;
}

export interface OutputProgress {
  stdoutBytes: number;
  stderrBytes: number;
  stdoutLines: number;
  stderrLines: number;
}

export interface AttemptHooks {
  clock: Clock;
  /** The process is live; its pid is also its process-group id; `at` is when it was spawned (epoch ms). */
  onSpawn?: (pid: number, at: number) => void;
  /** Output so far; called at most once per outputEventMs while output comes, and once more with the final counts when it ends. */
  onOutput?: (progress: OutputProgress) => void;
  /** Default DEFAULTS.outputEventMs. */
  outputEventMs?: number;
}

export interface AttemptOutput {
  stdout: StreamStats;
  stderr: StreamStats;
}

/** Why an attempt is ended on purpose: asked for, the daemon stopping, or a new slot of an overlap "replace" task. */
export type TerminateReason = 'requested' | 'shutdown' | 'replaced';

interface AttemptCommon {
  /** Wall clock, epoch ms. */
  startedAt: number;
  endedAt: number;
  /** Monotonic, from the start of preparation to the end of the attempt. */
  durationMs: number;
  /** Absent when no process was started. */
  pid?: number;
  output: AttemptOutput;
}

export type AttemptOutcome =
  | { outcome: 'success'; exitCode: 0 }
  /** `exitCode` is 128 + the signal number when a signal ended the process. */
  | { outcome: 'failed'; reason: 'exit_code'; exitCode: number; signal?: NodeJS.Signals }
  | { outcome: 'failed'; reason: 'timeout' }
  | { outcome: 'failed'; reason: 'spawn_error'; error: string }
  | { outcome: 'failed'; reason: 'user_error'; error: string }
  /** The process supervising the attempt died; whatever was left of the group was killed. */
  | { outcome: 'failed'; reason: 'lost'; error: string }
  | { outcome: 'terminated'; reason: TerminateReason };

export type AttemptResult = AttemptCommon & AttemptOutcome;

export interface AttemptHandle {
  /** Set once the process is spawned. */
  readonly pid: number | undefined;
  /** Never rejects: a failed process is a result. */
  readonly result: Promise<AttemptResult>;
  /** Kill the attempt's process group (SIGTERM, SIGKILL after the grace period). No-op once it ended. */
  terminate(reason: TerminateReason): void;
}

/** Starts one attempt. */
export type StartAttempt = (spec: AttemptSpec, hooks: AttemptHooks) => AttemptHandle;

/**
 * What the agent starts attempts with: in this process (startAttempt), or through spawner
 * processes, which the daemon warms up before work is due and closes when it stops.
 */
export interface AttemptLauncher {
  start: StartAttempt;
  /** The next instant work is expected (a fire, a retry), so the launcher can be ready for it. */
  expectWorkAt?(at: number | undefined): void;
  /** Release what the launcher holds; called once no attempt is live. */
  close?(): Promise<void>;
}

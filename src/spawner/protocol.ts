// Messages between the daemon and its spawner processes, over the Node IPC channel (JSON).
import type { AttemptResult, AttemptSpec, OutputProgress, TerminateReason } from '../attempt/attempt-types.js';

/** The argument that makes the executable act as a spawner instead of parsing a command line. */
export const SPAWNER_ARG = '__spawner';

export type ToSpawner =
  | { t: 'start'; id: number; spec: AttemptSpec; outputEventMs?: number }
  | { t: 'terminate'; id: number; reason: TerminateReason };

export type FromSpawner =
  | { t: 'ready'; pid: number }
  | { t: 'spawned'; id: number; pid: number; at: number }
  | { t: 'output'; id: number; progress: OutputProgress }
  | { t: 'result'; id: number; result: AttemptResult };

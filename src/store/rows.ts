// The records the store keeps, as every driver returns them.
import type { GroupRunState, RunReason, RunState, TransitionEvent } from '../core/states.js';
import type { Definition, GroupDef, TaskDef } from '../core/task.js';

export type RunOrigin = 'schedule' | 'force' | 'group';

export interface RunRow {
  id: number;
  task_id: number;
  task_name: string;
  instance: string;
  slot: number;
  origin: RunOrigin;
  state: RunState;
  reason: RunReason | null;
  attempt: number;
  max_attempts: number;
  exit_code: number | null;
  pid: number | null;
  host: string | null;
  queue: string;
  group_run_id: number | null;
  business_date: string | null;
  stdout_path: string | null;
  stderr_path: string | null;
  /** RESTARTING: when the next attempt is due. TRIGGER: when the run expires unaccepted. */
  due_at: number | null;
  created_at: number;
  triggered_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  version: number;
  /** JSON list of the last attempt's output streams that could not be written in full (see attempt-verdict.ts OutputError); null when none. */
  output_error?: string | null;
}

export interface NewRun {
  task_id: number;
  task_name: string;
  instance: string;
  slot: number;
  origin?: RunOrigin;
  max_attempts: number;
  queue: string;
  business_date?: string;
  group_run_id?: number;
}

/** Columns a transition may set beside the state. */
export type RunPatch = Partial<
  Pick<RunRow, 'reason' | 'attempt' | 'exit_code' | 'pid' | 'host' | 'stdout_path' | 'stderr_path' | 'due_at' | 'triggered_at' | 'started_at' | 'ended_at'>
>;

export interface TransitionRequest {
  runId: number;
  event: TransitionEvent;
  to: RunState;
  patch?: RunPatch;
  /** Extra event data (pid, exit code, duration, error, …). */
  data?: Record<string, unknown>;
  /** Refuse when the run moved on since it was read (optimistic concurrency). */
  expectVersion?: number;
}

/** A run history query. taskId/groupId match the tid/gid, task/group the name; instance the run's instance. */
export interface RunListQuery {
  task?: string;
  taskId?: number;
  instance?: string;
  state?: RunState;
  sinceSlot?: number;
  group?: string;
  groupId?: number;
  groupRun?: number;
  limit?: number;
}

export interface GroupRunRow {
  id: number;
  gid: number;
  group_name: string;
  instance: string;
  slot: number;
  origin: 'schedule' | 'force';
  state: GroupRunState;
  reason: string | null;
  business_date: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  version: number;
}

export interface NewGroupRun {
  gid: number;
  group_name: string;
  instance: string;
  slot: number;
  origin?: 'schedule' | 'force';
  business_date: string;
}

export type GroupRunPatch = Partial<Pick<GroupRunRow, 'reason' | 'started_at' | 'ended_at'>>;

export interface StoredDefinition {
  id: number;
  version: number;
  created_at: number;
  updated_at: number;
  definition: Definition;
}

export type DefinitionInput =
  | { kind: 'task'; def: Omit<TaskDef, 'tid'> & { tid?: number } }
  | { kind: 'group'; def: Omit<GroupDef, 'gid'> & { gid?: number } };

export type WriteOutcome = { action: 'created' | 'updated' | 'unchanged'; definition: Definition };

export type CommandKind = 'force-run' | 'terminate' | 'freeze' | 'unfreeze' | 'modify-status' | 'reload' | 'backfill';

export interface CommandRow {
  id: number;
  kind: CommandKind;
  target: string | null;
  args: string;
  created_at: number;
  acked_at: number | null;
  ok: number | null;
  message: string | null;
  result: string | null;
}

/** The daemon lease: who holds the home, and its heartbeat. */
export interface DaemonRow {
  pid: number;
  host: string;
  version: string;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
  /** JSON of the daemon's Degraded state as of its last heartbeat; null when healthy. */
  degraded?: string | null;
}

export interface EventQuery {
  afterSeq?: number;
  sinceTime?: number;
  task?: string;
  taskId?: number;
  instance?: string;
  runId?: number;
  /** Only events of these types. */
  types?: readonly string[];
  limit?: number;
}

/** A run retention may remove, with the files it wrote. */
export interface ExpiredRun {
  id: number;
  task_name: string;
  stdout_path: string | null;
  stderr_path: string | null;
}

export interface AttemptEnd {
  runId: number;
  n: number;
  endedAt: number;
  durationMs: number | null;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  stdoutBytes: number;
  stderrBytes: number;
  /** JSON of the streams the files did not take in full; null when none. */
  outputError: string | null;
}

/** The fields every event about a run carries: instance, run, attempt, task and group cycle. */
export function runScope(run: Pick<RunRow, 'id' | 'instance' | 'attempt' | 'task_name' | 'task_id' | 'group_run_id'>) {
  return { instance: run.instance, run_id: run.id, attempt: run.attempt, task: run.task_name, task_id: run.task_id, group_run_id: run.group_run_id };
}

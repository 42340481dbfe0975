// The dashboard's view-model types: a tree of instance → group → task nodes plus what the screen shows beside it.
import type { StoredEvent } from '../../core/events.js';
import type { RunState } from '../../core/states.js';

/** What a task row shows as its state: its latest run's state, or IDLE when inactive. */
export type TaskStatus = RunState | 'IDLE';

/** Number of tasks per status, only non-zero entries present. */
export type Counts = Readonly<Partial<Record<TaskStatus, number>>>;

export interface TaskInfo {
  instance: string;
  name: string;
  tid: number;
  group: string | null;
  active: boolean;
  /** Seconds, when the task has a limit. */
  maxRunTime: number | null;
  /** 1 + retry_attempts. */
  maxAttempts: number;
  schedule: string;
}

export interface GroupInfo {
  instance: string;
  name: string;
  gid: number;
  active: boolean;
  schedule: string;
}

export interface RunInfo {
  id: number;
  state: RunState;
  attempt: number;
  maxAttempts: number;
  /** Fire instant, epoch ms (null when only seen through a later event). */
  slot: number | null;
  origin: string | null;
  /** First accept of the run. */
  startedAt: number | null;
  /** Accept of the current attempt: the progress bar measures from here. */
  attemptStartedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
  exitCode: number | null;
  reason: string | null;
  pid: number | null;
  stdoutPath: string | null;
  stderrPath: string | null;
}

interface NodeBase {
  id: string;
  parent: string | null;
  children: readonly string[];
  /** Tasks in this subtree by status (a task counts itself). */
  counts: Counts;
  /** Tasks in this subtree that pass the filter. */
  matching: number;
  expanded: boolean;
}

export interface InstanceNode extends NodeBase {
  kind: 'instance';
  name: string;
}

export interface GroupNode extends NodeBase {
  kind: 'group';
  name: string;
  instance: string;
  /** Null while only its members are known. */
  group: GroupInfo | null;
}

export interface TaskNode extends NodeBase {
  kind: 'task';
  name: string;
  instance: string;
  task: TaskInfo;
  run: RunInfo | null;
  status: TaskStatus;
  next: number | null;
}

export type TreeNode = InstanceNode | GroupNode | TaskNode;

export interface Filter {
  /** Case-insensitive substring of a task's name, group or instance; '' for none. */
  text: string;
  /** Statuses to keep; empty for all. */
  states: readonly TaskStatus[];
}

export interface DaemonInfo {
  up: boolean;
  pid: number | null;
  host: string | null;
  startedAt: number | null;
  heartbeatAt: number | null;
  /** Up, but its last heartbeat is older than the feed's limit (hung or suspended). */
  stale: boolean;
  /** Up, but the store refuses its writes (disk full, database locked): why and since when. */
  degraded?: { cause: string; text: string; since: number; code: string } | null;
  /** Runs waiting in TRIGGER for a queue no online agent serves, by queue (while some agent is online). */
  unserved?: readonly { queue: string; runs: number }[];
}

export interface TodayInfo {
  /** Local midnight at the start and end of today, epoch ms. */
  dayStart: number;
  dayEnd: number;
  /** Run ids grow with creation time: today's runs are those from this id on. */
  firstRunId: number;
  counts: Counts;
}

export interface ViewState {
  nodes: ReadonlyMap<string, TreeNode>;
  roots: readonly string[];
  filter: Filter;
  /** Key of the selected row, and its last index (where the cursor lands if the row vanishes). */
  selected: string | null;
  cursorHint: number;
  tail: readonly StoredEvent[];
  today: TodayInfo;
  daemon: DaemonInfo | null;
  lastSeq: number;
  /** The view's clock: to the second while something needs it (a live run, a stale heartbeat), else to the minute. */
  now: number;
}

export type WatchAction =
  | { type: 'batch'; actions: readonly WatchAction[] }
  | { type: 'group'; group: GroupInfo }
  | { type: 'task'; task: TaskInfo }
  | { type: 'removed'; kind: 'task' | 'group'; instance: string; name: string }
  | { type: 'run'; instance: string; task: string; run: RunInfo }
  | { type: 'next'; instance: string; task: string; at: number | null }
  | { type: 'event'; event: StoredEvent }
  /** The recent events at start: shown in the tail, already reflected in the tree. */
  | { type: 'tail'; events: readonly StoredEvent[]; lastSeq: number }
  | { type: 'today'; today: TodayInfo }
  | { type: 'daemon'; daemon: DaemonInfo }
  | { type: 'tick'; now: number }
  | { type: 'filter'; text?: string; states?: readonly TaskStatus[] }
  | { type: 'toggle'; id: string; expanded?: boolean }
  | { type: 'move'; delta: number }
  | { type: 'select'; key: string };

export const TAIL_MAX = 200;

/** A heartbeat older than this means the daemon is hung or suspended, though its pid lives. */
export const HEARTBEAT_STALE_MS = 5000;

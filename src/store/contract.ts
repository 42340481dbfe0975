// The store contract: every read and write the program makes, as named operations that return
// promises. A driver (SQLite, the embedded default; PostgreSQL, shared) implements it; no caller holds a transaction:
// each operation that changes state is one atomic unit inside the driver (a state change and its
// event are written together or not at all). test/store-contract/ is what every driver must pass.
import type { Asker } from '../core/asker.js';
import type { NewEvent, StoredEvent } from '../core/events.js';

export type { Asker } from '../core/asker.js';
import type { GroupRunEventType, GroupRunState, RunState } from '../core/states.js';
import type { Definition, TaskDef } from '../core/task.js';
import type {
  CommandKind,
  CommandRow,
  DaemonRow,
  DefinitionInput,
  EventQuery,
  ExpiredRun,
  GroupRunPatch,
  GroupRunRow,
  NewGroupRun,
  NewRun,
  RunListQuery,
  RunRow,
  StoredDefinition,
  TransitionRequest,
  WriteOutcome,
} from './rows.js';
import type { AgentStore, AttemptStore, Cluster } from './contract-attempts.js';

/** The result of one item of a batch: each item is its own unit, so one refusal leaves the others. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface EventStore {
  /** Append one event; its seq, or undefined when an event with its natural key exists. */
  append(e: NewEvent): Promise<number | undefined>;
  /** Append several events as one unit; the seq of each (undefined: already there). */
  appendAll(events: readonly NewEvent[]): Promise<(number | undefined)[]>;
  /** Events in seq order. */
  list(q?: EventQuery): Promise<StoredEvent[]>;
  lastSeq(): Promise<number>;
  has(key: string): Promise<boolean>;
  /** How many events of each of these types happened at or after `since`. */
  countSince(types: readonly string[], since: number): Promise<Record<string, number>>;
  /** Each instance whose events name task id `tid`, with the task name of its latest such event. */
  namesOfTaskId(tid: number): Promise<{ instance: string; name: string }[]>;
  /** The instances whose events name a task called `task`. */
  instancesOfTask(task: string): Promise<string[]>;
}

/** A due ACTIVE run, with what its trigger decision needs to know. */
export interface DueRun extends RunRow {
  /** Whether the task's business date of the run is frozen. */
  frozen: boolean;
  /** Another run of the same task that is live (TRIGGER, STARTED, RUNNING, RESTARTING), if any. */
  live_sibling: Pick<RunRow, 'id' | 'origin' | 'slot' | 'created_at'> | null;
}

/** How many runs of a task ended in a final state, and when the latest of them ended. */
export interface FinalTotal {
  task: string;
  instance: string;
  state: RunState;
  n: number;
  last_ended: number | null;
}

export interface WaitingCounts {
  trigger: number;
  /** ACTIVE runs whose slot has come (waiting for a dependency, a frozen date's release, or the next pass). */
  due: number;
  /** STARTED or RUNNING. */
  live: number;
}

/** A task's latest run, with when its current attempt was accepted (null before its first, or without a row). */
export interface LatestRun {
  run: RunRow;
  attemptStartedAt: number | null;
}

export interface RunStore {
  get(id: number): Promise<RunRow | undefined>;
  /** Create the run for a slot with run.created; undefined when the slot already has a run. */
  create(r: NewRun): Promise<RunRow | undefined>;
  /** One transition: the new state and its event in one unit. Refused (rejects) when illegal or stale. */
  transition(req: TransitionRequest): Promise<RunRow>;
  /** Several transitions, each its own unit, written together (one commit for a burst). */
  transitionEach(reqs: readonly TransitionRequest[]): Promise<Outcome<RunRow>[]>;
  /** A run forced now: created at the first free slot from `r.slot` and triggered, as one unit. */
  force(r: NewRun, trigger: Pick<TransitionRequest, 'patch' | 'data'>): Promise<RunRow>;
  /** A run history page, newest first. */
  list(q?: RunListQuery): Promise<RunRow[]>;
  latestForTask(task: string, instance: string): Promise<RunRow | undefined>;
  /** latestForTask of each task, in the order given, with its attempt's start: one read for a whole screen of tasks. */
  latestOfTasks(tasks: readonly { task: string; instance: string }[]): Promise<(LatestRun | undefined)[]>;
  /**
   * The run `logs <task>` means: the latest that got as far as TRIGGER, else the latest of any kind.
   * Without `instance`, in any instance.
   */
  latestShown(task: string, instance?: string): Promise<RunRow | undefined>;
  /** How long an ended run's last attempt's process ran, ms; null while live or when none ran. */
  lastAttemptMs(run: Pick<RunRow, 'id' | 'attempt' | 'ended_at'>): Promise<number | null>;
  /**
   * The latest run of the same task and instance created before `run` (lower id) that ended with an
   * outcome (SUCCESS, FAILED, TERMINATED, REJECTED; SKIPPED runs are passed over): what alert_on
   * "change" compares with.
   */
  previousFinal(run: Pick<RunRow, 'id' | 'task_name' | 'instance'>): Promise<RunRow | undefined>;
  /** Bytes the last attempt of a run wrote to stdout and stderr; null when it has no ended attempt. */
  lastAttemptOutput(run: Pick<RunRow, 'id' | 'attempt'>): Promise<{ stdout_bytes: number; stderr_bytes: number } | null>;
  /** Counts by state of the runs created since `since`, and the first such run's id (the next id when none). */
  countsSince(since: number): Promise<{ firstRunId: number; counts: { state: RunState; n: number }[] }>;
  namesOfTaskId(tid: number): Promise<{ instance: string; name: string }[]>;
  instancesOfTask(task: string): Promise<string[]>;
  /** Per task, instance and final state: how many runs ended so, and the latest end among them (one aggregate, read once by a metrics start). */
  finalTotals(): Promise<FinalTotal[]>;
  /** Runs waiting to start (TRIGGER; ACTIVE whose slot has come) and attempts under way (STARTED, RUNNING), counted on the state index. */
  waiting(now: number): Promise<WaitingCounts>;
  /** The latest slot a schedule (not force or group) created for the task. */
  lastScheduledSlot(tid: number, instance: string): Promise<number | undefined>;
  /** Standalone ACTIVE runs whose slot has come, oldest slot first, with what triggering them depends on. */
  dueActive(now: number): Promise<DueRun[]>;
  /** Runs an agent serving these queues may accept now: TRIGGER, and RESTARTING whose retry is due; oldest slot first. */
  claimable(queues: readonly string[], now: number, limit: number): Promise<RunRow[]>;
  /** The earliest retry due on these queues, if any. */
  nextRetryOn(queues: readonly string[]): Promise<number | undefined>;
  /** TRIGGER runs whose accept expiry has passed at `now`. */
  expiredTriggers(now: number): Promise<RunRow[]>;
  /** The earliest accept expiry of a TRIGGER run, if any. */
  nextTriggerExpiry(): Promise<number | undefined>;
  /** A task's runs that are not final yet, oldest first. */
  liveOf(task: { tid: number; instance: string }): Promise<RunRow[]>;
  inStates(states: readonly RunState[]): Promise<RunRow[]>;
  /** The member runs of a group cycle, in id order. */
  ofGroupRun(groupRunId: number): Promise<RunRow[]>;
  /**
   * modify-status: move a final run to SUCCESS or FAILED (run.status_modified); with `release`, its
   * group cycle's dependants skipped for their dependency wait again (run.released) and a finished
   * cycle reopens, in the same unit.
   */
  modifyStatus(req: { runId: number; to: RunState; expectVersion: number; release?: { groupRunId: number; runs: readonly number[]; reopen: boolean }; /** Who asked (by, note): on its events, besides `by: modify-status` when nobody is named. */ data?: Record<string, string> }): Promise<RunRow>;
}

/** One slot as the scheduler records it. */
export type SlotRecord =
  | { kind: 'run'; run: NewRun; skip?: { reason: 'holiday' | 'missed'; data: Record<string, unknown> } }
  | {
      kind: 'cycle';
      cycle: NewGroupRun;
      skip?: { reason: 'holiday' | 'missed'; data: Record<string, unknown> };
      /** Older ACTIVE cycles of the group still waiting give way to this one (SKIPPED, dependency). */
      supersede?: boolean;
    };

export interface SlotStore {
  /**
   * Record the slots that have come, a batch per task or group, each batch its own unit (one that is
   * refused leaves the others), all written together. A slot that has a run already is left as it is.
   * Returns per batch the runs and cycles created to run (not those recorded as skipped).
   */
  record(batches: readonly (readonly SlotRecord[])[]): Promise<Outcome<{ runs: RunRow[]; cycles: GroupRunRow[] }>[]>;
}

export interface GroupRunStore {
  get(id: number): Promise<GroupRunRow | undefined>;
  /** A cycle forced now, created at the first free slot from `g.slot`. */
  force(g: NewGroupRun): Promise<GroupRunRow>;
  transition(id: number, event: Exclude<GroupRunEventType, 'group_run.created'>, to: GroupRunState, patch?: GroupRunPatch, data?: Record<string, unknown>): Promise<GroupRunRow>;
  /** A cycle starts: RUNNING, and one run per active member, as one unit. */
  start(id: number, members: readonly NewRun[], at: number): Promise<{ cycle: GroupRunRow; runs: RunRow[] }>;
  inStates(states: readonly GroupRunState[]): Promise<GroupRunRow[]>;
  /** The cycle of a group for a business date (the latest one when it fired several times). */
  forDate(group: string, instance: string, date: string): Promise<GroupRunRow | undefined>;
  recent(group: string, instance: string, limit: number): Promise<GroupRunRow[]>;
  lastScheduledSlot(gid: number, instance: string): Promise<number | undefined>;
  namesOfGroupId(gid: number): Promise<{ instance: string; name: string }[]>;
  instancesOfGroup(group: string): Promise<string[]>;
}

/** A change of definitions, all or nothing. */
export interface DefinitionChange {
  write?: readonly DefinitionInput[];
  /** Definitions to delete, as read. */
  remove?: readonly StoredDefinition[];
  replace: boolean;
  /** Work out the outcomes, then write nothing. */
  dryRun?: boolean;
}

export interface DefinitionStore {
  all(kind?: 'task' | 'group'): Promise<StoredDefinition[]>;
  /** By name or numeric tid/gid; an ambiguous reference across instances is refused (BAD_INPUT). */
  find(ref: string, instance?: string): Promise<StoredDefinition | undefined>;
  /** find(), or NOT_FOUND. */
  get(ref: string, instance?: string): Promise<StoredDefinition>;
  byName(name: string, instance: string): Promise<StoredDefinition | undefined>;
  byExtId(kind: 'task' | 'group', id: number, instance: string): Promise<StoredDefinition | undefined>;
  membersOf(group: string, instance: string): Promise<TaskDef[]>;
  /** Deletions then writes (insert, or update with replace), with their events, as one unit: ids the deleted held are free for the writes. */
  apply(change: DefinitionChange): Promise<{ written: WriteOutcome[]; removed: number[] }>;
  /** Enable or disable, with its event (its data carries `who`: by, note); `changed` false when it already had that state. */
  setActive(ref: string, active: boolean, instance?: string, who?: Asker): Promise<{ changed: boolean; definition: Definition; seq?: number }>;
}

/** What a control request does to the store, carried out together with its acknowledgement. */
export type ControlEffect =
  | { kind: 'force-run'; run: NewRun; trigger: Pick<TransitionRequest, 'patch' | 'data'> }
  | { kind: 'force-group'; cycle: NewGroupRun }
  /**
   * terminate: runs no agent holds move to TERMINATED here; an attempt an agent holds (on any host) is
   * flagged, and its agent kills it and records TERMINATED itself when it next renews its lease.
   */
  | { kind: 'transitions'; requests: readonly TransitionRequest[]; stop?: readonly { runId: number; n: number }[] }
  | { kind: 'freeze' | 'unfreeze'; task: FrozenTask; date: string; /** Extra data of the run.frozen / run.unfrozen events (by, note). */ data?: Record<string, string> }
  | { kind: 'modify-status'; request: Parameters<RunStore['modifyStatus']>[0] }
  | { kind: 'none' };

export type ControlResult =
  | { kind: 'force-run'; run: RunRow }
  | { kind: 'force-group'; cycle: GroupRunRow }
  | { kind: 'transitions'; runs: RunRow[] }
  | { kind: 'freeze' | 'unfreeze'; outcome: FreezeOutcome }
  | { kind: 'modify-status'; run: RunRow }
  | { kind: 'none' };

export interface CommandAnswer {
  ok: boolean;
  message: string;
  data?: Record<string, unknown>;
}

export interface CommandStore {
  enqueue(kind: CommandKind, target: string | null, args?: Record<string, unknown>): Promise<number>;
  pending(): Promise<CommandRow[]>;
  get(id: number): Promise<CommandRow | undefined>;
  /** Acknowledge a command that changes nothing; false when it was acknowledged or withdrawn meanwhile. */
  ack(id: number, answer: CommandAnswer): Promise<boolean>;
  /**
   * Carry out a command's effect and acknowledge it in one unit, so a command is carried out once:
   * a command withdrawn or acknowledged meanwhile changes nothing (undefined). `answer` words the
   * acknowledgement from what the effect did; an effect the store refuses rejects, acknowledging nothing.
   */
  carryOut(id: number, effect: ControlEffect, answer: (result: ControlResult) => CommandAnswer): Promise<CommandAnswer | undefined>;
  /** Withdraw a command nobody took, so a daemon started later does not act on a stale request. */
  withdraw(id: number): Promise<boolean>;
}

export interface CursorStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<{ key: string; value: string }[]>;
}

export interface FrozenTask {
  tid: number;
  name: string;
  instance: string;
}

export interface FreezeOutcome {
  /** The date was not frozen (freeze) / was frozen (unfreeze) before. */
  changed: boolean;
  /** Runs held (freeze) or released (unfreeze). */
  moved: number;
}

export interface FrozenDateStore {
  has(task: string, instance: string, date: string): Promise<boolean>;
  /** Freeze the date and hold the task's ACTIVE runs for it (FROZEN), as one unit; a date newly frozen writes task.frozen (data: date, runs, and `data`). */
  freeze(task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome>;
  /** Release the date and its FROZEN runs (back to ACTIVE), as one unit; a date newly released writes task.unfrozen. */
  unfreeze(task: FrozenTask, date: string, data?: Record<string, string>): Promise<FreezeOutcome>;
}

/** The runs a definition event skipped. */
export interface SkippedByEvent {
  /** The seq of the event that caused it. */
  cause: number;
  task: string;
  instance: string;
  reason: 'deleted' | 'disabled';
  runs: RunRow[];
}

export interface DefinitionEffectStore {
  /** The last seq whose effects are applied. */
  applied(): Promise<number | undefined>;
  /**
   * Skip the pending runs of the tasks deleted or disabled after the cursor and move it to the end
   * of the log, as one unit. `when` is asked inside it (e.g. "no daemon holds the home"): false
   * changes nothing and gives undefined.
   */
  apply(when?: (lease: DaemonRow | undefined) => boolean): Promise<SkippedByEvent[] | undefined>;
  /** How many runs the events with seq in (after, upTo] skipped. */
  skippedBy(after: number, upTo: number): Promise<number>;
}

export interface SurplusQuery {
  taskId: number;
  instance: string;
  /** Final states only (a live run is never pruned). */
  states: readonly RunState[];
  keep: number;
  skip?: number;
  limit: number;
}

export interface RetentionStore {
  /** Final runs ended (or created, when never ended) before `cutoff`, ids above `afterId`; a task's newest scheduled run stays. */
  expiredRuns(afterId: number, cutoff: number, limit: number): Promise<ExpiredRun[]>;
  /**
   * Retention by count: a task's final runs in `states` past its newest `keep` (newest first), after
   * skipping `skip` more of them, up to `limit`; the task's newest scheduled run is never among them.
   */
  surplusRuns(q: SurplusQuery): Promise<ExpiredRun[]>;
  countOfRuns(ids: readonly number[]): Promise<{ attempts: number; events: number }>;
  /** Remove these runs with their attempts and events, as one unit. */
  removeRuns(ids: readonly number[]): Promise<{ attempts: number; events: number }>;
  /** Events of no run older than `cutoff`. */
  countLooseEvents(cutoff: number): Promise<number>;
  removeLooseEvents(cutoff: number, limit: number): Promise<number>;
  /** Does a run other than `except` write to this file? */
  fileInUse(path: string, except: readonly number[]): Promise<boolean>;
  /** Bytes of storage free for reuse (0 when the driver cannot tell). */
  freeBytes(): Promise<number>;
}

/** Who holds the home's daemon lease. */
export interface LeaseOwner {
  pid: number;
  host: string;
  version: string;
}

export interface DaemonLeaseStore {
  read(): Promise<DaemonRow | undefined>;
  /**
   * Take the lease for `owner` unless `held(current)` says the current holder still holds it; as one
   * unit. Returns the previous row when taken, or the holder.
   */
  acquire(owner: LeaseOwner, at: number, held: (current: DaemonRow) => boolean): Promise<{ taken: true; previous: DaemonRow | undefined } | { taken: false; holder: DaemonRow }>;
  /** The holder's heartbeat with its degraded state (JSON, or null when healthy). */
  beat(pid: number, at: number, degraded: string | null): Promise<void>;
  release(pid: number, at: number): Promise<void>;
}

export interface Store {
  readonly driver: 'sqlite' | 'postgres';
  /** The home folder: logs, calendars, and the store file of the embedded driver. */
  readonly home: string;
  readonly events: EventStore;
  readonly runs: RunStore;
  readonly slots: SlotStore;
  readonly attempts: AttemptStore;
  readonly groupRuns: GroupRunStore;
  readonly defs: DefinitionStore;
  readonly commands: CommandStore;
  readonly cursors: CursorStore;
  readonly frozenDates: FrozenDateStore;
  readonly definitionEffects: DefinitionEffectStore;
  readonly retention: RetentionStore;
  readonly daemonLease: DaemonLeaseStore;
  readonly agents: AgentStore;
  /** Present when several hosts share the store (PostgreSQL): leadership, the database's clock, notifications. */
  readonly cluster?: Cluster;
  /**
   * A value that differs once another connection committed: a cheap hint that there may be
   * something new to read. What is new is always read from the event log by seq.
   */
  changeToken(): Promise<number>;
  /** Maintenance in a quiet moment (SQLite: checkpoint the write-ahead log); true when complete. */
  checkpoint(): Promise<boolean>;
  /** Fail fast rather than wait for another writer's lock (status reads while a writer holds it). */
  noWait(): void;
  close(): Promise<void>;
}

export * from './contract-attempts.js';

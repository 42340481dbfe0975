// The local agent: accepts TRIGGER runs for its queues, runs attempts, records results and retries.
import type { Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { EasyTaskError } from '../core/errors.js';
import { FINAL_STATES } from '../core/states.js';
import { runScope } from '../store/events.js';
import type { TaskDef } from '../core/task.js';
import { prepareAttempt, startAttempt, type AttemptHandle, type StartAttempt, type AttemptResult, type OutputProgress, type TerminateReason } from '../agent/index.js';
import type { RunRow, Store } from '../store/index.js';
import { verdict, type Settlement } from './attempt-verdict.js';
import { recordEnd, recordStart, type StartRecord } from './attempt-records.js';
import { retryDelayMs } from './retry.js';
import { KeptEnds } from './kept-ends.js';

export interface AgentOptions {
  home: string;
  host: string;
  queues: ReadonlySet<string>;
  concurrency: number;
  killGraceSeconds: number;
  random?: () => number;
  log?: (line: string) => void;
  /** Starts attempts; default: in this process. The daemon passes its spawner pool. */
  start?: StartAttempt;
  /** Called whenever an attempt ends (the run is final or RESTARTING: a slot is free again), and for a run that ended when claimed. */
  onSettled?: (run: RunRow) => void;
  /** Called when a run was claimed (STARTED), before its attempt is started. */
  onAccepted?: (run: RunRow) => void;
  /** Called when an attempt's process started (the run is RUNNING). */
  onStarted?: (run: RunRow) => void;
  /**
   * A store write failed: true when it is a store fault (disk full, locked) that the daemon reports
   * once per state change, so the agent does not log it each time; false (or absent) to log it here.
   */
  storeFault?: (what: string, err: unknown) => boolean;
  /** A store write of the agent's went through (the daemon's health tracker hears the store is back). */
  storeOk?: () => void;
}

interface Live {
  run: RunRow;
  handle?: AttemptHandle;
  /** A terminate that arrived while the attempt was being prepared. */
  pendingTerminate?: TerminateReason;
  /** Settles once the attempt is recorded. */
  done?: Promise<void>;
  /** Its process started but RUNNING is not recorded yet (waiting for the turn's commit, or that commit failed). */
  unrecorded?: Spawned;
  /** How its process ended, once it has: a failure to record that is retried, never taken for a spawn error. */
  ended?: AttemptResult;
}

/** A process that started, to be recorded RUNNING. */
interface Spawned extends StartRecord {
  entry: Live;
}

type Resolved = { task: TaskDef; timezone: string };

export interface TaskResolver {
  task(run: RunRow): Resolved | undefined;
}

export class LocalAgent {
  private readonly live = new Map<number, Live>();
  /** Started processes not yet recorded RUNNING: those that start in one turn of the event loop share one commit. */
  private spawned: Spawned[] = [];
  private spawnedFlush: NodeJS.Immediate | undefined;
  /** A retry of starts whose commit failed as a whole (e.g. the database was locked). */
  private spawnedRetry: NodeJS.Timeout | undefined;
  /** Ends the store refused (disk full, locked), by run: tried again with backoff while the agent lives. */
  private readonly kept: KeptEnds<Live>;
  /** The daemon's environment, read once (process.env is slow to copy, and it does not change). */
  private readonly baseEnv: Readonly<Record<string, string | undefined>> = { ...process.env };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly tasks: TaskResolver,
    private readonly opts: AgentOptions,
  ) {
    this.queues = [...opts.queues];
    this.kept = new KeptEnds<Live>({
      clock,
      write: (k) => this.settle(k.entry, k.how, k.at),
      // The fault was said once when the end was kept; not again per try.
      refused: (id, err) => this.opts.storeFault?.(`recording the end of run ${id}`, err),
      written: (k) => {
        const id = k.entry.run.id;
        this.opts.log?.(`recorded the end of run ${id} (${this.store.runs.get(id)?.state ?? 'gone'}), kept since the store refused it, after ${k.tries} ${k.tries === 1 ? 'try' : 'tries'}`);
      },
    });
  }

  /** Run ids with a live attempt (or one being prepared). */
  liveRunIds(): number[] {
    return [...this.live.keys()];
  }

  get running(): number {
    return this.live.size;
  }

  serves(queue: string): boolean {
    return this.opts.queues.has(queue);
  }

  /** Slots free for new attempts now. */
  get freeSlots(): number {
    return Math.max(0, this.opts.concurrency - this.live.size);
  }

  hasCapacity(): boolean {
    return this.freeSlots > 0;
  }

  /** The queues this agent serves, so runs for other hosts never crowd them out. */
  private readonly queues: string[];

  /** Accept what capacity allows: TRIGGER runs and RESTARTING runs whose delay is over. */
  pump(): void {
    const free = this.freeSlots;
    if (free === 0) return;
    const now = this.clock.now();
    const want = free + this.live.size;
    // Two ordered index scans (runs_by_state_slot) instead of one OR that would sort every TRIGGER run.
    const triggered = this.store.runs.triggeredOn(this.queues, want);
    const retries = this.store.runs.retriesDueOn(this.queues, now, want);
    const ready = retries.length === 0 ? triggered : [...triggered, ...retries].sort((a, b) => a.slot - b.slot || a.id - b.id);
    if (ready.length === 0) return;
    // Claimed in one transaction (one commit for a burst); started once it is committed.
    const claimed: { run: RunRow; resolved: Resolved }[] = [];
    const ended: RunRow[] = [];
    this.store.tx(() => {
      for (const run of ready) {
        if (claimed.length >= free) break;
        if (this.live.has(run.id)) continue;
        const c = this.claim(run);
        if (c && 'ended' in c) ended.push(c.ended);
        else if (c) claimed.push(c);
      }
    });
    for (const c of claimed) {
      this.notify(this.opts.onAccepted, c.run);
      this.launch(c.run, c.resolved);
    }
    for (const run of ended) this.notify(this.opts.onSettled, run);
  }

  /** Tell the daemon about a run; its errors are logged, never the agent's. */
  private notify(hook: ((run: RunRow) => void) | undefined, run: RunRow): void {
    try {
      hook?.(run);
    } catch (err) {
      this.opts.log?.(`error after run ${run.id}: ${(err as Error).message}`);
    }
  }

  /** The earliest RESTARTING due time on a served queue, so the loop can wake for it. */
  nextRetryDue(): number | undefined {
    return this.store.runs.nextRetryOn(this.queues);
  }

  /** Inside a transaction: STARTED (attempt n) when the run can go, else recorded as it ends (its task was deleted). */
  private claim(run: RunRow): { run: RunRow; resolved: Resolved } | { ended: RunRow } | undefined {
    const resolved = this.tasks.task(run);
    const now = this.clock.now();
    const attempt = run.attempt + 1;
    try {
      return this.store.tx(() => {
        if (!resolved) {
          if (run.state === 'TRIGGER') return { ended: this.store.runs.transitionInTx({ runId: run.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'deleted', ended_at: now }, expectVersion: run.version }) };
          return { ended: this.store.runs.transitionInTx({ runId: run.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'deleted', ended_at: now }, expectVersion: run.version }) };
        }
        const r = this.store.runs.transitionInTx({
          runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: run.version,
          patch: { attempt, host: this.opts.host, due_at: null, ...(run.started_at === null ? { started_at: now } : {}) },
          data: { host: this.opts.host, attempt, max_attempts: run.max_attempts },
        });
        this.store.attempts.begin(run.id, attempt, now);
        return { run: r, resolved };
      });
    } catch (err) {
      if (err instanceof EasyTaskError && (err.code === 'CONFLICT' || err.code === 'ILLEGAL_TRANSITION')) return undefined; // moved meanwhile
      // Rolled back alone (a savepoint): the other runs are still accepted, this one is tried again.
      if (this.opts.storeFault?.(`accepting run ${run.id}`, err)) return undefined;
      this.opts.log?.(`error: accepting run ${run.id}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Start a claimed (committed STARTED) run's attempt. */
  private launch(accepted: RunRow, resolved: Resolved): void {
    const entry: Live = { run: accepted };
    this.live.set(accepted.id, entry);
    entry.done = this.execute(entry, resolved.task, resolved.timezone).catch((err) => this.crashed(entry, err));
  }

  private async execute(entry: Live, task: TaskDef, timezone: string): Promise<void> {
    const run = entry.run;
    const prep = await prepareAttempt({ task, runId: run.id, attempt: run.attempt, triggerAt: run.slot, timezone, home: this.opts.home, processEnv: runEnvironment(this.baseEnv, run, this.opts.home) });
    if (!prep.ok) return this.conclude(entry, { kind: 'unstarted', reason: prep.reason, message: prep.message });
    if (entry.pendingTerminate) return this.conclude(entry, { kind: 'unstarted', reason: entry.pendingTerminate, message: 'terminated before it started' });
    const spec = { ...prep.spec, killGraceSeconds: this.opts.killGraceSeconds };
    let outputs = 0;
    entry.handle = (this.opts.start ?? startAttempt)(spec, {
      clock: this.clock,
      onSpawn: (pid, at) => this.started({ entry, pid, at, stdoutPath: spec.stdoutPath, stderrPath: spec.stderrPath }),
      onOutput: (p) => this.outputEvent(entry.run, p, ++outputs),
    });
    if (entry.pendingTerminate) entry.handle.terminate(entry.pendingTerminate);
    entry.ended = await entry.handle.result;
    this.conclude(entry, { kind: 'result', result: entry.ended });
  }

  /** Record how an attempt ended; when the store refuses it, keep it and write it once the store takes it. */
  private conclude(entry: Live, how: Settlement): void {
    try {
      this.settle(entry, how);
    } catch (err) {
      this.keepEnd(entry, how, err);
    }
  }

  /**
   * The end could not be written (disk full, database locked). The run keeps its last recorded state
   * meanwhile; the end is tried again with backoff (1 s doubling to 5 s, and at once whenever the
   * daemon sees the store take a write) for as long as the agent lives. At shutdown an end still
   * unwritten is left to crash recovery (see drain).
   */
  private keepEnd(entry: Live, how: Settlement, err: unknown): void {
    const id = entry.run.id;
    const fault = this.opts.storeFault?.(`recording the end of run ${id}`, err) ?? false;
    const msg = (err as Error).message ?? String(err);
    this.opts.log?.(`error: recording the end of run ${id}: ${msg}; the end is kept and written once the store takes it${fault ? '' : ' (tried again every few seconds)'}`);
    this.kept.keep(entry, how);
  }

  /** Ends kept since the store refused them (a run can show RUNNING in the store meanwhile). */
  get keptEnds(): number {
    return this.kept.size;
  }

  /** Try every kept end now (the daemon calls this before a pass, and when the store is back). True when none is left. */
  writeKeptEnds(): boolean {
    return this.kept.writeAll();
  }

  /**
   * Record a started process as RUNNING at the end of this turn of the event loop: processes that
   * start together (a spawner reports several at once) share one commit, and the spawns still
   * waiting are not held up by one commit each. Until then the run reads STARTED; a crash meanwhile
   * leaves it to recovery, which finds its process by its environment.
   */
  private started(s: Spawned): void {
    s.entry.unrecorded = s;
    this.spawned.push(s);
    this.spawnedFlush ??= setImmediate(() => this.recordStarted());
  }

  private recordStarted(): void {
    clearImmediate(this.spawnedFlush);
    this.spawnedFlush = undefined;
    const batch = this.spawned.splice(0);
    if (batch.length === 0) return;
    const recorded = new Map<Spawned, RunRow>();
    const failed = (s: Spawned, err: unknown) => {
      if (this.opts.storeFault?.(`recording the start of run ${s.entry.run.id}`, err)) return; // reported once per state change
      this.opts.log?.(`error: recording the start of run ${s.entry.run.id}: ${(err as Error).message}`);
    };
    try {
      this.store.tx(() => {
        for (const s of batch) {
          try {
            recorded.set(s, this.store.tx(() => recordStart(this.store, s))); // a savepoint: one failure stays its own
          } catch (err) {
            failed(s, err);
          }
        }
      });
    } catch (err) {
      // Nothing was written: try again in a second. A start that ends before then is recorded
      // with its end (settle), so a process that ran is never taken for one that did not.
      recorded.clear();
      for (const s of batch) failed(s, err);
      const waiting = batch.filter((s) => this.live.get(s.entry.run.id) === s.entry && s.entry.unrecorded === s);
      this.spawned.unshift(...waiting);
      this.spawnedRetry ??= setTimeout(() => {
        this.spawnedRetry = undefined;
        this.recordStarted();
      }, 1000).unref();
    }
    if (recorded.size) this.opts.storeOk?.();
    for (const [s, run] of recorded) {
      s.entry.run = run;
      s.entry.unrecorded = undefined;
      this.notify(this.opts.onStarted, run);
    }
  }

  private outputEvent(run: RunRow, p: OutputProgress, n: number): void {
    if (this.spawned.length) this.recordStarted(); // run.started comes first
    try {
      this.appendOutput(run, p, n);
    } catch (err) {
      // Progress only: the next report (or the end) carries the counts. Never thrown into the output pipe's handler.
      if (!this.opts.storeFault?.(`recording the output of run ${run.id}`, err)) this.opts.log?.(`error: recording the output of run ${run.id}: ${(err as Error).message}`);
    }
  }

  private appendOutput(run: RunRow, p: OutputProgress, n: number): void {
    this.store.events.append({
      key: `run:${run.id}:a${run.attempt}:output:${n}`,
      type: 'run.output',
      time: this.clock.now(),
      ...runScope(run),
      data: { stdout_bytes: p.stdoutBytes, stderr_bytes: p.stderrBytes, stdout_lines: p.stdoutLines, stderr_lines: p.stderrLines },
    });
  }

  /** Terminate a live run's attempt (or the one being prepared). Returns false when it is not live here. */
  terminate(runId: number, reason: TerminateReason): boolean {
    const entry = this.live.get(runId);
    if (!entry) return false;
    if (entry.handle) entry.handle.terminate(reason);
    else entry.pendingTerminate = reason;
    return true;
  }

  /** Terminate everything live and wait until every attempt has been recorded. */
  async drain(reason?: TerminateReason): Promise<void> {
    if (reason) for (const id of [...this.live.keys()]) this.terminate(id, reason);
    for (;;) {
      const waiting = [...this.live.values()].filter((e) => !this.kept.has(e.run.id));
      if (waiting.length === 0) break;
      await Promise.all(waiting.map((e) => e.done));
    }
    this.leaveKeptEnds();
  }

  /** At shutdown: one last try at each kept end; what the store still refuses is left to crash recovery. */
  private leaveKeptEnds(): void {
    for (const entry of this.kept.release()) {
      this.live.delete(entry.run.id);
      this.opts.log?.(`error: the end of run ${entry.run.id} could not be written before shutdown; left to crash recovery (the next daemon records it lost, or retries it)`);
    }
  }

  /** Something other than the store failed around an attempt (its preparation or start threw). */
  private async crashed(entry: Live, err: unknown): Promise<void> {
    // A process that ran and ended is never taken for a spawn error: that would run the command twice.
    if (entry.ended) return this.conclude(entry, { kind: 'result', result: entry.ended });
    this.conclude(entry, { kind: 'unstarted', reason: 'spawn_error', message: (err as Error).message ?? String(err) });
  }

  private settle(entry: Live, how: Settlement, at?: number): void {
    if (this.spawned.length) this.recordStarted(); // RUNNING is recorded before the attempt's end
    const now = at ?? this.clock.now();
    const run = entry.run;
    const current = this.store.runs.get(run.id);
    if (!current || FINAL_STATES.includes(current.state)) {
      this.live.delete(run.id); // already recorded (or gone): settling twice must not fail
      return;
    }
    // A process that ran whose RUNNING could not be recorded: recorded now, with its end.
    const unrecorded = how.kind === 'result' && current.state === 'STARTED' ? entry.unrecorded : undefined;
    this.spawned = this.spawned.filter((s) => s.entry !== entry);
    const v = verdict(how);
    const retry = v.retriable && run.attempt < run.max_attempts;
    const task = this.tasks.task(run)?.task;
    const retryInMs = retry ? retryDelayMs(task?.retry_delay ?? DEFAULTS.retryDelaySeconds, run.attempt, this.opts.random) : undefined;
    this.store.tx(() => {
      if (unrecorded) recordStart(this.store, unrecorded);
      recordEnd(this.store, run, how, v, now, retryInMs);
    });
    entry.unrecorded = undefined;
    this.live.delete(run.id);
    this.opts.storeOk?.();
    this.notify(this.opts.onSettled, run);
  }
}

/** The daemon's environment plus variables naming the run, so leftovers can be found after a crash. */
function runEnvironment(base: Readonly<Record<string, string | undefined>>, run: RunRow, home: string): Record<string, string | undefined> {
  return {
    ...base,
    EASYTASK_HOME: home,
    EASYTASK_RUN_ID: String(run.id),
    EASYTASK_TASK: run.task_name,
    EASYTASK_ATTEMPT: String(run.attempt),
  };
}

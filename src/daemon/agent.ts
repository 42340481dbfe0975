// The local agent: accepts TRIGGER runs for its queues, runs attempts, records results and retries.
import { askerData, type Asker } from '../core/asker.js';
import type { Clock } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { randomUUID } from 'node:crypto';
import { EasyTaskError } from '../core/errors.js';
import { FINAL_STATES } from '../core/states.js';
import type { TaskDef } from '../core/task.js';
import { prepareAttempt, startAttempt, type AttemptHandle, type StartAttempt, type AttemptResult, type OutputProgress, type TerminateReason } from '../attempt/index.js';
import { runScope, type RunRow, type Store } from '../store/index.js';
import { verdict, type Settlement } from './attempt-verdict.js';
import { endRecord, startedProcess, type StartRecord } from './attempt-records.js';
import { StartBatcher } from './start-batcher.js';
import { AttemptLeases, DEFAULT_LEASE_MS, type Held } from './attempt-leases.js';
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
  /** How long an attempt's lease lasts unless renewed (store clock), ms. */
  leaseMs?: number;
}


/** An attempt live here; every report about it is made under its lease's token (see attempt-leases.ts). */
interface Live extends Held {
  handle?: AttemptHandle;
  /** A terminate that arrived while the attempt was being prepared. */
  pendingTerminate?: TerminateReason;
  /** Who asked to terminate it, and why (data of its run.terminated). */
  terminatedBy?: Record<string, string>;
  /** Settles once the attempt is recorded. */
  done?: Promise<void>;
  /** Its process started but RUNNING is not recorded yet (waiting for the turn's commit, or that commit failed). */
  unrecorded?: Spawned;
  /** How its process ended, once it has: a failure to record that is retried, never taken for a spawn error. */
  ended?: AttemptResult;
  /** Its run.output events, appended in order. */
  outputs: Promise<void>;
}

/** A process that started, to be recorded RUNNING. */
interface Spawned extends StartRecord {
  entry: Live;
}

type Resolved = { task: TaskDef; timezone: string };

export interface TaskResolver {
  task(run: RunRow): Resolved | undefined;
  /** Read the definitions again (a run of a task not known yet). */
  reload?(): Promise<void>;
}

export class LocalAgent {
  private readonly live = new Map<number, Live>();
  /** Started processes not yet recorded RUNNING: those that start in one turn of the event loop share one commit. */
  private readonly starts: StartBatcher<Spawned>;
  private readonly leases: AttemptLeases<Live>;
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
    this.leases = new AttemptLeases<Live>(store, clock, opts.leaseMs ?? DEFAULT_LEASE_MS, {
      live: () => this.live.values(),
      // An attempt whose process ended is being recorded: its token going is that record, not a loss.
      lose: (e, why) => (e.ended ? undefined : this.loseLease(e, why)),
      terminate: (e) => this.terminate(e.run.id, 'requested'),
    });
    this.starts = new StartBatcher<Spawned>(store, clock, {
      waiting: (s) => this.live.get(s.entry.run.id) === s.entry && s.entry.unrecorded === s,
      failed: (s, err) => {
        if (this.opts.storeFault?.(`recording the start of run ${s.entry.run.id}`, err)) return; // reported once per state change
        this.opts.log?.(`error: recording the start of run ${s.entry.run.id}: ${(err as Error).message}`);
      },
      recorded: (s, run) => {
        s.entry.run = run;
        s.entry.unrecorded = undefined;
        this.notify(this.opts.onStarted, run);
      },
      ok: () => this.opts.storeOk?.(),
    });
    this.kept = new KeptEnds<Live>({
      clock,
      write: async (k) => {
        try {
          await this.settle(k.entry, k.how, k.at);
        } catch (err) {
          // Recovered elsewhere while its end waited: nothing more to write.
          if (err instanceof EasyTaskError && err.code === 'STALE') return this.forget(k.entry, err.message);
          throw err;
        }
      },
      // The fault was said once when the end was kept; not again per try.
      refused: (id, err) => this.opts.storeFault?.(`recording the end of run ${id}`, err),
      written: (k) => {
        const id = k.entry.run.id;
        void this.store.runs.get(id).then(
          (r) => this.opts.log?.(`recorded the end of run ${id} (${r?.state ?? 'gone'}), kept since the store refused it, after ${k.tries} ${k.tries === 1 ? 'try' : 'tries'}`),
          () => undefined,
        );
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

  /**
   * Accept what capacity allows: TRIGGER runs and RESTARTING runs whose delay is over, accepted
   * together (one commit for a burst) and started once that is committed. A run whose task was
   * deleted is recorded as it ends instead.
   */
  async pump(): Promise<void> {
    const free = this.freeSlots;
    if (free === 0) return;
    const now = this.clock.now();
    const mono = this.clock.monotonic();
    const claimed = await this.store.attempts.claim({
      queues: this.queues, now, host: this.opts.host, leaseMs: this.leases.leaseMs, tokens: Array.from({ length: free }, () => randomUUID()),
    });
    if (claimed.length === 0) return;
    // A task this agent does not know yet (defined a moment ago on another host): read the definitions once more.
    if (claimed.some((c) => !this.tasks.task(c.run))) await this.tasks.reload?.();
    for (const { run, token } of claimed) {
      const resolved = this.tasks.task(run);
      const entry: Live = { run, token, heldUntil: mono + this.leases.leaseMs, outputs: Promise.resolve() };
      this.live.set(run.id, entry);
      this.notify(this.opts.onAccepted, run);
      if (resolved) entry.done = this.execute(entry, resolved.task, resolved.timezone).catch((err) => this.crashed(entry, err));
      else entry.done = this.conclude(entry, { kind: 'unstarted', reason: 'deleted', message: 'its task was deleted before it started' });
    }
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
  nextRetryDue(): Promise<number | undefined> {
    return this.store.runs.nextRetryOn(this.queues);
  }

  private async execute(entry: Live, task: TaskDef, timezone: string): Promise<void> {
    const run = entry.run;
    const prep = await prepareAttempt({ task, runId: run.id, attempt: run.attempt, triggerAt: run.slot, timezone, home: this.opts.home, processEnv: runEnvironment(this.baseEnv, run, this.opts.home) });
    if (!prep.ok) return await this.conclude(entry, { kind: 'unstarted', reason: prep.reason, message: prep.message });
    if (entry.pendingTerminate) return await this.conclude(entry, { kind: 'unstarted', reason: entry.pendingTerminate, message: 'terminated before it started' });
    const spec = { ...prep.spec, killGraceSeconds: this.opts.killGraceSeconds };
    let outputs = 0;
    entry.handle = (this.opts.start ?? startAttempt)(spec, {
      clock: this.clock,
      onSpawn: (pid, at) => this.started({ entry, pid, at, stdoutPath: spec.stdoutPath, stderrPath: spec.stderrPath }),
      onOutput: (p) => this.outputEvent(entry.run, p, ++outputs),
    });
    if (entry.pendingTerminate) entry.handle.terminate(entry.pendingTerminate);
    entry.ended = await entry.handle.result;
    await this.conclude(entry, { kind: 'result', result: entry.ended });
  }

  /** Record how an attempt ended; when the store refuses it, keep it and write it once the store takes it. */
  private async conclude(entry: Live, how: Settlement): Promise<void> {
    if (entry.lost && how.kind !== 'lost') how = { kind: 'lost', message: entry.lost, ...(how.kind === 'result' ? { result: how.result } : {}) };
    try {
      await this.settle(entry, how);
    } catch (err) {
      if (err instanceof EasyTaskError && err.code === 'STALE') return this.forget(entry, err.message);
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
  writeKeptEnds(): Promise<boolean> {
    return this.kept.writeAll();
  }

  /** Record a started process as RUNNING with the others that start in this turn (see start-batcher.ts). */
  private started(s: Spawned): void {
    s.entry.unrecorded = s;
    this.starts.add(s);
  }

  private outputEvent(run: RunRow, p: OutputProgress, n: number): void {
    const entry = this.live.get(run.id);
    const write = async () => {
      await this.starts.settled(); // run.started comes first
      try {
        await this.appendOutput(run, p, n);
      } catch (err) {
        // Progress only: the next report (or the end) carries the counts. Never thrown into the output pipe's handler.
        if (!this.opts.storeFault?.(`recording the output of run ${run.id}`, err)) this.opts.log?.(`error: recording the output of run ${run.id}: ${(err as Error).message}`);
      }
    };
    if (entry) entry.outputs = entry.outputs.then(write);
    else void write();
  }

  private async appendOutput(run: RunRow, p: OutputProgress, n: number): Promise<void> {
    await this.store.events.append({
      key: `run:${run.id}:a${run.attempt}:output:${n}`,
      type: 'run.output',
      time: this.clock.now(),
      ...runScope(run),
      data: { stdout_bytes: p.stdoutBytes, stderr_bytes: p.stderrBytes, stdout_lines: p.stdoutLines, stderr_lines: p.stderrLines },
    });
  }

  /** The attempt is no longer this agent's (its lease ran out and the run was recovered): nothing more is said of it. */
  private forget(entry: Live, why: string): void {
    this.live.delete(entry.run.id);
    this.starts.drop((s) => s.entry === entry);
    this.opts.log?.(`run ${entry.run.id}: ${why}`);
    this.notify(this.opts.onSettled, entry.run);
  }

  /** Renew the leases of the live attempts (the daemon calls this every third of a lease; see attempt-leases.ts). */
  renewLeases(): Promise<void> {
    return this.leases.renew();
  }

  private loseLease(e: Live, why: string): void {
    if (e.lost) return;
    e.lost = why;
    this.opts.log?.(`run ${e.run.id}: ${why}`);
    if (e.handle) e.handle.terminate('requested');
    else e.pendingTerminate = 'requested';
  }

  /** Terminate a live run's attempt (or the one being prepared). Returns false when it is not live here. */
  terminate(runId: number, reason: TerminateReason, who?: Asker): boolean {
    const entry = this.live.get(runId);
    if (!entry) return false;
    if (who && Object.keys(askerData(who)).length) entry.terminatedBy = askerData(who);
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
      await Promise.all(waiting.map((e) => e.done ?? Promise.resolve()));
    }
    await this.leaveKeptEnds();
  }

  /** At shutdown: one last try at each kept end; what the store still refuses is left to crash recovery. */
  private async leaveKeptEnds(): Promise<void> {
    for (const entry of await this.kept.release()) {
      this.live.delete(entry.run.id);
      this.opts.log?.(`error: the end of run ${entry.run.id} could not be written before shutdown; left to crash recovery (the next daemon records it lost, or retries it)`);
    }
  }

  /** Something other than the store failed around an attempt (its preparation or start threw). */
  private async crashed(entry: Live, err: unknown): Promise<void> {
    // A process that ran and ended is never taken for a spawn error: that would run the command twice.
    if (entry.ended) return this.conclude(entry, { kind: 'result', result: entry.ended });
    await this.conclude(entry, { kind: 'unstarted', reason: 'spawn_error', message: (err as Error).message ?? String(err) });
  }

  private async settle(entry: Live, how: Settlement, at?: number): Promise<void> {
    await this.starts.settled(); // RUNNING is recorded before the attempt's end
    await entry.outputs; // and its output reports
    const now = at ?? this.clock.now();
    const run = entry.run;
    const current = await this.store.runs.get(run.id);
    if (!current || FINAL_STATES.includes(current.state)) {
      this.live.delete(run.id); // already recorded (or gone): settling twice must not fail
      return;
    }
    // A process that ran whose RUNNING could not be recorded: recorded now, with its end.
    const unrecorded = how.kind === 'result' && current.state === 'STARTED' ? entry.unrecorded : undefined;
    this.starts.drop((s) => s.entry === entry);
    const v = verdict(how);
    const retry = v.retriable && run.attempt < run.max_attempts;
    const task = this.tasks.task(run)?.task;
    const retryInMs = retry ? retryDelayMs(task?.retry_delay ?? DEFAULTS.retryDelaySeconds, run.attempt, this.opts.random) : undefined;
    const record = endRecord(run, how, v, now, retryInMs);
    if (entry.terminatedBy && record.transition.event === 'run.terminated') record.transition.data = { ...record.transition.data, ...entry.terminatedBy };
    await this.store.attempts.ended({ token: entry.token, ...(unrecorded ? { start: startedProcess(unrecorded) } : {}), ...record });
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

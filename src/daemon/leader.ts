// What only the leader does: turn due slots into runs, trigger them, advance group cycles, expire
// runs nobody accepted, answer control requests, apply definition changes to runs, recover the runs
// of agents whose lease ran out, and report (alerts, sinks, retention). On a SQLite home the daemon
// leads for its whole life; on a shared store these duties move to whichever daemon is elected.
import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import { AlertFeed } from '../events/alert-feed.js';
import { AlertRunner } from '../events/alerts.js';
import { HealthcheckFeed } from '../events/healthcheck-feed.js';
import { SinkDelivery } from '../events/sink.js';
import { RetentionTimer } from '../retention/timer.js';
import { emptyCalendars, type BrokenCalendar, type CalendarSet } from '../schedule/index.js';
import type { Store, TransitionRequest } from '../store/index.js';
import type { LocalAgent } from './agent.js';
import { CalendarWatch } from './calendars.js';
import { answerPending, type ControlContext } from './control.js';
import type { DefinitionCache } from './definition-cache.js';
import { GroupEngine } from './groups.js';
import { Replacer } from './replace.js';
import { Scheduler } from './scheduler.js';
import type { StoreHealth } from './store-health.js';
import { movedMeanwhile, promoteDue } from './trigger.js';

export interface LeaderOptions {
  home: string;
  log: (line: string) => void;
  sinks?: { url: string; secret?: string; batch?: number }[];
  retainDays?: number;
}

export interface LeaderContext {
  /** The store as this leader writes it (fenced by its term on a shared store). */
  store: Store;
  clock: Clock;
  defs: DefinitionCache;
  agent: LocalAgent;
  health: StoreHealth;
  /** Run the loop once more soon (something the leader did or learnt calls for a pass). */
  wake(): void;
  opts: LeaderOptions;
}

export class LeaderDuties {
  readonly scheduler: Scheduler;
  readonly groups: GroupEngine;
  private readonly calendars: CalendarWatch;
  private readonly alerts: AlertFeed;
  private readonly runner: AlertRunner;
  private readonly healthchecks: HealthcheckFeed;
  private readonly sinks: SinkDelivery[];
  private readonly retention: RetentionTimer;
  private readonly replacer: Replacer;
  private stopped = false;

  constructor(private readonly c: LeaderContext) {
    const { store, clock, opts } = c;
    this.scheduler = new Scheduler(store, c.defs, clock, emptyCalendars, {
      warn: (m) => opts.log(`warning: ${m}`),
      unrecorded: (err) => c.health.failed('recording the slots due', err),
      unscheduled: (task, timezone, m) => void this.runner.onMissed({ task, timezone, count: m.count, first: m.first, last: m.last, cause: 'disabled', id: `${task.instance}/${task.name}:${m.since}:${m.until}` }),
    });
    this.calendars = new CalendarWatch({
      home: opts.home, now: () => clock.now(), log: opts.log,
      apply: (calendars, reloaded, broken) => void this.calendarsChanged(calendars, reloaded, broken).catch((err: unknown) => this.failed('reloading calendars', err)),
    });
    this.groups = new GroupEngine(store, clock, c.defs);
    this.replacer = new Replacer(store, clock, c.agent, opts.log, () => c.wake());
    this.sinks = (opts.sinks ?? []).map((s) => new SinkDelivery(store, clock, { ...s, log: opts.log }));
    this.runner = new AlertRunner(store, clock, { home: opts.home, log: opts.log });
    this.alerts = new AlertFeed(store, this.runner, (run) => c.defs.taskOf(run));
    this.healthchecks = new HealthcheckFeed(store, clock, (run) => c.defs.taskOf(run), { log: opts.log });
    // Always on: tasks may keep their runs by count (retain_runs, retain_failures); the age only with --retain-days.
    this.retention = new RetentionTimer(store, clock, { retainDays: opts.retainDays, log: opts.log });
  }

  private failed(what: string, err: unknown): void {
    if (!this.c.health.failed(what, err)) this.c.opts.log(`error while ${what}: ${(err as Error).message}`);
  }

  /** Alerts start first, so that runs recovery fails as lost alert too. */
  async startAlerts(): Promise<void> {
    await this.alerts.start();
    await this.healthchecks.start();
  }

  /** Take up the duties: definitions the last leader left unapplied, the schedule, the open cycles, the commands waiting. */
  async start(): Promise<void> {
    this.calendars.load();
    await this.applyDefinitionEffects();
    await this.scheduler.load();
    await this.groups.markAll();
    this.calendars.watch();
    await this.processCommands(false);
    this.startReaders();
  }

  /** Sinks and retention look for work (after start, and whenever something changed). */
  startReaders(): void {
    for (const s of this.sinks) s.start();
    this.retention.start();
  }

  /** The daemon is the one writer of runs: a deleted or disabled task's pending runs are skipped here. */
  async applyDefinitionEffects(): Promise<void> {
    for (const e of (await this.c.store.definitionEffects.apply()) ?? []) for (const r of e.runs) this.groups.markRun(r);
  }

  /** The definitions changed (the cache is read again already): skip what they make skip, reload the schedule. */
  async definitionsChanged(): Promise<void> {
    await this.applyDefinitionEffects();
    await this.scheduler.load();
    this.groups.definitionsChanged();
  }

  /** Runs moved by an agent elsewhere (another host): their cycles may move on. */
  runsChanged(events: readonly StoredEvent[]): void {
    for (const e of events) if (e.run_id !== null && e.run_id !== undefined && e.group_run_id !== null && e.group_run_id !== undefined) this.groups.markRun({ id: e.run_id, group_run_id: e.group_run_id });
  }

  private async calendarsChanged(calendars: CalendarSet, reloaded: boolean, broken: ReadonlyMap<string, BrokenCalendar>): Promise<void> {
    await this.scheduler.setCalendars(calendars, broken);
    if (!reloaded) return;
    const now = this.c.clock.now();
    await this.c.store.events.append({ key: `calendar:${process.pid}:${now}:${Math.random()}`, type: 'calendar.reloaded', time: now, instance: 'default', data: { calendars: [...calendars.keys()] } });
    this.c.wake();
  }

  /**
   * Carry out and acknowledge pending control commands. While the daemon stops (the grace period),
   * terminate still works, so a run that holds up the shutdown can be ended; anything else is
   * refused with the reason instead of being left unanswered.
   */
  async processCommands(stopping: boolean): Promise<void> {
    const ctx: ControlContext = {
      store: this.c.store, clock: this.c.clock, agent: this.c.agent, groups: this.groups, zoneOf: (t) => this.c.defs.zoneOf(t),
      calendars: () => this.scheduler.calendarSet,
      reload: async () => {
        await this.c.defs.load();
        await this.definitionsChanged();
      },
    };
    for (const ack of await answerPending(ctx, stopping)) this.c.opts.log(`${ack.ok ? '' : 'refused: '}${ack.message}`);
  }

  /**
   * One pass: expire, record the slots due, trigger what is due, advance the cycles. At most
   * `budget` group members trigger per pass (see GroupEngine.advance); true when more are waiting.
   */
  async pass(budget: number): Promise<boolean> {
    await this.expire();
    const created = await this.scheduler.tick();
    for (const c of created.cycles) this.groups.mark(c.id);
    await promoteDue(this.c.store, this.c.clock, { taskOf: (run) => this.c.defs.taskOf(run)?.task, replace: (live) => this.replacer.replace(live) });
    return this.groups.advance(budget);
  }

  /** TRIGGER runs nobody accepted within task_accept_expiry_time (their due_at) end REJECTED. */
  private async expire(): Promise<void> {
    const now = this.c.clock.now();
    const expired = await this.c.store.runs.expiredTriggers(now);
    if (expired.length === 0) return;
    const outcomes = await this.c.store.runs.transitionEach(
      expired.map((run) => ({ runId: run.id, event: 'run.rejected' as const, to: 'REJECTED' as const, expectVersion: run.version, patch: { reason: 'expired' as const, ended_at: now }, data: { queue: run.queue, waited_ms: now - (run.triggered_at ?? now) } })),
    );
    outcomes.forEach((o, i) => {
      if (o.ok) this.groups.markRun(expired[i]!);
      else if (!movedMeanwhile(o.error)) throw o.error;
    });
  }

  /**
   * Runs whose agent stopped renewing its lease (it died, or lost the store) more than `graceMs` ago:
   * retried when attempts remain, else FAILED (lost). The agent kills its attempt before its lease
   * ends, so the run is never running twice at once; a late report of it is refused.
   */
  async recoverExpired(graceMs: number): Promise<number> {
    const expired = await this.c.store.attempts.expired(graceMs, 100);
    if (expired.length === 0) return 0;
    const now = this.c.clock.now();
    const items = expired.map(({ run, token, host, expired_ms }) => {
      const data = { error: `the agent on ${host ?? '?'} stopped renewing this attempt's lease (${Math.round(expired_ms / 1000)}s ago)`, host, pid: run.pid };
      const transition: TransitionRequest = run.attempt < run.max_attempts
        ? { runId: run.id, event: 'run.retrying', to: 'RESTARTING', patch: { reason: 'lost', due_at: now }, data: { ...data, next_attempt: run.attempt + 1 } }
        : { runId: run.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'lost', ended_at: now }, data };
      return { runId: run.id, n: run.attempt, at: now, token, transition };
    });
    const outcomes = await this.c.store.attempts.abandoned(items);
    let recovered = 0;
    outcomes.forEach((o, i) => {
      if (!o.ok) return; // its agent reported meanwhile
      recovered++;
      this.groups.markRun(o.value);
      this.c.opts.log(`recovered run ${o.value.id} (${o.value.task_name}): ${items[i]!.transition.to === 'RESTARTING' ? 'retried' : 'failed (lost)'}; ${String(items[i]!.transition.data?.error)}`);
    });
    if (recovered) this.c.wake();
    return recovered;
  }

  /** The earliest instant a pass has work: a fire, or a trigger's accept expiry. */
  async nextWork(): Promise<number | undefined> {
    const at = [this.scheduler.nextDue(), await this.c.store.runs.nextTriggerExpiry()].filter((x): x is number => x !== undefined);
    return at.length ? Math.min(...at) : undefined;
  }

  /** Alerts and sinks follow what was committed. */
  async report(): Promise<void> {
    await this.alerts.check();
    await this.healthchecks.check();
    for (const s of this.sinks) s.notify();
  }

  /** Stop watching the calendars: nothing new is scheduled (the first step of a shutdown). */
  async quiesce(): Promise<void> {
    await this.calendars.close();
  }

  /** Give up the duties (stopping, or no longer the leader): what is in flight finishes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.calendars.close();
    await this.alerts.check();
    await this.healthchecks.check();
    await this.alerts.stop();
    await this.healthchecks.stop();
    await this.retention.stop();
    for (const s of this.sinks) s.notify();
    await Promise.all(this.sinks.map((s) => s.stop()));
  }
}

// The daemon: one process that schedules, runs and records; it sleeps until the next due instant.
import { every, type Clock, type Timer } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { AlertFeed } from '../events/alert-feed.js';
import { AlertRunner } from '../events/alerts.js';
import { ConsoleLines } from '../events/console-lines.js';
import { RetentionTimer } from '../retention/timer.js';
import { DEFINITION_EVENT_TYPES } from '../core/events.js';
import { SinkDelivery } from '../events/sink.js';
import { emptyCalendars, type BrokenCalendar, type CalendarSet } from '../schedule/index.js';
import type { AttemptLauncher } from '../attempt/index.js';
import type { Store } from '../store/index.js';
import { LocalAgent } from './agent.js';
import { CalendarWatch } from './calendars.js';
import { QuietCheckpoints } from './checkpoint.js';
import { answerPending, type ControlContext } from './control.js';
import { GroupEngine } from './groups.js';
import { acquire, hostName, release } from './lock.js';
import { Grace } from './grace.js';
import { HealthEvents } from './health-events.js';
import { Heartbeat } from './heartbeat.js';
import { DefinitionCache } from './definition-cache.js';
import { recover } from './recovery.js';
import { Scheduler } from './scheduler.js';
import { StoreHealth, type Degraded } from './store-health.js';
import { movedMeanwhile, promoteDue } from './trigger.js';

export interface DaemonOptions {
  home: string;
  version: string;
  queues: string[];
  concurrency: number;
  graceSeconds: number;
  killGraceSeconds: number;
  /** How often to look for changes made by other processes, ms. */
  pollMs: number;
  machineZone: string;
  log: (line: string) => void;
  /** Prints committed transitions, one line each (possibly several lines in one call; the daemon's console is a view of the event log). */
  logEvent?: (line: string) => void;
  /** Webhook sinks: each event POSTed as a CloudEvent from a durable cursor. */
  sinks?: { url: string; secret?: string; batch?: number }[];
  /** Remove runs, events and logs older than this many days (hourly). */
  retainDays?: number;
  random?: () => number;
  /** Starts attempts (the CLI passes its spawner pool); default: in the daemon's own process. */
  launcher?: AttemptLauncher;
}

/** Console lines, alerts and sinks follow a pass by this much (see reportSoon). */
const REPORT_AFTER_MS = 40;
export class Daemon {
  readonly scheduler: Scheduler;
  readonly agent: LocalAgent;
  readonly groups: GroupEngine;
  private readonly sinks: SinkDelivery[];
  private readonly alerts: AlertFeed;
  /** The console's lines, one per committed transition (absent with --quiet). */
  private readonly consoleLines: ConsoleLines | undefined;
  private readonly retention: RetentionTimer | undefined;
  private timer: Timer | undefined;
  private poller: Timer | undefined;
  private beat: Timer | undefined;
  /** The store's change token when last looked at: a hint that another process committed. */
  private changeToken = -1;
  /** The event log is read up to here for definition changes (the one invalidation path of the daemon's caches). */
  private seenSeq = 0;
  private stopping = false;
  private readonly grace: Grace;
  /** The definitions, read once per change of them. */
  private readonly defs: DefinitionCache;
  private busy = false;
  /** The pass under way, which a wake-up during it waits for. */
  private pass: Promise<void> = Promise.resolve();
  /** When the loop next wakes on its own (undefined: nothing timed is ahead). */
  private nextWakeAt: number | undefined;
  private again = false;
  private readonly calendars: CalendarWatch;
  /** WAL checkpoints in quiet moments (see checkpoint.ts). */
  readonly checkpoints: QuietCheckpoints;
  /** Whether the store takes writes (disk full, database locked): backoff and the degraded state. */
  readonly health: StoreHealth;
  private readonly healthEvents: HealthEvents;
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: DaemonOptions,
  ) {
    this.grace = new Grace(opts.graceSeconds, clock);
    this.healthEvents = new HealthEvents(store);
    this.health = new StoreHealth(clock, {
      log: opts.log,
      onDegraded: (d) => void this.degraded(d),
      onRecovered: (d, at) => this.recovered(d, at),
    });
    this.heartbeat = new Heartbeat(store, clock, this.health, () => this.nextWakeAt);
    this.defs = new DefinitionCache(store, opts.machineZone);
    this.scheduler = new Scheduler(store, this.defs, clock, emptyCalendars, {
      warn: (m) => opts.log(`warning: ${m}`),
      unrecorded: (err) => this.health.failed('recording the slots due', err),
    });
    this.calendars = new CalendarWatch({ home: opts.home, now: () => clock.now(), log: opts.log, apply: (calendars, reloaded, broken) => void this.guard('reloading calendars', () => this.calendarsChanged(calendars, reloaded, broken)) });
    this.checkpoints = new QuietCheckpoints(store, clock, {
      busy: () => this.stopping || this.busy || this.agent.running > 0,
      nextWakeAt: () => this.nextWakeAt,
      guard: (what, fn) => this.guard(what, fn),
    });
    this.groups = new GroupEngine(store, clock, this.defs);
    this.consoleLines = opts.logEvent ? new ConsoleLines(store, opts.logEvent) : undefined;
    this.sinks = (opts.sinks ?? []).map((s) => new SinkDelivery(store, clock, { ...s, log: opts.log }));
    this.alerts = new AlertFeed(store, new AlertRunner(store, clock, { home: opts.home, log: opts.log }), (run) => this.defs.taskOf(run));
    this.retention = opts.retainDays ? new RetentionTimer(store, clock, { retainDays: opts.retainDays, log: opts.log }) : undefined;
    this.agent = new LocalAgent(store, clock, { task: (run) => this.defs.taskOf(run) }, {
      home: opts.home,
      host: hostName(),
      queues: new Set(['localhost', hostName(), ...opts.queues]),
      concurrency: opts.concurrency,
      killGraceSeconds: opts.killGraceSeconds,
      random: opts.random,
      log: opts.log,
      storeFault: (what, err) => this.health.failed(what, err),
      storeOk: () => this.health.ok(),
      ...(opts.launcher ? { start: opts.launcher.start } : {}),
      onSettled: (run) => {
        this.groups.markRun(run);
        this.wakeSoon();
      },
      onAccepted: (run) => {
        if (this.groups.markLive(run)) this.wakeSoon();
      },
      onStarted: (run) => {
        if (this.groups.markLive(run)) this.wakeSoon();
      },
    });
  }

  /** Take the home, recover what a crashed daemon left, and start the loop. */
  async start(): Promise<void> {
    const prev = await acquire(this.store, this.clock, this.opts.version);
    this.calendars.load();
    await this.alerts.start(); // before recovery, so runs it fails as lost alert too
    const rec = await recover(this.store, this.clock, this.opts.home);
    await this.daemonEvent('started', { pid: process.pid, host: hostName(), version: this.opts.version, queues: [...this.queueNames()], concurrency: this.opts.concurrency });
    if ((prev && prev.stopped_at === null) || rec.failed.length || rec.retried.length || rec.killed.length) {
      await this.daemonEvent('recovered', { previous_pid: prev?.pid ?? null, failed: rec.failed, retried: rec.retried, killed: rec.killed });
      if (rec.failed.length + rec.retried.length) {
        this.opts.log(`Recovered ${rec.failed.length + rec.retried.length} run(s) left by a previous daemon: ${rec.failed.length} failed (lost), ${rec.retried.length} retried; killed ${rec.killed.length} leftover process(es)`);
      } else if (rec.killed.length) {
        this.opts.log(`Killed ${rec.killed.length} leftover process(es) of runs that had ended (pid ${rec.killed.join(', ')})`);
      }
    }
    this.changeToken = await this.store.changeToken();
    this.seenSeq = await this.store.events.lastSeq();
    await this.consoleLines?.start();
    // Definition changes no daemon applied yet (made while the last one was stopping, say).
    await this.applyDefinitionEffects();
    await this.defs.load();
    await this.scheduler.load();
    await this.groups.markAll();
    this.poller = every(this.clock, this.opts.pollMs, () => void this.guard('reading changes', () => this.checkForChanges()));
    this.beat = every(this.clock, DEFAULTS.heartbeatMs, () => void this.guard('heartbeat', () => this.heartbeat.beat()));
    this.calendars.watch();
    await this.processCommands();
    await this.wake();
    for (const s of this.sinks) s.start();
    this.retention?.start();
  }

  /** The store began refusing writes: say so in the heartbeat row and the event log, if they can be written now. */
  private async degraded(d: Degraded): Promise<void> {
    await this.healthEvents.degraded(d);
    await this.heartbeat.degraded(d);
  }

  /** A write went through again: the pair of events, the ends that waited, and the pass that backed off. */
  private async recovered(d: Degraded, at: number): Promise<void> {
    await this.healthEvents.healthy(d, at);
    await this.agent.writeKeptEnds();
    if (!this.stopping) this.wakeSoon();
  }

  /** Record a daemon.* event, keyed by this process and the instant. */
  private async daemonEvent(what: 'started' | 'recovered' | 'stopped', data: Record<string, unknown>): Promise<void> {
    const now = this.clock.now();
    await this.store.events.append({ key: `daemon:${process.pid}:${now}:${what}`, type: `daemon.${what}`, time: now, instance: 'default', data });
  }

  /** Run a timer's work; an error is logged, never fatal (the store may be busy for a moment). */
  private async guard(what: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (this.health.failed(what, err)) return; // a store fault: said once when it begins
      this.opts.log(`error while ${what}: ${(err as Error).message}`);
    }
  }

  queueNames(): Set<string> {
    return new Set(['localhost', hostName(), ...this.opts.queues]);
  }

  /** The definitions changed: read them again, reload the schedule and forget cached members. */
  private async reloadDefinitions(): Promise<void> {
    await this.defs.load();
    await this.scheduler.load();
    this.groups.definitionsChanged();
  }

  /** The daemon is the one writer of runs: a deleted or disabled task's pending runs are skipped here. */
  private async applyDefinitionEffects(): Promise<void> {
    for (const e of (await this.store.definitionEffects.apply()) ?? []) for (const r of e.runs) this.groups.markRun(r);
  }

  private async calendarsChanged(calendars: CalendarSet, reloaded: boolean, broken: ReadonlyMap<string, BrokenCalendar>): Promise<void> {
    await this.scheduler.setCalendars(calendars, broken);
    if (!reloaded) return;
    const now = this.clock.now();
    await this.store.events.append({ key: `calendar:${process.pid}:${now}:${Math.random()}`, type: 'calendar.reloaded', time: now, instance: 'default', data: { calendars: [...calendars.keys()] } });
    await this.wake();
  }

  /**
   * Another process committed (a CLI insert, a control command): react within one poll interval.
   * The change token only says whether to look; what changed is read from the event log by seq.
   */
  private async checkForChanges(): Promise<void> {
    const token = await this.store.changeToken();
    if (token === this.changeToken) return;
    this.changeToken = token;
    if (this.stopping) return this.processCommands(); // answered, not carried out (but terminate)
    const last = await this.store.events.lastSeq();
    if (last > this.seenSeq) {
      const [change] = await this.store.events.list({ afterSeq: this.seenSeq, types: DEFINITION_EVENT_TYPES, limit: 1 });
      if (change && change.seq <= last) {
        await this.applyDefinitionEffects();
        await this.reloadDefinitions();
      }
      this.seenSeq = last; // only once applied: a failed pass looks again
    }
    await this.processCommands();
    await this.wake();
    for (const s of this.sinks) s.start();
    this.retention?.start();
  }

  /**
   * Carry out and acknowledge pending control commands. While the daemon stops (the grace period),
   * terminate still works, so a run that holds up the shutdown can be ended; anything else is
   * refused with the reason instead of being left unanswered.
   */
  private async processCommands(): Promise<void> {
    const ctx: ControlContext = { store: this.store, clock: this.clock, agent: this.agent, groups: this.groups, zoneOf: (t) => this.defs.zoneOf(t), reload: () => this.reloadDefinitions() };
    for (const ack of await answerPending(ctx, this.stopping)) this.opts.log(`${ack.ok ? '' : 'refused: '}${ack.message}`);
  }

  private wakeQueued = false;

  /** Run the loop body once the current work is done: attempts that end together share one pass. */
  private wakeSoon(): void {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      void this.guard('waking', () => this.wake());
    });
  }

  /** Run the loop body now; a wake-up during a pass makes it go round once more, and waits for it. */
  wake(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return this.pass;
    }
    this.busy = true;
    this.pass = this.runPasses();
    return this.pass;
  }

  private async runPasses(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.stopping);
      await this.arm();
    } finally {
      this.busy = false;
    }
    this.reportSoon();
    this.checkpoints.arm();
  }

  private reportTimer: Timer | undefined;

  /**
   * Print, alert and deliver what was committed, REPORT_AFTER_MS after a pass: the processes the
   * pass started get the CPU first, and the passes in that window share one read and one write.
   */
  private reportSoon(): void {
    if (this.reportTimer || this.stopping) return; // stop() reports what is left itself
    this.reportTimer = this.clock.after(REPORT_AFTER_MS, () => {
      this.reportTimer = undefined;
      void (async () => {
        if (this.heartbeat.owed) await this.guard('heartbeat', () => this.heartbeat.beat());
        await this.guard('reporting events', async () => {
          await this.consoleLines?.check();
          await this.alerts.check();
          for (const s of this.sinks) s.notify();
        });
      })();
    });
  }

  private async step(): Promise<void> {
    if (this.stopping) return;
    // While the store refuses writes the pass waits out its backoff: nothing else (a settle, a poll)
    // runs it early, so a full disk costs a try every few seconds, not a spin.
    if (this.health.waitUntil() !== undefined) return;
    try {
      await this.stepOnce();
    } catch (err) {
      // A full disk or a locked store backs off (reported once); a run another process moved
      // meanwhile is logged, and the next wake tries again.
      if (!this.health.failed('running the schedule', err)) this.opts.log(`error: ${(err as Error).message}`);
    }
  }

  private async stepOnce(): Promise<void> {
    // Ends the store refused come first: until they are written their runs read RUNNING, and a slot
    // due now would be skipped as overlapping them.
    if (this.agent.keptEnds > 0 && !(await this.agent.writeKeptEnds())) return;
    await this.expire();
    const created = await this.scheduler.tick();
    for (const c of created.cycles) this.groups.mark(c.id);
    await promoteDue(this.store, this.clock, { taskOf: (run) => this.defs.taskOf(run)?.task });
    // A wide fan-out triggers as many members per pass as there are free slots (at least one), so
    // the first ones start at once instead of after hundreds of transitions. The next pass follows
    // at once only while a slot is still free: with every slot taken, more TRIGGER runs would only
    // wait, and the passes would take the CPU the starts need. An ending attempt wakes the loop,
    // and with it the next pass.
    const more = await this.groups.advance(Math.max(1, this.agent.freeSlots));
    await this.agent.pump();
    if (more && this.agent.hasCapacity()) setImmediate(() => void this.guard('advancing groups', () => this.wake()));
  }

  /** TRIGGER runs nobody accepted within task_accept_expiry_time (their due_at) end REJECTED. */
  private async expire(): Promise<void> {
    const now = this.clock.now();
    const expired = await this.store.runs.expiredTriggers(now);
    if (expired.length === 0) return;
    const outcomes = await this.store.runs.transitionEach(
      expired.map((run) => ({ runId: run.id, event: 'run.rejected' as const, to: 'REJECTED' as const, expectVersion: run.version, patch: { reason: 'expired' as const, ended_at: now }, data: { queue: run.queue, waited_ms: now - (run.triggered_at ?? now) } })),
    );
    outcomes.forEach((o, i) => {
      if (o.ok) this.groups.markRun(expired[i]!);
      else if (!movedMeanwhile(o.error)) throw o.error;
    });
  }

  /** Sleep until the earliest of: the next fire, the next retry, the next expiry. */
  private async arm(): Promise<void> {
    if (this.stopping) return;
    this.timer?.cancel();
    // A due retry only wakes the loop when a slot is free to start it (else it waits for a settle).
    const nextFire = this.scheduler.nextDue();
    // The retry query runs only when someone uses its answer: a free slot, or spawners to warm.
    const nextRetry = this.opts.launcher || this.agent.hasCapacity() ? await this.agent.nextRetryDue() : undefined;
    if (this.opts.launcher?.expectWorkAt) {
      const work = [nextFire, nextRetry].filter((x): x is number => x !== undefined);
      this.opts.launcher.expectWorkAt(work.length ? Math.min(...work) : undefined);
    }
    const retry = this.agent.hasCapacity() ? nextRetry : undefined;
    const backoff = this.health.waitUntil();
    const candidates = [nextFire, retry, await this.store.runs.nextTriggerExpiry(), backoff].filter((x): x is number => x !== undefined);
    this.nextWakeAt = undefined;
    if (candidates.length === 0) return;
    // A failing pass is not tried again before its backoff is over, however overdue its slots are.
    const delay = Math.max(0, Math.min(...candidates) - this.clock.now(), backoff === undefined ? 0 : backoff - this.clock.now());
    this.nextWakeAt = this.clock.now() + delay;
    // Long sleeps are cut short so a wall-clock jump (suspend, manual change) is noticed.
    this.timer = this.clock.after(Math.min(delay, 30_000), () => void this.guard('waking', () => this.wake()));
  }

  /**
   * A second signal during the shutdown grace: stop waiting and terminate the running attempts now
   * (TERMINATED, reason shutdown). Returns how many attempts were running; undefined when the
   * daemon is not stopping or is past the grace already.
   */
  stopNow(): number | undefined {
    if (!this.stopping || !this.grace.end()) return undefined;
    return this.agent.running;
  }

  /** Stop triggering, let running attempts finish within the grace period, then kill them. */
  async stop(signal: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.timer?.cancel();
    this.checkpoints.stop();
    this.reportTimer?.cancel();
    await this.pass.catch(() => undefined);
    await this.calendars.close();
    const running = this.agent.running;
    if (running && !this.grace.over) {
      this.opts.log(`${signal}: waiting up to ${this.opts.graceSeconds}s for ${running} running attempt(s); a second Ctrl-C (SIGINT or SIGTERM) stops them now`);
    }
    const finished = await Promise.race([this.agent.drain().then(() => 'done' as const), this.grace.wait().then(() => 'grace' as const)]);
    this.grace.end();
    if (finished === 'grace') await this.agent.drain('shutdown');
    this.poller?.cancel(); // commands were answered until here
    await this.opts.launcher?.close?.();
    this.beat?.cancel();
    await this.healthEvents.write();
    // A store that still refuses writes loses the stop: the next start recovers as after a crash.
    await this.guard('recording the stop', () => this.daemonEvent('stopped', { pid: process.pid, signal }));
    await this.consoleLines?.check();
    await this.alerts.check();
    await this.alerts.stop();
    await this.retention?.stop();
    for (const s of this.sinks) s.notify();
    await Promise.all(this.sinks.map((s) => s.stop()));
    await this.guard('releasing the home', () => release(this.store, this.clock));
  }
}

// The daemon: one process that runs attempts for its queues and, while it leads, schedules, triggers
// and records; it sleeps until the next due instant. On a SQLite home it leads for its whole life.
import { every, type Clock, type Timer } from '../core/clock.js';
import { DEFAULTS } from '../core/defaults.js';
import { ConsoleLines } from '../events/console-lines.js';
import type { Listener, Store } from '../store/index.js';
import { LocalAgent } from './agent.js';
import { AgentBeat } from './agent-beat.js';
import { ChangeCheck } from './change-check.js';
import { QuietCheckpoints } from './checkpoint.js';
import { DefinitionCache } from './definition-cache.js';
import { Grace } from './grace.js';
import { HealthEvents } from './health-events.js';
import { Heartbeat } from './heartbeat.js';
import { LeaderDuties } from './leader.js';
import { DEFAULT_LEADERSHIP, Leadership } from './leadership.js';
import type { HttpApi } from '../http/server.js';
import type { DaemonOptions } from './options.js';

export type { DaemonOptions } from './options.js';
import { acquire, hostName, release } from './lock.js';
import { killLeftovers, recover, recoveryReport, type RecoveryReport } from './recovery.js';
import { StoreHealth, type Degraded } from './store-health.js';

/** Console lines, alerts and sinks follow a pass by this much (see reportSoon). */
const REPORT_AFTER_MS = 40;
const DEFAULT_LEASE_GRACE_MS = 10_000;

export class Daemon {
  readonly agent: LocalAgent;
  /** The leader's duties while this daemon leads. */
  private leader: LeaderDuties | undefined;
  private readonly leadership: Leadership | undefined;
  /** The console's lines, one per committed transition (absent with --quiet). */
  private readonly consoleLines: ConsoleLines | undefined;
  private timer: Timer | undefined;
  private poller: Timer | undefined;
  private beat: Timer | undefined;
  private leaseTimer: Timer | undefined;
  private listener: Listener | undefined;
  /** What other processes committed (see change-check.ts). */
  private readonly changes: ChangeCheck;
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
  /** WAL checkpoints in quiet moments (see checkpoint.ts). */
  readonly checkpoints: QuietCheckpoints;
  /** Whether the store takes writes (disk full, database locked): backoff and the degraded state. */
  readonly health: StoreHealth;
  private readonly healthEvents: HealthEvents;
  /** The lease row's heartbeat of a daemon that holds its home (SQLite); a shared store's leader renews its lease instead. */
  private readonly heartbeat: Heartbeat | undefined;
  /** This agent's row in the store. */
  private readonly agentBeat: AgentBeat;
  /** The HTTP server (--http): metrics, health, the JSON API and the event stream. */
  private http: HttpApi | undefined;
  /** When the last heartbeat was written (monotonic ms). */
  private beatAt: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: DaemonOptions,
  ) {
    this.grace = new Grace(opts.graceSeconds, clock);
    this.beatAt = clock.monotonic();
    this.healthEvents = new HealthEvents(store);
    this.health = new StoreHealth(clock, {
      log: opts.log,
      onDegraded: (d) => void this.degraded(d),
      onRecovered: (d, at) => this.recovered(d, at),
    });
    this.heartbeat = store.cluster ? undefined : new Heartbeat(store, clock, this.health, () => this.nextWakeAt);
    this.defs = new DefinitionCache(store, opts.machineZone);
    this.checkpoints = new QuietCheckpoints(store, clock, {
      busy: () => this.stopping || this.busy || this.agent.running > 0,
      nextWakeAt: () => this.nextWakeAt,
      guard: (what, fn) => this.guard(what, fn),
    });
    this.consoleLines = opts.logEvent ? new ConsoleLines(store, opts.logEvent) : undefined;
    this.changes = new ChangeCheck(store, {
      stopping: () => this.stopping,
      definitions: async () => {
        await this.defs.load();
        await this.leader?.definitionsChanged();
      },
      runs: () => (this.leader ? (events) => this.leader?.runsChanged(events) : undefined),
      after: async (stopping) => {
        await this.leader?.processCommands(stopping); // while stopping: answered, not carried out (but terminate)
        if (stopping) return;
        await this.wake();
        this.leader?.startReaders();
      },
    });
    this.agent = new LocalAgent(store, clock, { task: (run) => this.defs.taskOf(run), reload: () => this.defs.load() }, {
      home: opts.home,
      host: hostName(),
      queues: this.queueNames(),
      concurrency: opts.concurrency,
      killGraceSeconds: opts.killGraceSeconds,
      random: opts.random,
      log: opts.log,
      leaseMs: opts.leaseMs,
      storeFault: (what, err) => this.health.failed(what, err),
      storeOk: () => this.health.ok(),
      ...(opts.launcher ? { start: opts.launcher.start } : {}),
      onSettled: (run) => {
        this.leader?.groups.markRun(run);
        this.wakeSoon();
      },
      onAccepted: (run) => {
        if (this.leader?.groups.markLive(run)) this.wakeSoon();
      },
      onStarted: (run) => {
        if (this.leader?.groups.markLive(run)) this.wakeSoon();
      },
    });
    this.agentBeat = new AgentBeat(store, clock, () => this.agent.running);
    if (store.cluster && opts.role !== 'agent') {
      this.leadership = new Leadership(store, clock, { pid: process.pid, host: hostName(), version: opts.version }, {
        elected: (term, leaderStore) => this.elected(term, leaderStore),
        deposed: () => this.deposed(),
        log: opts.log,
      }, opts.leadership ?? DEFAULT_LEADERSHIP);
    }
  }

  /** The queues this process serves: its host name, and the ones given; a daemon serves `localhost` too. */
  queueNames(): Set<string> {
    return new Set([...(this.opts.role === 'agent' ? [] : ['localhost']), hostName(), ...this.opts.queues]);
  }

  /** The schedule, while this daemon leads. */
  get scheduler(): LeaderDuties['scheduler'] | undefined {
    return this.leader?.scheduler;
  }

  /** Take the home (or join the shared store), recover what a crashed daemon left, and start the loop. */
  async start(): Promise<void> {
    const ownsHome = !this.store.cluster && this.opts.role !== 'agent';
    const prev = ownsHome ? await acquire(this.store, this.clock, this.opts.version) : undefined;
    await this.defs.load();
    // On a home of its own the daemon leads for its whole life, and every run left STARTED or RUNNING
    // is a dead daemon's (the alerts start first, so runs recovery fails as lost alert too). On a
    // shared store a run is another agent's until its lease runs out; the leader recovers it then.
    let rec: RecoveryReport;
    if (ownsHome) {
      this.leader = this.leaderOf(this.store);
      await this.leader.startAlerts();
      rec = await recover(this.store, this.clock, this.opts.home);
    } else rec = { retried: [], failed: [], killed: killLeftovers(this.opts.home) };
    await this.daemonEvent('started', { pid: process.pid, host: hostName(), version: this.opts.version, role: this.opts.role ?? 'daemon', queues: [...this.queueNames()], concurrency: this.opts.concurrency });
    const said = recoveryReport(rec, prev, ownsHome);
    if (said) {
      await this.daemonEvent('recovered', said.event);
      if (said.line) this.opts.log(said.line);
    }
    await this.store.agents.register({ host: hostName(), pid: process.pid, kind: this.opts.role ?? 'daemon', queues: [...this.queueNames()], version: this.opts.version });
    await this.changes.begin();
    await this.consoleLines?.start();
    if (this.opts.http) await this.startHttp(this.opts.http);
    await this.leader?.start();
    this.poller = every(this.clock, this.opts.pollMs, () => void this.guard('reading changes', () => this.changes.check()));
    this.beat = every(this.clock, DEFAULTS.heartbeatMs, () => void this.guard('heartbeat', () => this.beatOnce()));
    // Leases matter where agents on other hosts could be cut off; a daemon that holds its home recovers
    // what it left at its next start instead, and spends no commits on them.
    const leaseMs = this.opts.leaseMs ?? 30_000;
    if (this.store.cluster) this.leaseTimer = every(this.clock, Math.max(100, Math.floor(leaseMs / 3)), () => void this.guard('renewing leases', () => this.renewLeases()));
    // Each notification wakes only who needs it: a run to accept wakes the agent's pass; a definition
    // change, a control request, or (for the leader) a run an agent moved is read from the log.
    this.listener = this.store.cluster?.listen(['easytask_work', 'easytask_definitions', 'easytask_commands', 'easytask_runs', 'easytask_terminate'], (channel) => {
      if (channel === 'easytask_terminate') return void this.guard('renewing leases', () => this.agent.renewLeases());
      if (channel === 'easytask_work') return this.wakeSoon();
      if (channel === 'easytask_runs' && !this.leader) return;
      void this.guard('reading changes', () => this.changes.check());
    });
    await this.leadership?.start();
    await this.wake();
  }

  private async startHttp(at: { host: string; port: number }): Promise<void> {
    const { HttpApi } = await import('../http/server.js');
    this.http = new HttpApi(this.store, this.clock, {
      version: this.opts.version,
      degraded: () => this.health.degraded,
      heartbeatAgeMs: () => this.clock.monotonic() - this.beatAt,
      leading: () => this.leader !== undefined,
      changed: () => {
        this.changes.touch();
        void this.guard('reading changes', () => this.changes.check());
      },
    }, { ...at, home: this.opts.home, log: this.opts.log });
    await this.http.start();
  }

  private leaderOf(store: Store): LeaderDuties {
    return new LeaderDuties({
      store, clock: this.clock, defs: this.defs, agent: this.agent, health: this.health,
      wake: () => this.wakeSoon(),
      opts: { home: this.opts.home, log: this.opts.log, sinks: this.opts.sinks, retainDays: this.opts.retainDays },
    });
  }

  /** Elected: take up the leader's duties with the store as this term writes it. */
  private async elected(_term: number, leaderStore: Store): Promise<void> {
    const leader = this.leaderOf(leaderStore);
    this.leader = leader;
    await leader.startAlerts();
    await leader.start();
    this.wakeSoon();
  }

  /** No longer the leader: the duties stop; the next leader takes them up from the store. */
  private async deposed(): Promise<void> {
    const leader = this.leader;
    this.leader = undefined;
    await leader?.stop();
  }

  /**
   * The heartbeat row (a home of its own), and this agent's heartbeat in the store. On a home of its
   * own both go together, steered away from fire instants (see heartbeat.ts).
   */
  private async beatOnce(): Promise<void> {
    if (this.heartbeat && !(await this.heartbeat.beat())) return;
    this.beatAt = this.clock.monotonic();
    await this.agentBeat.beat();
  }

  /** Renew this agent's leases; the leader also recovers the runs of agents gone silent. */
  private async renewLeases(): Promise<void> {
    try {
      await this.agent.renewLeases();
    } finally {
      if (this.leader && !this.stopping) await this.leader.recoverExpired(this.opts.leaseGraceMs ?? DEFAULT_LEASE_GRACE_MS);
    }
  }

  /** The store began refusing writes: say so in the heartbeat row and the event log, if they can be written now. */
  private async degraded(d: Degraded): Promise<void> {
    await this.healthEvents.degraded(d);
    await this.heartbeat?.degraded(d);
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
    await this.store.events.append({ key: `daemon:${hostName()}:${process.pid}:${now}:${what}`, type: `daemon.${what}`, time: now, instance: 'default', data });
  }

  /** Run a timer's work; an error is logged, never fatal (the store may be busy for a moment). */
  private async guard(what: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (this.fenced(err)) return;
      if (this.health.failed(what, err)) return; // a store fault: said once when it begins
      this.opts.log(`error while ${what}: ${(err as Error).message}`);
    }
  }

  /** A write refused because a newer leader began: not an error, but a sign to step down at once. */
  private fenced(err: unknown): boolean {
    if ((err as { code?: unknown } | null)?.code !== 'FENCED') return false;
    void this.leadership?.campaign();
    return true;
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
        if (this.heartbeat?.owed) await this.guard('heartbeat', () => this.beatOnce());
        await this.guard('reporting events', async () => {
          await this.consoleLines?.check();
          await this.http?.check();
          await this.leader?.report();
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
      if (this.fenced(err)) return;
      if (!this.health.failed('running the schedule', err)) this.opts.log(`error: ${(err as Error).message}`);
    }
  }

  private async stepOnce(): Promise<void> {
    // Ends the store refused come first: until they are written their runs read RUNNING, and a slot
    // due now would be skipped as overlapping them.
    if (this.agent.keptEnds > 0 && !(await this.agent.writeKeptEnds())) return;
    // A wide fan-out triggers as many members per pass as there are free slots (at least one), so
    // the first ones start at once instead of after hundreds of transitions. The next pass follows
    // at once only while a slot is still free: with every slot taken, more TRIGGER runs would only
    // wait, and the passes would take the CPU the starts need. An ending attempt wakes the loop,
    // and with it the next pass.
    const more = this.leader ? await this.leader.pass(Math.max(1, this.agent.freeSlots)) : false;
    await this.agent.pump();
    if (more && this.agent.hasCapacity()) setImmediate(() => void this.guard('advancing groups', () => this.wake()));
  }

  /** Sleep until the earliest of: the next fire, the next retry, the next expiry. */
  private async arm(): Promise<void> {
    if (this.stopping) return;
    this.timer?.cancel();
    // A due retry only wakes the loop when a slot is free to start it (else it waits for a settle).
    const nextWork = await this.leader?.nextWork();
    // The retry query runs only when someone uses its answer: a free slot, or spawners to warm.
    const nextRetry = this.opts.launcher || this.agent.hasCapacity() ? await this.agent.nextRetryDue() : undefined;
    // Spawners are warmed for fires this daemon's agent may run, not for every fire it schedules.
    const nextFire = this.leader?.scheduler.nextDueOn(this.queueNames());
    if (this.opts.launcher?.expectWorkAt) {
      const work = [nextFire, nextRetry].filter((x): x is number => x !== undefined);
      this.opts.launcher.expectWorkAt(work.length ? Math.min(...work) : undefined);
    }
    const retry = this.agent.hasCapacity() ? nextRetry : undefined;
    const backoff = this.health.waitUntil();
    const candidates = [nextWork, retry, backoff].filter((x): x is number => x !== undefined);
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
    // On a shared store another daemon takes over the schedule at once; this one only drains its attempts.
    if (this.leadership) await this.leadership.stop();
    else await this.leader?.quiesce();
    const running = this.agent.running;
    if (running && !this.grace.over) {
      this.opts.log(`${signal}: waiting up to ${this.opts.graceSeconds}s for ${running} running attempt(s); a second Ctrl-C (SIGINT or SIGTERM) stops them now`);
    }
    const finished = await Promise.race([this.agent.drain().then(() => 'done' as const), this.grace.wait().then(() => 'grace' as const)]);
    this.grace.end();
    if (finished === 'grace') await this.agent.drain('shutdown');
    this.poller?.cancel(); // commands were answered until here
    this.leaseTimer?.cancel();
    await this.listener?.close();
    await this.opts.launcher?.close?.();
    this.beat?.cancel();
    await this.healthEvents.write();
    // A store that still refuses writes loses the stop: the next start recovers as after a crash.
    await this.guard('recording the stop', () => this.daemonEvent('stopped', { pid: process.pid, signal }));
    await this.consoleLines?.check();
    await this.http?.stop();
    if (!this.leadership) await this.leader?.stop();
    await this.guard('leaving the agents', () => this.store.agents.stop(hostName(), process.pid));
    if (!this.store.cluster && this.opts.role !== 'agent') await this.guard('releasing the home', () => release(this.store, this.clock));
  }
}

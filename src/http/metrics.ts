// The daemon's Prometheus metrics, in a registry of their own. Counts come from one aggregate of the
// store at start and then from the event log (fed by the event hub), so a scrape reads no history:
// it costs one indexed count of the waiting and live runs, and the text of what is in memory.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { StoredEvent } from '../core/events.js';
import { FINAL_STATES, type RunState } from '../core/states.js';
import type { Store } from '../store/index.js';

/** What the daemon says of itself at each scrape. */
export interface DaemonState {
  degraded(): boolean;
  leading(): boolean;
}

/** Runs that were triggered and have not started yet, at most (a bound on memory). */
const MAX_PENDING_STARTS = 100_000;
const END_TYPES = new Set(['run.succeeded', 'run.failed', 'run.terminated', 'run.rejected', 'run.skipped']);
const ATTEMPT_END_TYPES = new Set(['run.succeeded', 'run.failed', 'run.terminated', 'run.retrying']);

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly finished: Counter<'task' | 'instance' | 'state'>;
  private readonly attempts: Histogram<'outcome'>;
  private readonly lateness: Histogram;
  private readonly live: Gauge;
  private readonly queue: Gauge<'state'>;
  private readonly lastSuccess: Gauge<'task' | 'instance'>;
  private readonly up: Gauge;
  private readonly degraded: Gauge;
  private readonly leader: Gauge;
  private readonly eventsSeen: Counter;
  /** run id → when it was triggered (ms), until it starts or ends. */
  private readonly triggeredAt = new Map<number, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly daemon: DaemonState,
  ) {
    const registers = [this.registry];
    this.finished = new Counter({ name: 'easytask_runs_finished_total', help: 'Runs that reached a final state, by task, instance and state (the store at daemon start, then as they end)', labelNames: ['task', 'instance', 'state'], registers });
    this.attempts = new Histogram({ name: 'easytask_attempt_duration_seconds', help: 'How long attempts ran, by how they ended (since the daemon started)', labelNames: ['outcome'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600], registers });
    this.lateness = new Histogram({ name: 'easytask_fire_lateness_seconds', help: 'From a run triggered to its process spawned (since the daemon started)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30], registers });
    this.live = new Gauge({ name: 'easytask_runs_live', help: 'Runs whose attempt is under way (STARTED or RUNNING)', registers });
    this.queue = new Gauge({ name: 'easytask_queue_depth', help: 'Runs waiting to start: state TRIGGER (waiting for an agent), or ACTIVE whose slot has come (waiting for a dependency, a frozen date, the next pass)', labelNames: ['state'], registers });
    this.lastSuccess = new Gauge({ name: 'easytask_last_success_timestamp_seconds', help: 'When the latest successful run of the task ended (Unix time)', labelNames: ['task', 'instance'], registers });
    this.up = new Gauge({ name: 'easytask_up', help: '1 while the daemon runs', registers });
    this.degraded = new Gauge({ name: 'easytask_degraded', help: '1 while the store refuses writes (disk full, database locked or unreachable)', registers });
    this.leader = new Gauge({ name: 'easytask_leader', help: '1 while this daemon leads (schedules and triggers)', registers });
    this.eventsSeen = new Counter({ name: 'easytask_events_total', help: 'Events read from the log since the daemon started', registers });
  }

  /** The counts of runs already ended, from the store (once, at start). */
  async baseline(): Promise<void> {
    for (const t of await this.store.runs.finalTotals()) {
      this.finished.inc({ task: t.task, instance: t.instance, state: t.state }, t.n);
      if (t.state === 'SUCCESS' && t.last_ended !== null) this.lastSuccess.set({ task: t.task, instance: t.instance }, t.last_ended / 1000);
    }
  }

  /** Count a batch of events from the log, in seq order. */
  observe(events: readonly StoredEvent[]): void {
    for (const e of events) {
      if (e.type === 'run.output') continue;
      this.eventsSeen.inc();
      if (e.run_id == null) continue;
      if (e.type === 'run.triggered') {
        if (this.triggeredAt.size < MAX_PENDING_STARTS) this.triggeredAt.set(e.run_id, e.time);
      } else if (e.type === 'run.started') {
        const at = this.triggeredAt.get(e.run_id);
        this.triggeredAt.delete(e.run_id);
        const spawned = typeof e.data.spawned_at === 'string' ? Date.parse(e.data.spawned_at) : NaN;
        if (at !== undefined) this.lateness.observe(Math.max(0, (Number.isNaN(spawned) ? e.time : spawned) - at) / 1000);
      }
      const duration = e.data.duration_ms;
      if (ATTEMPT_END_TYPES.has(e.type) && typeof duration === 'number') this.attempts.observe({ outcome: e.type.slice(4) }, duration / 1000);
      const to = e.data.to as RunState | undefined;
      if (END_TYPES.has(e.type) && to && FINAL_STATES.includes(to)) {
        this.triggeredAt.delete(e.run_id);
        const labels = { task: e.task ?? '', instance: e.instance };
        this.finished.inc({ ...labels, state: to });
        if (to === 'SUCCESS') this.lastSuccess.set(labels, e.time / 1000);
      }
    }
  }

  /** The exposition text: the gauges read now (one indexed count), the rest from memory. */
  async render(): Promise<string> {
    const w = await this.store.runs.waiting(this.clock.now());
    this.live.set(w.live);
    this.queue.set({ state: 'TRIGGER' }, w.trigger);
    this.queue.set({ state: 'ACTIVE' }, w.due);
    this.up.set(1);
    this.degraded.set(this.daemon.degraded() ? 1 : 0);
    this.leader.set(this.daemon.leading() ? 1 : 0);
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

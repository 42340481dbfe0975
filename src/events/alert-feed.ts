// Feeds AlertRunner from the event log: every run.succeeded/failed/terminated/rejected after a durable
// cursor, whichever path wrote it (agent, terminate, expiry, recovery), fires the task's alert once;
// the slots a task missed while the daemon was down (run.skipped, reason missed) fire one alert per
// task for each batch that records them.
import { RUN_END_TYPES, type StoredEvent } from '../core/events.js';
import type { TaskDef } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';
import type { AlertRunner } from './alerts.js';
import { missedWanted, type MissedSlots } from './missed-alerts.js';
import { DurableCursor } from './cursor.js';
import { LogReader, type Handled, type LogConsumer } from './log-reader.js';

/** The cursor's key in store.cursors (homes written by earlier versions resume from it). */
export const ALERT_CURSOR_KEY = 'alerts:cursor';
/** Without alerts to protect, the cursor is written at most once per this many events (a write is a commit). */
const IDLE_SAVE_EVERY = 1000;
/** Run ends per read. */
const PAGE = 1000;

type Resolved = { task: TaskDef; timezone: string } | undefined;
/** The task of a run (or of a run event: its task id and instance), as the daemon knows it now. */
export type TaskLookup = (run: Pick<RunRow, 'task_id' | 'instance'>) => Resolved | Promise<Resolved>;

export class AlertFeed implements LogConsumer {
  private readonly reader: LogReader;

  constructor(
    private readonly store: Store,
    private readonly runner: AlertRunner,
    private readonly lookup: TaskLookup,
  ) {
    this.reader = new LogReader(store, this, new DurableCursor(store, ALERT_CURSOR_KEY), {
      page: PAGE,
      query: { types: [...RUN_END_TYPES, 'run.skipped'] },
      fresh: 'end',
      lazySaveEvery: IDLE_SAVE_EVERY,
    });
  }

  /** Resume from the saved cursor; the first start ever begins at the end (no alerts for history). Rejects when the store fails. */
  start(): Promise<void> {
    return this.reader.open();
  }

  /**
   * Fire alerts for runs that ended since the last check; cheap when nothing did. Resolves once they
   * are fired (not finished: they run on their own); never rejects (a busy store: the next check
   * picks the same events up again).
   */
  async check(): Promise<void> {
    await this.reader.read();
  }

  /** Wait for alerts in flight and their cursor saves. */
  async stop(): Promise<void> {
    await this.reader.flush();
    await this.runner.drain();
  }

  /** Each run end starts its alert; the cursor is saved once they finished, so a crash re-fires at most unfinished ones. */
  async handle(events: readonly StoredEvent[]): Promise<Handled> {
    // Everything is read before anything fires: a read that fails leaves the batch whole for the next check.
    const due: { run: RunRow; task: TaskDef; timezone: string }[] = [];
    const missed = await this.missedOf(events);
    for (const e of events) {
      if (e.run_id == null || e.task_id == null || e.type === 'run.skipped') continue;
      // The run is read only for a task with an alert (most have none).
      const resolved = await this.lookup({ task_id: e.task_id, instance: e.instance });
      if (!resolved?.task.alert) continue;
      const run = await this.store.runs.get(e.run_id);
      if (run) due.push({ run, ...resolved });
    }
    const fired = [...due.map((d) => this.runner.onFinal(d.run, d.task, d.timezone)), ...missed.map((m) => this.runner.onMissed(m))];
    // A run without an alert needs no durable cursor: after a crash it is only looked at again.
    return fired.length ? { ok: true, pending: Promise.all(fired) } : { ok: true, lazy: true };
  }

  /** The missed slots in the batch, one detection per task (the scheduler records them together). */
  private async missedOf(events: readonly StoredEvent[]): Promise<MissedSlots[]> {
    const byTask = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (e.type !== 'run.skipped' || e.data.reason !== 'missed' || e.run_id == null || e.group_run_id != null) continue;
      const key = `${e.instance}/${e.task ?? ''}`;
      byTask.set(key, [...(byTask.get(key) ?? []), e]);
    }
    const out: MissedSlots[] = [];
    for (const list of byTask.values()) {
      const first = await this.store.runs.get(list[0]!.run_id!);
      const last = list.length > 1 ? await this.store.runs.get(list.at(-1)!.run_id!) : first;
      const resolved = first && last && (await this.lookup(first));
      if (!first || !last || !resolved || !missedWanted(resolved.task)) continue;
      out.push({ ...resolved, count: list.length, first: first.slot, last: last.slot, cause: 'down', id: `run${first.id}`, runId: first.id });
    }
    return out;
  }
}

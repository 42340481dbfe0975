// Feeds AlertRunner from the event log: every run.succeeded/failed/terminated/rejected after a durable
// cursor, whichever path wrote it (agent, terminate, expiry, recovery), fires the task's alert once.
import type { TaskDef } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';
import type { AlertRunner } from './alerts.js';

const CURSOR_KEY = 'alerts:cursor';
/** Without alerts to protect, the cursor is written at most once per this many events (a write is a commit). */
const IDLE_SAVE_EVERY = 1000;

export type TaskLookup = (run: RunRow) => { task: TaskDef; timezone: string } | undefined;

export class AlertFeed {
  private cursor = 0;
  /** The cursor last written (or about to be). */
  private savedSeq = 0;
  /** Saves run in order, each after its alerts finished: a crash re-fires at most unfinished ones. */
  private saved: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly runner: AlertRunner,
    private readonly lookup: TaskLookup,
  ) {}

  /** Resume from the saved cursor; the first start ever begins at the end (no alerts for history). */
  start(): void {
    const saved = this.store.cursors.get(CURSOR_KEY);
    this.cursor = saved !== undefined ? Number(saved) : this.store.events.lastSeq();
    this.savedSeq = this.cursor;
    if (saved === undefined) this.save();
  }

  /** Fire alerts for runs that ended since the last check; cheap when nothing did. Never throws. */
  check(): void {
    try {
      const ended = this.store.events.runEndsAfter(this.cursor);
      const fired: Promise<void>[] = [];
      for (const e of ended) {
        const run = this.store.runs.get(e.run_id);
        const resolved = run && this.lookup(run);
        if (run && resolved?.task.alert) fired.push(this.runner.onFinal(run, resolved.task, resolved.timezone));
        this.cursor = e.seq;
      }
      const upTo = this.cursor;
      // A run without an alert needs no durable cursor: after a crash it is only looked at again.
      if (fired.length || upTo - this.savedSeq >= IDLE_SAVE_EVERY) {
        this.savedSeq = upTo;
        this.saved = this.saved.then(() => Promise.all(fired)).then(() => this.save(upTo));
      }
    } catch {
      // A busy store: the next check picks the same events up again.
    }
  }

  /** Wait for alerts in flight and their cursor saves. */
  async stop(): Promise<void> {
    await this.runner.drain();
    await this.saved;
    if (this.cursor !== this.savedSeq) this.save();
  }

  private save(upTo = this.cursor): void {
    try {
      this.store.cursors.set(CURSOR_KEY, String(upTo));
    } catch {
      // Saved with the next batch; at worst alerts are re-checked, and their event keys stop repeats.
    }
  }
}

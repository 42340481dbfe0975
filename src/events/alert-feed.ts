// Feeds AlertRunner from the event log: every run.succeeded/failed/terminated/rejected after a durable
// cursor, whichever path wrote it (agent, terminate, expiry, recovery), fires the task's alert once.
import type { TaskDef } from '../core/task.js';
import type { RunRow, Store } from '../store/index.js';
import { sql } from '../store/statements.js';
import type { AlertRunner } from './alerts.js';

const FINAL_TYPES = "'run.succeeded', 'run.failed', 'run.terminated', 'run.rejected'";
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
    const row = sql(this.store.db, 'SELECT value FROM kv WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    this.cursor = row ? Number(row.value) : this.store.events.lastSeq();
    this.savedSeq = this.cursor;
    if (!row) this.save();
  }

  /** Fire alerts for runs that ended since the last check; cheap when nothing did. Never throws. */
  check(): void {
    try {
      const ended = sql(this.store.db, `SELECT seq, run_id FROM events WHERE seq > ? AND type IN (${FINAL_TYPES}) AND run_id IS NOT NULL ORDER BY seq`)
        .all(this.cursor) as { seq: number; run_id: number }[];
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
      sql(this.store.db, 'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURSOR_KEY, String(upTo));
    } catch {
      // Saved with the next batch; at worst alerts are re-checked, and their event keys stop repeats.
    }
  }
}

// What a definition change does to runs: a deleted or disabled task's runs that have not started
// are SKIPPED. Whoever changes a definition writes only the definition and its event; this applies
// the events after a durable cursor, so the daemon (or, with none holding the home, the CLI) is the
// one writer of those runs, and no event is applied twice or missed across restarts.
import { sql, sqlList } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { DefinitionEffectStore, SkippedByEvent } from '../contract.js';
import type { DaemonRow } from '../rows.js';
import type { Cursors } from './cursors.js';
import type { DaemonLease } from './daemon-lease.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { tx } from './tx.js';

/** The task events that skip pending runs, and the reason each records. */
const EFFECTS = { 'task.deleted': 'deleted', 'task.disabled': 'disabled' } as const;
const CURSOR_KEY = 'effects:definitions';
const EFFECT_TYPES_SQL = sqlList(Object.keys(EFFECTS));

export class DefinitionEffects implements Sync<DefinitionEffectStore> {
  constructor(
    private readonly db: Database,
    private readonly cursors: Cursors,
    private readonly runs: Runs,
    private readonly lease: DaemonLease,
  ) {}

  /** The last seq whose effects are applied; undefined before the first apply() of this home. */
  applied(): number | undefined {
    const v = this.cursors.get(CURSOR_KEY);
    return v === undefined ? undefined : Number(v);
  }

  /**
   * Apply the effects of the definition events after the cursor and move it to the end of the log,
   * in one transaction. `when` is asked inside that transaction (e.g. "no daemon holds the home"):
   * false changes nothing and returns undefined.
   */
  apply(when: (lease: DaemonRow | undefined) => boolean = () => true): SkippedByEvent[] | undefined {
    return tx(this.db, () => {
      if (!when(this.lease.read())) return undefined;
      const last = (sql(this.db, 'SELECT MAX(seq) AS s FROM events').get() as { s: number | null }).s ?? 0;
      // The cursor starts at the end of the log when a home gets it (migration 5): history is not replayed.
      const from = this.applied() ?? last;
      const out: SkippedByEvent[] = [];
      if (from < last) {
        const events = sql(this.db, `SELECT seq, type, task, instance FROM events WHERE seq > ? AND seq <= ? AND type IN (${EFFECT_TYPES_SQL}) ORDER BY seq`).all(from, last) as {
          seq: number;
          type: keyof typeof EFFECTS;
          task: string;
          instance: string;
        }[];
        for (const e of events) {
          const reason = EFFECTS[e.type];
          out.push({ cause: e.seq, task: e.task, instance: e.instance, reason, runs: this.runs.skipPending(e.task, e.instance, reason, { cause_seq: e.seq }) });
        }
      }
      if (this.applied() !== last) this.cursors.set(CURSOR_KEY, String(last));
      return out;
    });
  }

  /** How many runs the events with seq in (after, upTo] skipped (once their effects are applied). */
  skippedBy(after: number, upTo: number): number {
    return (
      sql(this.db, `SELECT COUNT(*) AS n FROM events WHERE seq > ? AND type = 'run.skipped' AND json_extract(data, '$.cause_seq') > ? AND json_extract(data, '$.cause_seq') <= ?`).get(after, after, upTo) as {
        n: number;
      }
    ).n;
  }
}

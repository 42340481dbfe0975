// What a definition change does to runs, on PostgreSQL: the pending runs of a deleted or disabled task are SKIPPED once, by whichever host gets the cursor's lock.
import type { DefinitionEffectStore, SkippedByEvent } from '../contract.js';
import type { DaemonRow } from '../rows.js';
import type { LeaseInUnit, RunsInUnit } from './internal.js';
import type { Db } from './unit.js';

/** The task events that skip pending runs, and the reason each records. */
const EFFECTS = { 'task.deleted': 'deleted', 'task.disabled': 'disabled' } as const;
const EFFECT_TYPES = Object.keys(EFFECTS);
const CURSOR_KEY = 'effects:definitions';

export class PgDefinitionEffects implements DefinitionEffectStore {
  constructor(
    private readonly db: Db,
    private readonly runs: RunsInUnit,
    private readonly lease: LeaseInUnit,
  ) {}

  async applied(): Promise<number | undefined> {
    const r = await this.db.one<{ value: string }>('SELECT value FROM kv WHERE key = $1', [CURSOR_KEY]);
    return r === undefined ? undefined : Number(r.value);
  }

  apply(when: (lease: DaemonRow | undefined) => boolean = () => true): Promise<SkippedByEvent[] | undefined> {
    return this.db.unit(async (u) => {
      // The cursor row, locked until commit: two hosts applying at once take turns, and the second
      // finds the cursor moved past the events the first applied.
      const cursor = await u.one<{ value: string }>('SELECT value FROM kv WHERE key = $1 FOR UPDATE', [CURSOR_KEY]);
      if (!when(await this.lease.readIn(u))) return undefined;
      // Seqs are given in commit order, so the committed events are every seq up to this one.
      const last = (await u.one<{ s: number | null }>('SELECT MAX(seq) AS s FROM events'))?.s ?? 0;
      const applied = cursor === undefined ? undefined : Number(cursor.value);
      // A home without the cursor starts at the end of the log: history is not replayed.
      const from = applied ?? last;
      const out: SkippedByEvent[] = [];
      if (from < last) {
        const events = await u.rows<{ seq: number; type: keyof typeof EFFECTS; task: string; instance: string }>(
          'SELECT seq, type, task, instance FROM events WHERE seq > $1 AND seq <= $2 AND type = ANY($3::text[]) ORDER BY seq',
          [from, last, EFFECT_TYPES],
        );
        for (const e of events) {
          const reason = EFFECTS[e.type];
          out.push({ cause: e.seq, task: e.task, instance: e.instance, reason, runs: await this.runs.skipPendingIn(u, e.task, e.instance, reason, { cause_seq: e.seq }) });
        }
      }
      if (applied !== last) {
        await u.count('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [CURSOR_KEY, String(last)]);
      }
      return out;
    });
  }

  async skippedBy(after: number, upTo: number): Promise<number> {
    const r = await this.db.one<{ n: number }>(
      `SELECT COUNT(*) AS n FROM events
       WHERE seq > $1 AND type = $3 AND (data->>'cause_seq')::bigint > $1 AND (data->>'cause_seq')::bigint <= $2`,
      [after, upTo, 'run.skipped'],
    );
    return r?.n ?? 0;
  }
}

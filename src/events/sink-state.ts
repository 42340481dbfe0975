// A webhook sink's durable state in the store's kv table: the last seq the receiver acknowledged,
// plus counters for `status`; the cursor survives daemon restarts.
import type { Store } from '../store/index.js';

export interface SinkState {
  /** Every event with seq <= cursor was acknowledged by the receiver. */
  cursor: number;
  delivered: number;
  last_ok_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  failures: number;
}

const EMPTY: SinkState = { cursor: 0, delivered: 0, last_ok_at: null, last_error: null, last_error_at: null, failures: 0 };

export const sinkKey = (url: string): string => `sink:${url}`;

export function readSinkState(store: Store, url: string): SinkState {
  const row = store.db.prepare('SELECT value FROM kv WHERE key = ?').get(sinkKey(url)) as { value: string } | undefined;
  if (!row) return { ...EMPTY };
  try {
    return { ...EMPTY, ...(JSON.parse(row.value) as Partial<SinkState>) };
  } catch {
    return { ...EMPTY };
  }
}

export function writeSinkState(store: Store, url: string, state: SinkState): void {
  store.db
    .prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    .run(sinkKey(url), JSON.stringify(state));
}

/** Every sink the store has state for (for `status`). */
export function listSinkStates(store: Store): { url: string; state: SinkState }[] {
  const rows = store.db.prepare(`SELECT key, value FROM kv WHERE key LIKE 'sink:%' ORDER BY key`).all() as { key: string; value: string }[];
  return rows.map((r) => ({ url: r.key.slice('sink:'.length), state: { ...EMPTY, ...(JSON.parse(r.value) as Partial<SinkState>) } }));
}

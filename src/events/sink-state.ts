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
  const value = store.cursors.get(sinkKey(url));
  if (value === undefined) return { ...EMPTY };
  try {
    return { ...EMPTY, ...(JSON.parse(value) as Partial<SinkState>) };
  } catch {
    return { ...EMPTY };
  }
}

export function writeSinkState(store: Store, url: string, state: SinkState): void {
  store.cursors.set(sinkKey(url), JSON.stringify(state));
}

/** Every sink the store has state for (for `status`). */
export function listSinkStates(store: Store): { url: string; state: SinkState }[] {
  const rows = store.cursors.list(sinkKey(''));
  return rows.map((r) => ({ url: r.key.slice('sink:'.length), state: { ...EMPTY, ...(JSON.parse(r.value) as Partial<SinkState>) } }));
}

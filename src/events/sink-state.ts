// A webhook sink's durable state in store.cursors under `sink:<url>`: the last seq the receiver
// acknowledged (the sink's cursor), plus counters for `status`; it survives daemon restarts.
import type { Store } from '../store/index.js';
import type { CursorCodec } from './cursor.js';

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

/** A stored value as a state; an unreadable one counts as none. */
export function parseSinkState(value: string | undefined): SinkState {
  if (value === undefined) return { ...EMPTY };
  try {
    return { ...EMPTY, ...(JSON.parse(value) as Partial<SinkState>) };
  } catch {
    return { ...EMPTY };
  }
}

export async function readSinkState(store: Store, url: string): Promise<SinkState> {
  return parseSinkState(await store.cursors.get(sinkKey(url)));
}

export function writeSinkState(store: Store, url: string, state: SinkState): Promise<void> {
  return store.cursors.set(sinkKey(url), JSON.stringify(state));
}

/** The sink's cursor inside its state: a save writes the state as `current()` has it, with the new cursor. */
export function sinkCodec(current: () => SinkState): CursorCodec {
  return {
    decode: (value) => parseSinkState(value).cursor,
    encode: (seq) => JSON.stringify({ ...current(), cursor: seq }),
  };
}

/** Every sink the store has state for (for `status`). */
export async function listSinkStates(store: Store): Promise<{ url: string; state: SinkState }[]> {
  const rows = await store.cursors.list(sinkKey(''));
  return rows.map((r) => ({ url: r.key.slice(sinkKey('').length), state: parseSinkState(r.value) }));
}

// Where a reader of the event log keeps its place: in memory for a reader that starts afresh each
// time (console lines, events -f, the dashboard), or durably in the store for one that must resume
// after a restart (alerts, sinks).
import type { Store } from '../store/index.js';

/** A reader's place in the log: every event with seq <= it was handled. */
export interface EventCursor {
  /** The saved place; undefined when this reader never saved one. */
  load(): Promise<number | undefined>;
  /** Every event up to and including `seq` is handled. */
  save(seq: number): Promise<void>;
}

export class MemoryCursor implements EventCursor {
  constructor(private seq?: number) {}

  load(): Promise<number | undefined> {
    return Promise.resolve(this.seq);
  }

  save(seq: number): Promise<void> {
    this.seq = seq;
    return Promise.resolve();
  }
}

/** How a durable cursor's value is written under its key (a bare seq, or a record that holds one). */
export interface CursorCodec {
  /** The seq a stored value holds; undefined when it holds none. */
  decode(value: string): number | undefined;
  encode(seq: number): string;
}

/** The value is the seq in decimal (`alerts:cursor`). */
export const SEQ_CODEC: CursorCodec = {
  decode: (value) => {
    const n = Number(value);
    return value.trim() !== '' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  },
  encode: (seq) => String(seq),
};

/** A cursor in store.cursors under `key`: it survives restarts and is shared by every connection. */
export class DurableCursor implements EventCursor {
  constructor(
    private readonly store: Store,
    readonly key: string,
    private readonly codec: CursorCodec = SEQ_CODEC,
  ) {}

  async load(): Promise<number | undefined> {
    const value = await this.store.cursors.get(this.key);
    return value === undefined ? undefined : this.codec.decode(value);
  }

  save(seq: number): Promise<void> {
    return this.store.cursors.set(this.key, this.codec.encode(seq));
  }
}

// The daemon's console: one formatted line per event committed since it started (run.output aside),
// written a page at a time so a burst costs one write per thousand events.
import type { StoredEvent } from '../core/events.js';
import type { Store } from '../store/index.js';
import { MemoryCursor } from './cursor.js';
import { formatEvent } from './format.js';
import { LogReader, type Handled, type LogConsumer } from './log-reader.js';

/** Events per read, and so at most lines per write. */
const PAGE = 1000;

export class ConsoleLines implements LogConsumer {
  private readonly reader: LogReader;

  /** `write` receives the lines of a page joined by newlines (no trailing newline). */
  constructor(
    store: Store,
    private readonly write: (text: string) => void,
  ) {
    this.reader = new LogReader(store, this, new MemoryCursor(), { page: PAGE, fresh: 'end' });
  }

  /** Start after the last event committed so far: what happened before is not printed. Rejects when the store fails. */
  start(): Promise<void> {
    return this.reader.open();
  }

  /** Print what was committed since the last look; never rejects (a busy store: the next check prints it). */
  async check(): Promise<void> {
    await this.reader.read();
  }

  handle(events: readonly StoredEvent[]): Promise<Handled> {
    const lines = events.filter((e) => e.type !== 'run.output').map(formatEvent);
    if (lines.length) this.write(lines.join('\n'));
    return Promise.resolve({ ok: true });
  }
}

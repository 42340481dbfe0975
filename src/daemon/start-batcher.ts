// Recording started processes RUNNING: those that start in one turn of the event loop share one
// commit (a spawner reports several at once), and a commit the store refuses is tried again a
// second later. Until then the run reads STARTED; a crash meanwhile leaves it to recovery, which
// finds its process by its environment.
import type { Clock, Timer } from '../core/clock.js';
import type { RunRow, Store } from '../store/index.js';
import { startedProcess, type StartRecord } from './attempt-records.js';

export interface StartBatcherHooks<S extends StartRecord> {
  /** The start is still wanted (its attempt is live here, and its start not recorded yet). */
  waiting(s: S): boolean;
  recorded(s: S, run: RunRow): void;
  failed(s: S, err: unknown): void;
  /** A write went through. */
  ok(): void;
}

export class StartBatcher<S extends StartRecord> {
  private queue: S[] = [];
  private flush: NodeJS.Immediate | undefined;
  /** The commit under way, if any. */
  private writing: Promise<void> | undefined;
  private retry: Timer | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly hooks: StartBatcherHooks<S>,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  /** Record this start at the end of the turn. */
  add(s: S): void {
    this.queue.push(s);
    this.flush ??= setImmediate(() => this.write());
  }

  /** Forget the starts of an entry (its end records its start itself). */
  drop(pred: (s: S) => boolean): void {
    this.queue = this.queue.filter((s) => !pred(s));
  }

  /**
   * Wait for any commit of starts under way, then try the starts still waiting once: RUNNING comes
   * before output and ends. A start the store refuses stays for the retry (the end writes it);
   * trying again at once would spin while the store refuses writes.
   */
  async settled(): Promise<void> {
    if (this.writing) await this.writing;
    if (this.queue.length) this.write();
    await this.writing;
  }

  private write(): void {
    clearImmediate(this.flush);
    this.flush = undefined;
    if (this.writing) return; // the commit under way takes the rest when it is done
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    this.writing = this.commit(batch).finally(() => {
      this.writing = undefined;
      if (this.queue.length && !this.retry) this.flush ??= setImmediate(() => this.write());
    });
  }

  private async commit(batch: S[]): Promise<void> {
    let outcomes;
    try {
      outcomes = await this.store.attempts.started(batch.map(startedProcess));
    } catch (err) {
      // Nothing was written: try again in a second. A start that ends before then is recorded
      // with its end, so a process that ran is never taken for one that did not.
      for (const s of batch) this.hooks.failed(s, err);
      this.queue.unshift(...batch.filter((s) => this.hooks.waiting(s)));
      this.retry ??= this.clock.after(1000, () => {
        this.retry = undefined;
        this.write();
      }).unref();
      return;
    }
    let any = false;
    outcomes.forEach((o, i) => {
      const s = batch[i]!;
      if (!o.ok) return this.hooks.failed(s, o.error);
      any = true;
      this.hooks.recorded(s, o.value);
    });
    if (any) this.hooks.ok();
  }
}

// Copying SQLite's write-ahead log into the database in the daemon's quiet moments.
//
// SQLite checkpoints (with an fsync) inside whichever commit crosses its threshold, and that commit
// can be the one at a fire instant. The daemon checkpoints when nothing is running and its next
// wake is a while off; SQLite's own threshold stays as the backstop for a daemon never quiet.
import type { Clock, Timer } from '../core/clock.js';
import type { Store } from '../store/index.js';

/** A checkpoint is tried this long after a pass, once what it committed was reported. */
export const CHECKPOINT_AFTER_MS = 60;
/** …and only when the loop sleeps at least this much longer. */
export const QUIET_MS = 200;

export interface QuietCheckpointOptions {
  /** True while the loop is in a pass, shutting down, or attempts are running. */
  busy(): boolean;
  /** When the loop next wakes on its own (undefined: nothing timed is ahead). */
  nextWakeAt(): number | undefined;
  /** Runs the checkpoint, logging rather than throwing. */
  guard(what: string, fn: () => Promise<void>): Promise<void>;
}

export class QuietCheckpoints {
  private timer: Timer | undefined;
  /** Checkpoints run, and the last event sequence a completed one covered (for tests). */
  count = 0;
  coveredSeq = -1;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: QuietCheckpointOptions,
  ) {}

  /** After a pass: try a checkpoint a moment later. */
  arm(): void {
    if (this.timer) return;
    this.timer = this.clock.after(CHECKPOINT_AFTER_MS, () => {
      this.timer = undefined;
      void this.opts.guard('checkpointing the store', () => this.checkpointIfQuiet());
    }).unref();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private async checkpointIfQuiet(): Promise<void> {
    if (this.opts.busy()) return;
    const next = this.opts.nextWakeAt();
    if (next !== undefined && next - this.clock.now() < QUIET_MS) return;
    const seq = await this.store.events.lastSeq();
    if (seq === this.coveredSeq) return;
    const complete = await this.store.checkpoint();
    this.count++;
    // A reader holding an older snapshot stops a passive checkpoint short: the next quiet moment finishes it.
    if (complete) this.coveredSeq = seq;
  }
}

// What other processes committed: a definition changed (a CLI insert), a run moved (an agent on
// another host), a control request came. The change token only says whether to look; what changed
// is read from the event log by seq, after this process's cursor: the one invalidation path of the
// daemon's caches. A notification or a poll asks; checks never overlap.
import { DEFINITION_EVENT_TYPES, isDefinitionEventType, type EventType, type StoredEvent } from '../core/events.js';
import type { Store } from '../store/index.js';

/** What the check reads of the log: definitions, and the run transitions a leader elsewhere must hear of. */
const WATCHED: readonly EventType[] = [
  ...DEFINITION_EVENT_TYPES,
  'run.triggered', 'run.accepted', 'run.started', 'run.succeeded', 'run.failed', 'run.retrying', 'run.terminated',
  'run.rejected', 'run.skipped', 'run.frozen', 'run.unfrozen', 'run.released', 'run.status_modified',
];
const PAGE = 1000;

export interface ChangeReactions {
  /** Definitions changed: read them again and apply what they change. */
  definitions(): Promise<void>;
  /** Runs moved (by anyone: what this process did itself is harmless to hear again); undefined while nobody here needs to know (not leading). */
  runs?(): ((events: readonly StoredEvent[]) => void) | undefined;
  /** Anything committed: answer commands, run a pass. `stopping` while the daemon shuts down. */
  after(stopping: boolean): Promise<void>;
  stopping(): boolean;
}

export class ChangeCheck {
  private token = -1;
  private seenSeq = 0;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly store: Store,
    private readonly on: ChangeReactions,
  ) {}

  /** Look from here on: what is in the log now is known already. */
  async begin(): Promise<void> {
    this.token = await this.store.changeToken();
    this.seenSeq = await this.store.events.lastSeq();
  }

  /** This process committed something it must read as if another had (the HTTP API's writes): the next check looks whatever the token says. */
  touch(): void {
    this.token = -1;
  }

  /** Look now; a call during a check makes it look once more when it is done. */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.once();
        } while (this.again && !this.on.stopping());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async once(): Promise<void> {
    const token = await this.store.changeToken();
    if (token === this.token) return;
    if (this.on.stopping()) {
      this.token = token;
      return this.on.after(true);
    }
    const last = await this.store.events.lastSeq();
    let definitions = false;
    const runs = this.on.runs?.();
    for (let after = this.seenSeq; after < last; ) {
      const page = await this.store.events.list({ afterSeq: after, types: runs ? WATCHED : DEFINITION_EVENT_TYPES, limit: PAGE });
      const seen = page.filter((e) => e.seq <= last);
      if (seen.some((e) => isDefinitionEventType(e.type))) definitions = true;
      runs?.(seen);
      if (page.length < PAGE || seen.length < page.length) break;
      after = page.at(-1)!.seq;
    }
    if (definitions) await this.on.definitions();
    // Only once applied: a check that failed looks again.
    this.seenSeq = Math.max(this.seenSeq, last);
    this.token = token;
    await this.on.after(false);
  }
}

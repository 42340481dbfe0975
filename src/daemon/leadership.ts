// Who leads a shared store: the one daemon that schedules, triggers, answers commands and recovers
// lost runs (on a SQLite home the daemon that holds the home leads for its whole life). Every daemon
// campaigns every second; the winner leads until it cannot renew its lease, and a
// stale leader's writes are fenced off by the store (each new leader begins a new term).
import { every, type Clock, type Timer } from '../core/clock.js';
import type { LeaderIdentity, Store } from '../store/index.js';

export interface LeadershipEvents {
  /** This daemon leads from now on; `store` is the store as the leader of `term` writes it. */
  elected(term: number, store: Store): void | Promise<void>;
  /** This daemon no longer leads (its lease could not be renewed, a newer term began, it stopped). */
  deposed(reason: string): void | Promise<void>;
  log(line: string): void;
}

/** How often a daemon campaigns (a leader renews), and how long its lease lasts on the database clock. */
export interface LeadershipTiming {
  intervalMs: number;
  leaseMs: number;
}

export const DEFAULT_LEADERSHIP: LeadershipTiming = { intervalMs: 1000, leaseMs: 10_000 };

export class Leadership {
  private timer: Timer | undefined;
  private term: number | undefined;
  private campaigning: Promise<void> | undefined;
  private stopped = false;
  private lastReason: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly me: LeaderIdentity,
    private readonly events: LeadershipEvents,
    private readonly timing: LeadershipTiming = DEFAULT_LEADERSHIP,
  ) {}

  /** Leads now (and in which term). */
  get leading(): boolean {
    return this.term !== undefined;
  }

  get currentTerm(): number | undefined {
    return this.term;
  }

  /** Begin campaigning (a store shared by several daemons). */
  async start(): Promise<void> {
    await this.campaign();
    this.timer = every(this.clock, this.timing.intervalMs, () => void this.campaign());
  }

  /** One round: win, renew, or follow. Rounds never overlap. */
  campaign(): Promise<void> {
    this.campaigning ??= this.round().finally(() => (this.campaigning = undefined));
    return this.campaigning;
  }

  private async round(): Promise<void> {
    const cluster = this.store.cluster;
    if (!cluster || this.stopped) return;
    const r = await cluster.campaign(this.me, this.timing.leaseMs);
    if (this.stopped) return;
    if (r.leader) {
      if (this.term === r.term) return;
      this.term = r.term;
      this.lastReason = undefined;
      this.events.log(`leading (term ${r.term}): this daemon schedules, triggers and answers commands`);
      await this.events.elected(r.term, cluster.fenced(r.term));
      return;
    }
    if (this.term !== undefined) {
      this.term = undefined;
      const why = r.reason ?? 'the lease could not be renewed';
      this.events.log(`no longer leading: ${why}`);
      await this.events.deposed(why);
    } else if (r.reason && r.reason !== this.lastReason) {
      this.events.log(`following: ${r.reason}`);
    }
    this.lastReason = r.reason;
  }

  /** Stop campaigning and step down (the lease row says the leader stopped). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.campaigning;
    if (this.term !== undefined) {
      this.term = undefined;
      await this.events.deposed('stopping');
    }
    await this.store.cluster?.resign();
  }
}

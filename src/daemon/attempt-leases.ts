// The leases of an agent's attempts: renewed every third of a lease; an attempt whose token is gone
// (recovered elsewhere) is killed, and so is one whose lease would end before a renewal could go
// through (the store is out of reach), so a run is never running here when the leader recovers it.
import type { Clock } from '../core/clock.js';
import type { RunRow, Store } from '../store/index.js';

/** The lease of an attempt, unless the daemon says otherwise. */
export const DEFAULT_LEASE_MS = 30_000;

/** What the leases need of a live attempt. */
export interface Held {
  run: RunRow;
  token: string;
  /** Monotonic ms until which the lease is known to hold (the last renewal that went through, plus the lease). */
  heldUntil: number;
  /** Why the attempt was given up (its lease lost): it is being killed and ends lost. */
  lost?: string;
}

export interface LeaseHooks<E extends Held> {
  live(): Iterable<E>;
  /** Give the attempt up: kill it (it ends lost). */
  lose(e: E, why: string): void;
  /** A terminate was asked for it (by a leader that does not hold it). */
  terminate(e: E): void;
}

export class AttemptLeases<E extends Held> {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly leaseMs: number,
    private readonly hooks: LeaseHooks<E>,
  ) {}

  /** When a lease accepted now holds until (monotonic ms). */
  heldFromNow(): number {
    return this.clock.monotonic() + this.leaseMs;
  }

  async renew(): Promise<void> {
    const entries = [...this.hooks.live()].filter((e) => !e.lost && e.run.attempt > 0);
    if (entries.length === 0) return;
    const asked = this.clock.monotonic();
    try {
      const states = await this.store.attempts.renew(entries.map((e) => ({ runId: e.run.id, n: e.run.attempt, token: e.token })), this.leaseMs);
      states.forEach((state, i) => {
        const e = entries[i]!;
        if (state === 'gone') return this.hooks.lose(e, 'its lease was taken back (it ran out and the run was recovered)');
        e.heldUntil = asked + this.leaseMs;
        if (state === 'terminate') this.hooks.terminate(e);
      });
    } finally {
      this.killExpiring();
    }
  }

  /** Kill the attempts whose lease would end before the next renewal could be sure to go through. */
  killExpiring(): void {
    const margin = Math.max(1000, this.leaseMs / 5);
    const now = this.clock.monotonic();
    for (const e of this.hooks.live()) {
      if (e.lost || e.heldUntil - margin > now) continue;
      const silent = Math.round((now - e.heldUntil + this.leaseMs) / 100) / 10;
      this.hooks.lose(e, `its lease could not be renewed for ${silent}s (the store is out of reach): killed before the lease ends`);
    }
  }
}

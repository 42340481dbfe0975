// The daemon lease on PostgreSQL: one row naming the process (on any host) that holds the home, with its heartbeat; taken under its row lock.
import type { DaemonLeaseStore, LeaseOwner } from '../contract.js';
import type { DaemonRow } from '../rows.js';
import type { LeaseInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

/** The lease's columns as the embedded driver has them (the cluster's term, expiry and app are its own business). */
const READ = 'SELECT id, pid, host, version, started_at, heartbeat_at, stopped_at, degraded FROM daemon WHERE id = 1';
const READ_LOCKED = `${READ} FOR UPDATE`;

export class PgDaemonLease implements DaemonLeaseStore, LeaseInUnit {
  constructor(private readonly db: Db) {}

  read(): Promise<DaemonRow | undefined> {
    return this.db.one<DaemonRow>(READ);
  }

  readIn(u: Unit): Promise<DaemonRow | undefined> {
    return u.one<DaemonRow>(READ);
  }

  acquire(owner: LeaseOwner, at: number, held: (current: DaemonRow) => boolean): Promise<{ taken: true; previous: DaemonRow | undefined } | { taken: false; holder: DaemonRow }> {
    return this.db.unit(async (u) => {
      let previous = await u.one<DaemonRow>(READ_LOCKED);
      if (!previous) {
        // No row to lock yet: insert ours. When another host inserted one meanwhile, this waits for
        // it and inserts nothing; its row is then read (locked) and judged like any holder's.
        const inserted = await u.count(
          `INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at, degraded) VALUES (1, $1, $2, $3, $4, $4, NULL, NULL)
           ON CONFLICT (id) DO NOTHING`,
          [owner.pid, owner.host, owner.version, at],
        );
        if (inserted === 1) return { taken: true as const, previous: undefined };
        previous = await u.one<DaemonRow>(READ_LOCKED);
      }
      if (previous && previous.stopped_at === null && held(previous)) return { taken: false as const, holder: previous };
      await u.count('UPDATE daemon SET pid = $1, host = $2, version = $3, started_at = $4, heartbeat_at = $4, stopped_at = NULL, degraded = NULL WHERE id = 1', [
        owner.pid,
        owner.host,
        owner.version,
        at,
      ]);
      return { taken: true as const, previous };
    });
  }

  // Units, like every write: a leader's fenced view refuses them once a newer term has begun.
  async beat(pid: number, at: number, degraded: string | null): Promise<void> {
    await this.db.unit((u) => u.count('UPDATE daemon SET heartbeat_at = $1, degraded = $2 WHERE id = 1 AND pid = $3', [at, degraded, pid]));
  }

  async release(pid: number, at: number): Promise<void> {
    await this.db.unit((u) => u.count('UPDATE daemon SET stopped_at = $1, heartbeat_at = $1, degraded = NULL WHERE id = 1 AND pid = $2', [at, pid]));
  }
}

// The daemon lease: one row naming the process that holds the home, with its heartbeat.
import type { Database } from 'better-sqlite3';
import type { DaemonLeaseStore, LeaseOwner } from '../contract.js';
import type { DaemonRow } from '../rows.js';
import type { Sync } from './promised.js';
import { sql } from './statements.js';
import { tx } from './tx.js';

export class DaemonLease implements Sync<DaemonLeaseStore> {
  constructor(private readonly db: Database) {}

  read(): DaemonRow | undefined {
    return sql(this.db, 'SELECT * FROM daemon WHERE id = 1').get() as DaemonRow | undefined;
  }

  acquire(owner: LeaseOwner, at: number, held: (current: DaemonRow) => boolean): { taken: true; previous: DaemonRow | undefined } | { taken: false; holder: DaemonRow } {
    return tx(this.db, () => {
      const previous = this.read();
      if (previous && previous.stopped_at === null && held(previous)) return { taken: false, holder: previous };
      sql(
        this.db,
        `INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at, degraded) VALUES (1, ?, ?, ?, ?, ?, NULL, NULL)
         ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, version = excluded.version,
           started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, degraded = NULL`,
      ).run(owner.pid, owner.host, owner.version, at, at);
      return { taken: true, previous };
    });
  }

  beat(pid: number, at: number, degraded: string | null): void {
    sql(this.db, 'UPDATE daemon SET heartbeat_at = ?, degraded = ? WHERE id = 1 AND pid = ?').run(at, degraded, pid);
  }

  release(pid: number, at: number): void {
    sql(this.db, 'UPDATE daemon SET stopped_at = ?, heartbeat_at = ?, degraded = NULL WHERE id = 1 AND pid = ?').run(at, at, pid);
  }
}

// Control commands: a CLI writes a row, the daemon consumes and acknowledges it.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../core/clock.js';

export type CommandKind = 'force-run' | 'terminate' | 'freeze' | 'unfreeze' | 'modify-status' | 'reload';

export interface CommandRow {
  id: number;
  kind: CommandKind;
  target: string | null;
  args: string;
  created_at: number;
  acked_at: number | null;
  ok: number | null;
  message: string | null;
  result: string | null;
}

export class Commands {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  enqueue(kind: CommandKind, target: string | null, args: Record<string, unknown> = {}): number {
    const r = sql(this.db, 'INSERT INTO commands (kind, target, args, created_at) VALUES (?, ?, ?, ?)')
      .run(kind, target, JSON.stringify(args), this.clock.now());
    return Number(r.lastInsertRowid);
  }

  pending(): CommandRow[] {
    return sql(this.db, 'SELECT * FROM commands WHERE acked_at IS NULL ORDER BY id').all() as CommandRow[];
  }

  get(id: number): CommandRow | undefined {
    return sql(this.db, 'SELECT * FROM commands WHERE id = ?').get(id) as CommandRow | undefined;
  }

  ack(id: number, ok: boolean, message: string, result?: Record<string, unknown>): void {
    sql(this.db, 'UPDATE commands SET acked_at = ?, ok = ?, message = ?, result = ? WHERE id = ? AND acked_at IS NULL')
      .run(this.clock.now(), ok ? 1 : 0, message, result ? JSON.stringify(result) : null, id);
  }

  /** Withdraw a command nobody took, so a daemon started later does not act on a stale request. */
  withdraw(id: number): boolean {
    return sql(this.db, 'DELETE FROM commands WHERE id = ? AND acked_at IS NULL').run(id).changes === 1;
  }
}

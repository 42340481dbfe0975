// Control commands: a CLI writes a row, the daemon consumes and acknowledges it.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { CommandAnswer, CommandStore, ControlEffect, ControlResult } from '../contract.js';
import type { CommandKind, CommandRow } from '../rows.js';
import type { Attempts } from './attempts.js';
import type { FrozenDates } from './frozen-dates.js';
import type { GroupRuns } from './group-runs.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { tx } from './tx.js';

/** The parts a command's effect writes to. */
export interface EffectTargets {
  runs: Runs;
  attempts: Attempts;
  groupRuns: GroupRuns;
  frozenDates: FrozenDates;
}

export class Commands implements Sync<CommandStore> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly targets: () => EffectTargets,
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

  ack(id: number, a: CommandAnswer): boolean {
    return sql(this.db, 'UPDATE commands SET acked_at = ?, ok = ?, message = ?, result = ? WHERE id = ? AND acked_at IS NULL')
      .run(this.clock.now(), a.ok ? 1 : 0, a.message, a.data ? JSON.stringify(a.data) : null, id).changes === 1;
  }

  carryOut(id: number, effect: ControlEffect, answer: (result: ControlResult) => CommandAnswer): CommandAnswer | undefined {
    return tx(this.db, () => {
      if (this.get(id)?.acked_at !== null) return undefined; // withdrawn or answered meanwhile
      const a = answer(this.effect(effect));
      this.ack(id, a);
      return a;
    });
  }

  private effect(e: ControlEffect): ControlResult {
    const t = this.targets();
    switch (e.kind) {
      case 'force-run':
        return { kind: e.kind, run: t.runs.force(e.run, e.trigger) };
      case 'force-group':
        return { kind: e.kind, cycle: t.groupRuns.force(e.cycle) };
      case 'transitions':
        t.attempts.requestTerminate(e.stop ?? []);
        return { kind: e.kind, runs: e.requests.map((r) => t.runs.transition(r)) };
      case 'freeze':
        return { kind: e.kind, outcome: t.frozenDates.freeze(e.task, e.date, e.data) };
      case 'unfreeze':
        return { kind: e.kind, outcome: t.frozenDates.unfreeze(e.task, e.date, e.data) };
      case 'modify-status':
        return { kind: e.kind, run: t.runs.modifyStatus(e.request) };
      case 'none':
        return { kind: e.kind };
    }
  }

  /** Withdraw a command nobody took, so a daemon started later does not act on a stale request. */
  withdraw(id: number): boolean {
    return sql(this.db, 'DELETE FROM commands WHERE id = ? AND acked_at IS NULL').run(id).changes === 1;
  }
}

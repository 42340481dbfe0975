// Control commands on PostgreSQL: a CLI on any host writes a row (and wakes the daemon), the daemon carries it out and acknowledges it once.
import type { Clock } from '../../core/clock.js';
import type { CommandAnswer, CommandStore, ControlEffect, ControlResult } from '../contract.js';
import type { CommandKind, CommandRow } from '../rows.js';
import type { AttemptsInUnit, FrozenDatesInUnit, GroupRunsInUnit, RunsInUnit } from './internal.js';
import { COMMANDS_CHANNEL, type Db, type Unit } from './unit.js';

/** The parts a command's effect writes to. */
export interface EffectTargets {
  runs: RunsInUnit;
  attempts: AttemptsInUnit;
  groupRuns: GroupRunsInUnit;
  frozenDates: FrozenDatesInUnit;
}

const ACK = 'UPDATE commands SET acked_at = $1, ok = $2, message = $3, result = $4 WHERE id = $5 AND acked_at IS NULL';

export class PgCommands implements CommandStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly targets: () => EffectTargets,
  ) {}

  enqueue(kind: CommandKind, target: string | null, args: Record<string, unknown> = {}): Promise<number> {
    return this.db.unit(async (u) => {
      const r = await u.one<{ id: number }>('INSERT INTO commands (kind, target, args, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [
        kind,
        target,
        JSON.stringify(args),
        this.clock.now(),
      ]);
      u.notify(COMMANDS_CHANNEL);
      return r!.id;
    });
  }

  pending(): Promise<CommandRow[]> {
    return this.db.rows<CommandRow>('SELECT * FROM commands WHERE acked_at IS NULL ORDER BY id');
  }

  get(id: number): Promise<CommandRow | undefined> {
    return this.db.one<CommandRow>('SELECT * FROM commands WHERE id = $1', [id]);
  }

  ack(id: number, a: CommandAnswer): Promise<boolean> {
    return this.db.unit((u) => this.ackIn(u, id, a));
  }

  carryOut(id: number, effect: ControlEffect, answer: (result: ControlResult) => CommandAnswer): Promise<CommandAnswer | undefined> {
    return this.db.unit(async (u) => {
      // Locked until the unit ends: another daemon, an ack or a withdrawal waits, then finds it answered.
      const row = await u.one<{ acked_at: number | null }>('SELECT acked_at FROM commands WHERE id = $1 FOR UPDATE', [id]);
      if (!row || row.acked_at !== null) return undefined; // withdrawn or answered meanwhile
      const a = answer(await this.effect(u, effect));
      await this.ackIn(u, id, a);
      return a;
    });
  }

  withdraw(id: number): Promise<boolean> {
    return this.db.unit(async (u) => (await u.count('DELETE FROM commands WHERE id = $1 AND acked_at IS NULL', [id])) === 1);
  }

  private async ackIn(u: Unit, id: number, a: CommandAnswer): Promise<boolean> {
    return (await u.count(ACK, [this.clock.now(), a.ok ? 1 : 0, a.message, a.data ? JSON.stringify(a.data) : null, id])) === 1;
  }

  private async effect(u: Unit, e: ControlEffect): Promise<ControlResult> {
    const t = this.targets();
    switch (e.kind) {
      case 'force-run':
        return { kind: e.kind, run: await t.runs.forceIn(u, e.run, e.trigger) };
      case 'force-group':
        return { kind: e.kind, cycle: await t.groupRuns.forceIn(u, e.cycle) };
      case 'transitions': {
        await t.attempts.requestTerminateIn(u, e.stop ?? []);
        const runs = [];
        for (const r of e.requests) runs.push(await t.runs.transitionIn(u, r));
        return { kind: e.kind, runs };
      }
      case 'freeze':
        return { kind: e.kind, outcome: await t.frozenDates.freezeIn(u, e.task, e.date, e.data) };
      case 'unfreeze':
        return { kind: e.kind, outcome: await t.frozenDates.unfreezeIn(u, e.task, e.date, e.data) };
      case 'modify-status':
        return { kind: e.kind, run: await t.runs.modifyStatusIn(u, e.request) };
      case 'none':
        return { kind: e.kind };
    }
  }
}

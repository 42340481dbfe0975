// Group runs: one row per (group, fire instant), moved only through the group transition table.
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import { GROUP_TRANSITIONS, type GroupRunEventType, type GroupRunState } from '../../core/states.js';
import type { GroupRunStore } from '../contract.js';
import type { GroupRunPatch, GroupRunRow, NewGroupRun, NewRun, RunRow } from '../rows.js';
import type { EventLog } from './events.js';
import type { Sync } from './promised.js';
import type { Runs } from './runs.js';
import { sql } from './statements.js';
import { tx } from './tx.js';

export class GroupRuns implements Sync<GroupRunStore> {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly runs: () => Runs,
  ) {}

  get(id: number): GroupRunRow | undefined {
    return sql(this.db, 'SELECT * FROM group_runs WHERE id = ?').get(id) as GroupRunRow | undefined;
  }

  force(g: NewGroupRun): GroupRunRow {
    return tx(this.db, () => {
      let slot = g.slot;
      let row: GroupRunRow | undefined;
      while (!(row = this.create({ ...g, slot }))) slot++;
      return row;
    });
  }

  start(id: number, members: readonly NewRun[], at: number): { cycle: GroupRunRow; runs: RunRow[] } {
    return tx(this.db, () => {
      const cycle = this.transition(id, 'group_run.started', 'RUNNING', { started_at: at });
      const runs: RunRow[] = [];
      for (const m of members) {
        const r = this.runs().create({ ...m, group_run_id: id });
        if (r) runs.push(r);
      }
      return { cycle, runs };
    });
  }

  /** Create the cycle for a slot (ACTIVE); undefined when the slot already has one. Call inside a transaction. */
  create(g: NewGroupRun): GroupRunRow | undefined {
    const now = this.clock.now();
    const res = sql(
      this.db,
      `INSERT INTO group_runs (gid, group_name, instance, slot, origin, state, business_date, created_at)
       VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, ?) ON CONFLICT (gid, instance, slot) DO NOTHING`,
    ).run(g.gid, g.group_name, g.instance, g.slot, g.origin ?? 'schedule', g.business_date, now);
    if (res.changes === 0) return undefined;
    const row = this.get(Number(res.lastInsertRowid))!;
    this.emit(row, 'group_run.created', { to: 'ACTIVE', slot: new Date(row.slot).toISOString(), business_date: row.business_date, origin: row.origin });
    return row;
  }

  /** Apply one group transition with its event, as one unit. */
  transition(id: number, event: Exclude<GroupRunEventType, 'group_run.created'>, to: GroupRunState, patch: GroupRunPatch = {}, data: Record<string, unknown> = {}): GroupRunRow {
    return tx(this.db, () => this.transitionInTx(id, event, to, patch, data));
  }

  private transitionInTx(id: number, event: Exclude<GroupRunEventType, 'group_run.created'>, to: GroupRunState, patch: GroupRunPatch, data: Record<string, unknown>): GroupRunRow {
    const row = this.get(id);
    if (!row) throw new EasyTaskError('NOT_FOUND', `group run ${id} does not exist`);
    const rule = GROUP_TRANSITIONS[event];
    if (!rule.from.includes(row.state) || !rule.to.includes(to)) {
      throw new EasyTaskError('ILLEGAL_TRANSITION', `group run ${id} (${row.group_name}) is ${row.state}: ${event} cannot move it to ${to}`);
    }
    const next: GroupRunRow = { ...row, ...patch, state: to, version: row.version + 1 };
    sql(this.db, 'UPDATE group_runs SET state = ?, reason = ?, started_at = ?, ended_at = ?, version = ? WHERE id = ?').run(
      next.state, next.reason, next.started_at, next.ended_at, next.version, id,
    );
    this.emit(next, event, { from: row.state, to, ...(patch.reason ? { reason: patch.reason } : {}), ...data });
    return next;
  }

  inStates(states: readonly GroupRunState[]): GroupRunRow[] {
    return sql(this.db, `SELECT * FROM group_runs WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY slot, id`).all(...states) as GroupRunRow[];
  }

  /** The cycle of a group for a business date (the latest one when it fired several times). */
  forDate(group: string, instance: string, date: string): GroupRunRow | undefined {
    return sql(this.db, 'SELECT * FROM group_runs WHERE group_name = ? AND instance = ? AND business_date = ? ORDER BY slot DESC, id DESC LIMIT 1').get(group, instance, date) as GroupRunRow | undefined;
  }

  recent(group: string, instance: string, limit: number): GroupRunRow[] {
    return sql(this.db, 'SELECT * FROM group_runs WHERE group_name = ? AND instance = ? ORDER BY slot DESC, id DESC LIMIT ?').all(group, instance, limit) as GroupRunRow[];
  }

  lastScheduledSlot(gid: number, instance: string): number | undefined {
    const r = sql(this.db, `SELECT MAX(slot) AS s FROM group_runs WHERE gid = ? AND instance = ? AND origin = 'schedule'`).get(gid, instance) as { s: number | null };
    return r.s ?? undefined;
  }

  /** Each instance that has cycles of group id `gid`, with the group name of its latest cycle there. */
  namesOfGroupId(gid: number): { instance: string; name: string }[] {
    return sql(this.db, 'SELECT instance, group_name AS name FROM group_runs WHERE id IN (SELECT MAX(id) FROM group_runs WHERE gid = ? GROUP BY instance) ORDER BY instance').all(gid) as {
      instance: string;
      name: string;
    }[];
  }

  /** The instances that have cycles of a group named `group`. */
  instancesOfGroup(group: string): string[] {
    return (sql(this.db, 'SELECT DISTINCT instance FROM group_runs WHERE group_name = ?').all(group) as { instance: string }[]).map((r) => r.instance);
  }

  private emit(row: GroupRunRow, type: GroupRunEventType, data: Record<string, unknown>): void {
    this.events.append({
      key: `group_run:${row.id}:v${row.version}`,
      type,
      time: this.clock.now(),
      instance: row.instance,
      group: row.group_name,
      group_run_id: row.id,
      data,
    });
  }
}

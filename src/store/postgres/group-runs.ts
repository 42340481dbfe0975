// Group runs on PostgreSQL: one row per (group, fire instant), moved only through the group transition table.
import type { Clock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import { GROUP_TRANSITIONS, type GroupRunEventType, type GroupRunState } from '../../core/states.js';
import type { GroupRunStore } from '../contract.js';
import type { GroupRunPatch, GroupRunRow, NewGroupRun, NewRun, RunRow } from '../rows.js';
import type { GroupRunsInUnit, RunsInUnit } from './internal.js';
import type { Db, Unit } from './unit.js';

type GroupMove = Exclude<GroupRunEventType, 'group_run.created'>;

export class PgGroupRuns implements GroupRunStore, GroupRunsInUnit {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly runs: () => RunsInUnit,
  ) {}

  get(id: number): Promise<GroupRunRow | undefined> {
    return this.db.one<GroupRunRow>('SELECT * FROM group_runs WHERE id = $1', [id]);
  }

  force(g: NewGroupRun): Promise<GroupRunRow> {
    return this.db.unit((u) => this.forceIn(u, g));
  }

  async forceIn(u: Unit, g: NewGroupRun): Promise<GroupRunRow> {
    let slot = g.slot;
    let row: GroupRunRow | undefined;
    while (!(row = await this.createIn(u, { ...g, slot }))) slot++;
    return row;
  }

  start(id: number, members: readonly NewRun[], at: number): Promise<{ cycle: GroupRunRow; runs: RunRow[] }> {
    return this.db.unit(async (u) => {
      const cycle = await this.transitionIn(u, id, 'group_run.started', 'RUNNING', { started_at: at });
      const runs: RunRow[] = [];
      for (const m of members) {
        const r = await this.runs().createIn(u, { ...m, group_run_id: id });
        if (r) runs.push(r);
      }
      return { cycle, runs };
    });
  }

  /** Create the cycle for a slot (ACTIVE) with its event; undefined when the slot already has one. */
  async createIn(u: Unit, g: NewGroupRun): Promise<GroupRunRow | undefined> {
    const now = this.clock.now();
    const row = await u.one<GroupRunRow>(
      `INSERT INTO group_runs (gid, group_name, instance, slot, origin, state, business_date, created_at)
       VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7) ON CONFLICT (gid, instance, slot) DO NOTHING RETURNING *`,
      [g.gid, g.group_name, g.instance, g.slot, g.origin ?? 'schedule', g.business_date, now],
    );
    if (!row) return undefined;
    this.emit(u, row, 'group_run.created', { to: 'ACTIVE', slot: new Date(row.slot).toISOString(), business_date: row.business_date, origin: row.origin });
    return row;
  }

  transition(id: number, event: GroupMove, to: GroupRunState, patch: GroupRunPatch = {}, data: Record<string, unknown> = {}): Promise<GroupRunRow> {
    return this.db.unit((u) => this.transitionIn(u, id, event, to, patch, data));
  }

  /** One group transition, read-modify-write under the cycle's row lock, with its event. */
  async transitionIn(u: Unit, id: number, event: GroupMove, to: GroupRunState, patch: GroupRunPatch = {}, data: Record<string, unknown> = {}): Promise<GroupRunRow> {
    const row = await u.one<GroupRunRow>('SELECT * FROM group_runs WHERE id = $1 FOR UPDATE', [id]);
    if (!row) throw new EasyTaskError('NOT_FOUND', `group run ${id} does not exist`);
    const rule = GROUP_TRANSITIONS[event];
    if (!rule.from.includes(row.state) || !rule.to.includes(to)) {
      throw new EasyTaskError('ILLEGAL_TRANSITION', `group run ${id} (${row.group_name}) is ${row.state}: ${event} cannot move it to ${to}`);
    }
    const want: GroupRunRow = { ...row, ...patch, state: to, version: row.version + 1 };
    const next = (await u.one<GroupRunRow>(
      'UPDATE group_runs SET state = $1, reason = $2, started_at = $3, ended_at = $4, version = $5 WHERE id = $6 RETURNING *',
      [want.state, want.reason ?? null, want.started_at ?? null, want.ended_at ?? null, want.version, id],
    ))!;
    this.emit(u, next, event, { from: row.state, to, ...(patch.reason ? { reason: patch.reason } : {}), ...data });
    return next;
  }

  /** ACTIVE cycles of one group, oldest slot first. */
  activeOfGroupIn(u: Unit, gid: number, instance: string): Promise<GroupRunRow[]> {
    return u.rows<GroupRunRow>(`SELECT * FROM group_runs WHERE state = 'ACTIVE' AND gid = $1 AND instance = $2 ORDER BY slot, id`, [gid, instance]);
  }

  inStates(states: readonly GroupRunState[]): Promise<GroupRunRow[]> {
    return this.db.rows<GroupRunRow>('SELECT * FROM group_runs WHERE state = ANY($1::text[]) ORDER BY slot, id', [states]);
  }

  /** The cycle of a group for a business date (the latest one when it fired several times). */
  forDate(group: string, instance: string, date: string): Promise<GroupRunRow | undefined> {
    return this.db.one<GroupRunRow>('SELECT * FROM group_runs WHERE group_name = $1 AND instance = $2 AND business_date = $3 ORDER BY slot DESC, id DESC LIMIT 1', [group, instance, date]);
  }

  recent(group: string, instance: string, limit: number): Promise<GroupRunRow[]> {
    return this.db.rows<GroupRunRow>('SELECT * FROM group_runs WHERE group_name = $1 AND instance = $2 ORDER BY slot DESC, id DESC LIMIT $3', [group, instance, limit]);
  }

  async lastScheduledSlot(gid: number, instance: string): Promise<number | undefined> {
    const r = await this.db.one<{ s: number | null }>(`SELECT MAX(slot) AS s FROM group_runs WHERE gid = $1 AND instance = $2 AND origin = 'schedule'`, [gid, instance]);
    return r?.s ?? undefined;
  }

  /** Each instance that has cycles of group id `gid`, with the group name of its latest cycle there. */
  namesOfGroupId(gid: number): Promise<{ instance: string; name: string }[]> {
    return this.db.rows('SELECT instance, group_name AS name FROM group_runs WHERE id IN (SELECT MAX(id) FROM group_runs WHERE gid = $1 GROUP BY instance) ORDER BY instance COLLATE "C"', [gid]);
  }

  async instancesOfGroup(group: string): Promise<string[]> {
    return (await this.db.rows<{ instance: string }>('SELECT instance FROM group_runs WHERE group_name = $1 GROUP BY instance ORDER BY instance COLLATE "C"', [group])).map((r) => r.instance);
  }

  private emit(u: Unit, row: GroupRunRow, type: GroupRunEventType, data: Record<string, unknown>): void {
    u.event({
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

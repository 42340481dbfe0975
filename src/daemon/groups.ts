// Group workflows: a cycle starts one run per active member and advances as member runs change.
import { sql } from '../store/statements.js';
import type { Clock } from '../core/clock.js';
import { evaluate, parseDependency, type Expr, type Truth } from '../core/dependency.js';
import { FINAL_STATES, STATE_LETTERS, type RunState } from '../core/states.js';
import type { GroupDef, TaskDef } from '../core/task.js';
import type { GroupRunRow, RunRow, Store } from '../store/index.js';
import { isFrozen, triggerPatch } from './trigger.js';

/** What an atom sees of a member or upstream group: its state, or IDLE when it has no run. */
type Seen = RunState | 'IDLE';

const FINAL_OR_IDLE = new Set<Seen>([...FINAL_STATES, 'IDLE']);

/** An atom holds now (true), can never hold again (false), or may still change (undefined). */
export function atomTruth(letter: string, seen: Seen | undefined): Truth {
  if (seen === undefined) return undefined; // an upstream group that has not run for the date yet
  const wanted = STATE_LETTERS[letter];
  if (wanted === 'UNFROZEN') return seen === 'FROZEN' ? undefined : true;
  if (wanted === 'PASSIVE') return seen === 'IDLE';
  if (wanted === seen) return true;
  return FINAL_OR_IDLE.has(seen) ? false : undefined;
}

const parsed = new Map<string, Expr | null>();
function exprOf(text: string | undefined): Expr | null {
  if (!text) return null;
  let e = parsed.get(text);
  if (e === undefined) {
    const p = parseDependency(text);
    parsed.set(text, (e = p.ok ? p.expr : null));
  }
  return e;
}

export class GroupEngine {
  private readonly dirty = new Set<number>();
  /** Member definitions per group, read once per definition change rather than on every transition. */
  private members = new Map<string, Map<string, TaskDef>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Definitions changed: forget the cached members. */
  definitionsChanged(): void {
    this.members.clear();
  }

  private membersOf(group: string, instance: string): Map<string, TaskDef> {
    const key = `${instance}/${group}`;
    let m = this.members.get(key);
    if (!m) this.members.set(key, (m = new Map(this.store.defs.membersOf(group, instance).map((t) => [t.name, t]))));
    return m;
  }

  /** Re-examine every open cycle (at start-up and after outside changes). */
  markAll(): void {
    for (const g of this.store.groupRuns.inStates(['ACTIVE', 'RUNNING'])) this.dirty.add(g.id);
  }

  /** A member run changed: its cycle may move on. */
  markRun(run: Pick<RunRow, 'group_run_id'>): void {
    if (run.group_run_id !== null) this.dirty.add(run.group_run_id);
  }

  mark(groupRunId: number): void {
    this.dirty.add(groupRunId);
  }

  /** Members triggered in the current advance() call may not exceed this (see advance). */
  private budget = Infinity;

  /**
   * Advance every marked cycle until nothing more changes, or until `budget` members were
   * triggered: a wide fan-out then continues on the next call, so the agent can start the first
   * members without waiting for hundreds of transitions. Returns true when work is left.
   */
  advance(budget = Infinity): boolean {
    this.budget = budget;
    while (this.dirty.size && this.budget > 0) {
      const [id] = this.dirty;
      this.dirty.delete(id!);
      const ended = this.store.tx(() => this.advanceOne(id!));
      // A cycle that ended may be what a waiting group depends on.
      if (ended) for (const g of this.store.groupRuns.inStates(['ACTIVE'])) this.dirty.add(g.id);
    }
    return this.dirty.size > 0;
  }

  private groupDef(g: GroupRunRow): GroupDef | undefined {
    const d = this.store.defs.byExtId('group', g.gid, g.instance)?.definition;
    return d?.kind === 'group' ? d.def : undefined;
  }

  /** Returns true when the cycle reached a final state. */
  private advanceOne(id: number): boolean {
    const g = this.store.groupRuns.get(id);
    if (!g) return false;
    if (g.state === 'ACTIVE') return this.startWhenReady(g);
    if (g.state === 'RUNNING') return this.advanceMembers(g);
    return false;
  }

  /** A cycle waits until the groups it depends on, for the same business date, satisfy it. */
  private startWhenReady(g: GroupRunRow): boolean {
    const def = this.groupDef(g);
    const expr = exprOf(def?.dependency);
    const now = this.clock.now();
    if (expr && g.origin !== 'force') {
      const v = evaluate(expr, (letter, name) => atomTruth(letter, this.store.groupRuns.forDate(name, g.instance, g.business_date ?? '')?.state as Seen | undefined));
      if (v === undefined) return false;
      if (v === false) {
        this.store.groupRuns.transition(g.id, 'group_run.skipped', 'SKIPPED', { reason: 'dependency', ended_at: now }, { dependency: def?.dependency });
        return true;
      }
    }
    this.store.groupRuns.transition(g.id, 'group_run.started', 'RUNNING', { started_at: now });
    for (const m of this.membersOf(g.group_name, g.instance).values()) {
      if (!m.active) continue;
      this.store.runs.create({
        task_id: m.tid, task_name: m.name, instance: m.instance, slot: g.slot, origin: 'group',
        max_attempts: 1 + m.retry_attempts, queue: m.run_on_host, business_date: g.business_date ?? undefined, group_run_id: g.id,
      });
    }
    return this.advanceMembers({ ...g, state: 'RUNNING' });
  }

  /** Trigger members whose expression holds, skip those whose can no longer hold, end the cycle when all are final. */
  private advanceMembers(g: GroupRunRow): boolean {
    const now = this.clock.now();
    const runs = sql(this.store.db, 'SELECT * FROM runs WHERE group_run_id = ? ORDER BY id').all(g.id) as RunRow[];
    const members = this.membersOf(g.group_name, g.instance);
    const seen = new Map<string, Seen>([...members.keys()].map((name) => [name, 'IDLE']));
    for (const r of runs) seen.set(r.task_name, r.state);
    let changed = true;
    while (changed) {
      changed = false;
      for (const r of runs) {
        if (seen.get(r.task_name) !== 'ACTIVE') continue;
        const task = members.get(r.task_name);
        const expr = exprOf(task?.dependency);
        const v = expr ? evaluate(expr, (letter, name) => atomTruth(letter, seen.get(name))) : true;
        if (v === undefined) continue;
        if (v && this.budget <= 0) {
          this.dirty.add(g.id); // the rest of this fan-out triggers on the next call
          return false;
        }
        if (v && isFrozen(this.store, r)) {
          seen.set(r.task_name, this.store.runs.transitionInTx({ runId: r.id, event: 'run.frozen', to: 'FROZEN', data: { date: r.business_date } }).state);
          continue;
        }
        if (v) this.budget--;
        const next = v
          ? this.store.runs.transitionInTx({ runId: r.id, event: 'run.triggered', to: 'TRIGGER', patch: triggerPatch(task, now) })
          : this.store.runs.transitionInTx({ runId: r.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'dependency', ended_at: now }, data: { dependency: task?.dependency } });
        seen.set(r.task_name, next.state);
        changed = true;
      }
    }
    const states = runs.map((r) => seen.get(r.task_name)!);
    if (!states.every((s) => FINAL_STATES.includes(s as RunState))) return false;
    const failed = runs.filter((r) => !['SUCCESS', 'SKIPPED'].includes(seen.get(r.task_name)!)).map((r) => r.task_name);
    if (failed.length) this.store.groupRuns.transition(g.id, 'group_run.failed', 'FAILED', { ended_at: now }, { failed });
    else this.store.groupRuns.transition(g.id, 'group_run.succeeded', 'SUCCESS', { ended_at: now }, { members: runs.length });
    return true;
  }

  /**
   * After modify-status changed a member's final state: members skipped for their dependency whose
   * expression may hold again wait once more (run.released), and a finished cycle reopens.
   */
  release(groupRunId: number): number[] {
    const g = this.store.groupRuns.get(groupRunId);
    if (!g || (g.state !== 'RUNNING' && g.state !== 'SUCCESS' && g.state !== 'FAILED')) return [];
    const runs = sql(this.store.db, 'SELECT * FROM runs WHERE group_run_id = ? ORDER BY id').all(g.id) as RunRow[];
    const seen = new Map<string, Seen>(runs.map((r) => [r.task_name, r.state]));
    const released: number[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of runs) {
        if (seen.get(r.task_name) !== 'SKIPPED' || r.reason !== 'dependency' || released.includes(r.id)) continue;
        const task = this.store.defs.byExtId('task', r.task_id, r.instance)?.definition.def as TaskDef | undefined;
        const expr = exprOf(task?.dependency);
        if (!expr || evaluate(expr, (letter, name) => atomTruth(letter, seen.get(name))) === false) continue;
        released.push(r.id);
        seen.set(r.task_name, 'ACTIVE');
        changed = true;
      }
    }
    if (released.length === 0 && g.state === 'RUNNING') return [];
    if (g.state !== 'RUNNING') this.store.groupRuns.transition(g.id, 'group_run.reopened', 'RUNNING', { ended_at: null }, { released });
    for (const id of released) this.store.runs.transitionInTx({ runId: id, event: 'run.released', to: 'ACTIVE', patch: { reason: null, ended_at: null }, data: { by: 'modify-status' } });
    this.dirty.add(g.id);
    return released;
  }
}

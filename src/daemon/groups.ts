// Group workflows: a cycle starts one run per active member and advances as member runs change.
import type { Clock } from '../core/clock.js';
import { atomsOf, evaluate, parseDependency, type Expr, type Truth } from '../core/dependency.js';
import { FINAL_STATES, isFinal, STATE_LETTERS, type RunState } from '../core/states.js';
import type { TaskDef } from '../core/task.js';
import type { GroupRunRow, RunRow, Store, TransitionRequest } from '../store/index.js';
import type { DefinitionCache } from './definition-cache.js';
import { isFrozen, movedMeanwhile, triggerPatch } from './trigger.js';

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

/** A group's members and the graph their expressions make, read once per definition change. */
interface Shape {
  members: Map<string, TaskDef>;
  /** Member name → the members whose expression names it. */
  dependants: Map<string, string[]>;
  /** Member name → the members its expression names. */
  upstream: Map<string, string[]>;
  /** Members some expression asks about in a state the agent sets (`D:x`, `R:x`, …): their claim and start matter too. */
  watchedLive: Set<string>;
}

/** Letters of states a member enters or leaves by the agent's hand, not the engine's. */
const LIVE_LETTERS = new Set(['Z', 'D', 'R', 'G']);

function shapeOf(members: readonly TaskDef[]): Shape {
  const shape: Shape = { members: new Map(members.map((t) => [t.name, t])), dependants: new Map(), upstream: new Map(), watchedLive: new Set() };
  for (const task of members) {
    const expr = exprOf(task.dependency);
    if (!expr) continue;
    const atoms = atomsOf(expr);
    for (const a of atoms) if (LIVE_LETTERS.has(a.letter)) shape.watchedLive.add(a.name);
    const names = [...new Set(atoms.map((a) => a.name))];
    shape.upstream.set(task.name, names);
    for (const upstream of names) {
      const list = shape.dependants.get(upstream);
      if (list) list.push(task.name);
      else shape.dependants.set(upstream, [task.name]);
    }
  }
  return shape;
}

/** What the engine keeps of an open cycle between passes, so a transition costs its dependants only. */
interface Cycle {
  shape: Shape;
  /** Member name → state; members without a run (inactive) are IDLE. */
  seen: Map<string, Seen>;
  /** Member name → its run in this cycle. */
  runs: Map<string, RunRow>;
  /** Run id → member name. */
  names: Map<number, string>;
  /** Member runs not yet final. */
  open: number;
  /** Members to evaluate on the next pass (ACTIVE ones whose upstream changed), in order. */
  queue: Set<string>;
  /** Member runs another part of the daemon moved on (an attempt ended, a trigger expired). */
  changed: Set<number>;
}

const isFinalSeen = (s: Seen | undefined): boolean => s !== undefined && s !== 'IDLE' && isFinal(s);

/** Which of a cycle's skipped members modify-status releases, and whether the finished cycle reopens. */
export interface ReleasePlan {
  groupRunId: number;
  runs: number[];
  reopen: boolean;
}

export class GroupEngine {
  private readonly dirty = new Set<number>();
  /** Each group's members and their graph, read once per definition change rather than on every transition. */
  private readonly shapes = new Map<string, Shape>();
  /** Open cycles as last seen; rebuilt from the store after any change the engine did not see. */
  private readonly cycles = new Map<number, Cycle>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly defs: DefinitionCache,
  ) {}

  /** Definitions changed: forget the cached members and cycles. */
  definitionsChanged(): void {
    this.shapes.clear();
    this.cycles.clear();
  }

  private shapeOf(group: string, instance: string): Shape {
    const key = `${instance}/${group}`;
    let shape = this.shapes.get(key);
    if (!shape) this.shapes.set(key, (shape = shapeOf(this.defs.membersOf(group, instance))));
    return shape;
  }

  /** Examine every open cycle from the store (at start-up). */
  async markAll(): Promise<void> {
    this.cycles.clear();
    for (const g of await this.store.groupRuns.inStates(['ACTIVE', 'RUNNING'])) this.dirty.add(g.id);
  }

  /** A member run changed: its cycle may move on. */
  markRun(run: Pick<RunRow, 'id' | 'group_run_id'>): void {
    if (run.group_run_id === null) return;
    this.dirty.add(run.group_run_id);
    this.cycles.get(run.group_run_id)?.changed.add(run.id);
  }

  /**
   * A member run was claimed (STARTED) or its process started (RUNNING): states the agent sets
   * without the engine. The cycle notes it; returns true when an expression asks for the member in
   * such a state (`D:x`, `R:x`, `Z:x`, `G:x`), so the caller wakes the loop only then.
   */
  markLive(run: Pick<RunRow, 'id' | 'group_run_id' | 'task_name'>): boolean {
    if (run.group_run_id === null) return false;
    const c = this.cycles.get(run.group_run_id);
    c?.changed.add(run.id);
    if (c && !c.shape.watchedLive.has(run.task_name)) return false;
    this.dirty.add(run.group_run_id);
    return true;
  }

  /** Examine one cycle from the store again (a new cycle, or one changed by a command). */
  mark(groupRunId: number): void {
    this.cycles.delete(groupRunId);
    this.dirty.add(groupRunId);
  }

  /** Members triggered in the current advance() call may not exceed this (see advance). */
  private budget = Infinity;
  /** Cycles whose triggers the budget cut off: marked again when advance() returns. */
  private readonly deferred = new Set<number>();

  /**
   * Advance every marked cycle until nothing more changes. At most `budget` members are triggered:
   * a wide fan-out continues on the next call, so the agent can start the first members without
   * waiting for hundreds of transitions. Skips and ends are not held back by the budget. Returns
   * true when triggers are left for the next call.
   */
  async advance(budget = Infinity): Promise<boolean> {
    this.budget = budget;
    while (this.dirty.size) {
      const [id] = this.dirty;
      this.dirty.delete(id!);
      let ended: boolean;
      try {
        ended = await this.advanceOne(id!);
      } catch (err) {
        this.cycles.delete(id!); // what it holds may not be what the store has
        this.dirty.add(id!); // and it is looked at again next time
        for (const d of this.deferred) this.dirty.add(d);
        this.deferred.clear();
        throw err;
      }
      // A cycle that ended may be what a waiting group depends on.
      if (ended) for (const g of await this.store.groupRuns.inStates(['ACTIVE'])) this.dirty.add(g.id);
    }
    for (const d of this.deferred) this.dirty.add(d);
    this.deferred.clear();
    return this.dirty.size > 0;
  }

  /** Returns true when the cycle reached a final state. */
  private async advanceOne(id: number): Promise<boolean> {
    const g = await this.store.groupRuns.get(id);
    if (!g || (g.state !== 'ACTIVE' && g.state !== 'RUNNING')) {
      this.cycles.delete(id);
      return false;
    }
    if (g.state === 'ACTIVE') return this.startWhenReady(g);
    return this.advanceMembers(g);
  }

  /** A cycle waits until the groups it depends on, for the same business date, satisfy it. */
  private async startWhenReady(g: GroupRunRow): Promise<boolean> {
    const def = this.defs.groupById(g.gid, g.instance);
    const expr = exprOf(def?.dependency);
    const now = this.clock.now();
    if (expr && g.origin !== 'force') {
      const seen = new Map<string, Seen | undefined>();
      for (const { name } of atomsOf(expr)) {
        if (!seen.has(name)) seen.set(name, (await this.store.groupRuns.forDate(name, g.instance, g.business_date ?? ''))?.state as Seen | undefined);
      }
      const v = evaluate(expr, (letter, name) => atomTruth(letter, seen.get(name)));
      if (v === undefined) return false;
      if (v === false) {
        await this.store.groupRuns.transition(g.id, 'group_run.skipped', 'SKIPPED', { reason: 'dependency', ended_at: now }, { dependency: def?.dependency });
        return true;
      }
    }
    const members = [...this.shapeOf(g.group_name, g.instance).members.values()].filter((m) => m.active);
    await this.store.groupRuns.start(
      g.id,
      members.map((m) => ({
        task_id: m.tid, task_name: m.name, instance: m.instance, slot: g.slot, origin: 'group' as const,
        max_attempts: 1 + m.retry_attempts, queue: m.run_on_host, business_date: g.business_date ?? undefined, group_run_id: g.id,
      })),
      now,
    );
    this.cycles.delete(g.id);
    return this.advanceMembers({ ...g, state: 'RUNNING' });
  }

  /** The cycle as the store has it: every member run, and every ACTIVE one queued for evaluation. */
  private async load(g: GroupRunRow): Promise<Cycle> {
    const runs = await this.store.runs.ofGroupRun(g.id);
    const shape = this.shapeOf(g.group_name, g.instance);
    const c: Cycle = { shape, seen: new Map(), runs: new Map(), names: new Map(), open: 0, queue: new Set(), changed: new Set() };
    for (const name of shape.members.keys()) c.seen.set(name, 'IDLE');
    for (const r of runs) {
      c.seen.set(r.task_name, r.state);
      c.runs.set(r.task_name, r);
      c.names.set(r.id, r.task_name);
      if (!isFinalSeen(r.state)) c.open++;
      if (r.state === 'ACTIVE') c.queue.add(r.task_name);
    }
    this.cycles.set(g.id, c);
    return c;
  }

  /** Read a member run's state from the store into the cycle; false when the run is gone. */
  private async refresh(c: Cycle, name: string, id: number): Promise<boolean> {
    const row = await this.store.runs.get(id);
    if (!row) return false;
    this.setState(c, name, row.state);
    return true;
  }

  /** Record a member's new state and queue the members that depend on it. */
  private setState(c: Cycle, name: string, state: Seen): void {
    const before = c.seen.get(name);
    if (before === state) return;
    c.seen.set(name, state);
    if (isFinalSeen(before) !== isFinalSeen(state)) c.open += isFinalSeen(state) ? -1 : 1;
    for (const d of c.shape.dependants.get(name) ?? []) if (c.seen.get(d) === 'ACTIVE' && c.runs.has(d)) c.queue.add(d);
  }

  /**
   * Trigger members whose expression holds, skip those whose can no longer hold, end the cycle when
   * all are final. Only members whose upstream changed since the last pass are evaluated. The moves
   * are decided in memory and written together, each its own unit; a member another writer moved
   * meanwhile makes the cycle be read again.
   */
  private async advanceMembers(g: GroupRunRow): Promise<boolean> {
    const now = this.clock.now();
    const c = this.cycles.get(g.id) ?? (await this.load(g));
    for (const id of c.changed) {
      const name = c.names.get(id);
      if (name === undefined || !(await this.refresh(c, name, id))) {
        this.cycles.delete(g.id); // not a run this cycle knows: read it again
        return this.advanceMembers(g);
      }
    }
    c.changed.clear();
    const { members } = c.shape;
    const moves: TransitionRequest[] = [];
    let cut = false;
    for (const name of c.queue) {
      if (c.seen.get(name) !== 'ACTIVE') {
        c.queue.delete(name);
        continue;
      }
      // An upstream member the agent may have moved since (claimed, started, retried) is read again.
      for (const u of c.shape.upstream.get(name) ?? []) {
        const run = c.runs.get(u);
        if (run && !isFinalSeen(c.seen.get(u)) && !moves.some((m) => m.runId === run.id)) await this.refresh(c, u, run.id);
      }
      const r = c.runs.get(name)!;
      const task = members.get(name);
      const expr = exprOf(task?.dependency);
      const v = expr ? evaluate(expr, (letter, atom) => atomTruth(letter, c.seen.get(atom))) : true;
      if (v === undefined) {
        c.queue.delete(name);
        continue;
      }
      if (v && this.budget <= 0) {
        cut = true; // it triggers on the next call; skips further on still happen now
        continue;
      }
      c.queue.delete(name);
      let move: TransitionRequest;
      if (v && (await isFrozen(this.store, r))) move = { runId: r.id, event: 'run.frozen', to: 'FROZEN', data: { date: r.business_date } };
      else if (v) {
        move = { runId: r.id, event: 'run.triggered', to: 'TRIGGER', patch: triggerPatch(task, now) };
        this.budget--;
      } else move = { runId: r.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'dependency', ended_at: now }, data: { dependency: task?.dependency } };
      moves.push(move);
      this.setState(c, name, move.to);
    }
    const outcomes = await this.store.runs.transitionEach(moves);
    const refused = outcomes.find((o) => !o.ok);
    if (refused && !refused.ok) {
      if (!movedMeanwhile(refused.error)) throw refused.error;
      // Another writer moved a member meanwhile: read the cycle again on the next pass.
      this.cycles.delete(g.id);
      this.deferred.add(g.id);
      return false;
    }
    if (cut) this.deferred.add(g.id);
    if (c.open > 0) return false;
    this.cycles.delete(g.id);
    const failed = [...c.runs.keys()].filter((name) => !['SUCCESS', 'SKIPPED'].includes(c.seen.get(name)!));
    if (failed.length) await this.store.groupRuns.transition(g.id, 'group_run.failed', 'FAILED', { ended_at: now }, { failed });
    else await this.store.groupRuns.transition(g.id, 'group_run.succeeded', 'SUCCESS', { ended_at: now }, { members: c.runs.size });
    return true;
  }

  /**
   * modify-status is about to give member `runId` the final state `to`: members skipped for their
   * dependency whose expression may hold again wait once more (run.released), and a finished cycle
   * reopens. Undefined when nothing would change.
   */
  async releasePlan(groupRunId: number, runId: number, to: RunState): Promise<ReleasePlan | undefined> {
    const g = await this.store.groupRuns.get(groupRunId);
    if (!g || (g.state !== 'RUNNING' && g.state !== 'SUCCESS' && g.state !== 'FAILED')) return undefined;
    const runs = await this.store.runs.ofGroupRun(g.id);
    const seen = new Map<string, Seen>(runs.map((r) => [r.task_name, r.id === runId ? to : r.state]));
    const released: number[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      for (const r of runs) {
        if (seen.get(r.task_name) !== 'SKIPPED' || r.reason !== 'dependency' || released.includes(r.id)) continue;
        const task = this.defs.taskOf(r)?.task;
        const expr = exprOf(task?.dependency);
        if (!expr || evaluate(expr, (letter, name) => atomTruth(letter, seen.get(name))) === false) continue;
        released.push(r.id);
        seen.set(r.task_name, 'ACTIVE');
        changed = true;
      }
    }
    if (released.length === 0 && g.state === 'RUNNING') return undefined;
    return { groupRunId: g.id, runs: released, reopen: g.state !== 'RUNNING' };
  }
}

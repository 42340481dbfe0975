// The group engine keeps each open cycle in memory and re-evaluates only the dependants of a member
// that changed. Checked here against the rules evaluated directly: for random dependency graphs and
// outcomes, any order of member ends, any per-pass budget and any number of rebuilds from the store
// reach the same member states and cycle state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { evaluate, parseDependency } from '../../../src/core/dependency.js';
import { atomTruth, GroupEngine } from '../../../src/daemon/groups.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import { emptyCalendars } from '../../../src/schedule/index.js';
import { Store, type RunRow } from '../../../src/store/index.js';
import { insertGroup, insertTask } from '../../helpers/defs.js';
import { tempHome } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);
const HOUR = 3_600_000;

interface Member {
  name: string;
  active: boolean;
  succeeds: boolean;
  dependency?: string;
}

/** Letters of final states (whose truth cannot flip back once decided). */
const FINAL_LETTERS = ['S', 'F', 'K', 'P'];

/** A random expression over earlier members, with the given state letters. */
function exprOver(names: string[], depth: number, letters = FINAL_LETTERS): fc.Arbitrary<string> {
  const atom = fc.tuple(fc.constantFrom(...letters), fc.constantFrom(...names)).map(([l, n]) => `${l}:${n}`);
  if (depth === 0) return atom;
  const sub = exprOver(names, depth - 1, letters);
  return fc.oneof(
    { weight: 3, arbitrary: atom },
    { weight: 1, arbitrary: sub.map((e) => `not (${e})`) },
    { weight: 2, arbitrary: fc.tuple(sub, fc.constantFrom('and', 'or'), sub).map(([l, op, r]) => `(${l} ${op} ${r})`) },
  );
}

const graph: fc.Arbitrary<Member[]> = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) => {
      const earlier = Array.from({ length: i }, (_, j) => `m${j}`);
      return fc.record({
        name: fc.constant(`m${i}`),
        active: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        succeeds: fc.boolean(),
        dependency: i === 0 ? fc.constant(undefined) : fc.option(exprOver(earlier, 2), { nil: undefined, freq: 4 }),
      });
    }),
  ),
);

/** Where every member must end: evaluated in order, each with its upstream already final. */
function expected(members: Member[]): { states: Record<string, string>; cycle: string } {
  const states: Record<string, string> = {};
  for (const m of members) {
    if (!m.active) continue;
    const parsed = m.dependency ? parseDependency(m.dependency) : undefined;
    if (parsed && !parsed.ok) throw new Error(parsed.message);
    const v = parsed?.ok ? evaluate(parsed.expr, (letter, name) => atomTruth(letter, (states[name] ?? 'IDLE') as never)) : true;
    if (v === undefined) throw new Error(`undecided with every upstream final: ${m.dependency}`);
    states[m.name] = v ? (m.succeeds ? 'SUCCESS' : 'FAILED') : 'SKIPPED';
  }
  const cycle = Object.values(states).every((s) => s === 'SUCCESS' || s === 'SKIPPED') ? 'SUCCESS' : 'FAILED';
  return { states, cycle };
}

describe('group engine: incremental evaluation matches the rules', () => {
  it('any order of ends, any budget, any rebuild: same member and cycle states', () => {
    fc.assert(
      fc.property(graph, fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.array(fc.constantFrom(1, 2, Infinity), { minLength: 1, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (members, picks, budgets, rebuilds) => {
        const clock = new FakeClock(T0);
        const store = Store.open(tempHome(), clock);
        try {
          const scheduler = new Scheduler(store, clock, emptyCalendars, { warn: () => undefined });
          const engine = new GroupEngine(store, clock);
          insertGroup(store, { name: 'g', trigger_times: '07:00' });
          for (const m of members) insertTask(store, { name: m.name, task_group: 'g', active: m.active, dependency: m.dependency, timezone: undefined });
          clock.advance(HOUR);
          scheduler.load();
          scheduler.tick();
          for (const id of scheduler.newGroupRuns.splice(0)) engine.mark(id);
          const run = (name: string) => store.db.prepare('SELECT id, state, group_run_id FROM runs WHERE task_name = ?').get(name) as { id: number; state: string; group_run_id: number };
          let step = 0;
          for (let more = engine.advance(budgets[0]); ; step++) {
            if (step > 200) throw new Error('the cycle does not end');
            const triggered = members.filter((m) => run(m.name)?.state === 'TRIGGER');
            if (triggered.length === 0 && !more) break;
            if (triggered.length) {
              const m = triggered[picks[step % picks.length]! % triggered.length]!;
              const r = run(m.name);
              store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1 } });
              store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
              store.runs.transition(m.succeeds ? { runId: r.id, event: 'run.succeeded', to: 'SUCCESS' } : { runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
              engine.markRun(r);
            }
            if (rebuilds[step % rebuilds.length]) engine.markAll();
            more = engine.advance(budgets[step % budgets.length]);
          }
          const want = expected(members);
          const got = Object.fromEntries(members.filter((m) => m.active).map((m) => [m.name, run(m.name).state]));
          expect(got).toEqual(want.states);
          const cycle = store.db.prepare("SELECT state FROM group_runs WHERE group_name = 'g'").get() as { state: string };
          expect(cycle.state).toBe(want.cycle);
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** The second property adds ACTIVE and the states the agent sets. */
const LIVE_LETTERS = [...FINAL_LETTERS, 'A', 'Z', 'D', 'R', 'G'];

interface LiveMember {
  name: string;
  /** Outcome of each attempt: a failure with an attempt left becomes a retry (RESTARTING). */
  outcomes: boolean[];
  dependency?: string;
}

const liveGraph: fc.Arbitrary<LiveMember[]> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) => {
      const earlier = Array.from({ length: i }, (_, j) => `m${j}`);
      return fc.record({
        name: fc.constant(`m${i}`),
        outcomes: fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
        dependency: i === 0 ? fc.constant(undefined) : fc.option(exprOver(earlier, 2, LIVE_LETTERS), { nil: undefined, freq: 4 }),
      });
    }),
  ),
);

describe('group engine: decisions match the store at every step, with the agent moving runs', () => {
  it('a member triggers only when its expression holds, is skipped only when it cannot, and none is left undecided', () => {
    fc.assert(
      fc.property(liveGraph, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.constantFrom(1, 2, Infinity), (members, picks, budget) => {
        const clock = new FakeClock(T0);
        const store = Store.open(tempHome(), clock);
        try {
          const scheduler = new Scheduler(store, clock, emptyCalendars, { warn: () => undefined });
          const engine = new GroupEngine(store, clock);
          insertGroup(store, { name: 'g', trigger_times: '07:00' });
          for (const m of members) insertTask(store, { name: m.name, task_group: 'g', dependency: m.dependency, retry_attempts: m.outcomes.length - 1, timezone: undefined });
          const exprs = new Map(members.map((m) => [m.name, m.dependency ? parseDependency(m.dependency) : undefined]));
          const storeStates = (): Map<string, string> => new Map((store.db.prepare('SELECT task_name, state FROM runs').all() as { task_name: string; state: string }[]).map((r) => [r.task_name, r.state]));
          const truth = (name: string, states = storeStates()) => {
            const p = exprs.get(name);
            if (!p) return true;
            if (!p.ok) throw new Error(p.message);
            return evaluate(p.expr, (letter, atom) => atomTruth(letter, (states.get(atom) ?? 'IDLE') as never));
          };
          // Every decision the engine makes is checked against the store as it is at that moment.
          const transition = store.runs.transitionInTx.bind(store.runs);
          store.runs.transitionInTx = (req) => {
            const row = store.db.prepare('SELECT task_name FROM runs WHERE id = ?').get(req.runId) as { task_name: string };
            if (req.event === 'run.triggered') expect(truth(row.task_name), `${row.task_name} triggered`).toBe(true);
            if (req.event === 'run.skipped' && req.patch?.reason === 'dependency') expect(truth(row.task_name), `${row.task_name} skipped`).toBe(false);
            return transition(req);
          };
          const advanceAll = () => {
            while (engine.advance(budget));
          };
          clock.advance(HOUR);
          scheduler.load();
          scheduler.tick();
          for (const id of scheduler.newGroupRuns.splice(0)) engine.mark(id);
          advanceAll();
          const attempts = new Map<string, number>();
          for (let step = 0; ; step++) {
            if (step > 300) throw new Error('the cycle does not end');
            // Nothing the engine was told about is left undecided.
            const states = storeStates();
            for (const [name, state] of states) if (state === 'ACTIVE') expect(truth(name, states), `${name} left ACTIVE`).toBeUndefined();
            const movable = (store.db.prepare("SELECT * FROM runs WHERE state IN ('TRIGGER', 'RESTARTING', 'STARTED', 'RUNNING') ORDER BY id").all() as RunRow[]);
            if (movable.length === 0) break;
            const r = movable[picks[step % picks.length]! % movable.length]!;
            // Play the agent, telling the engine what the daemon tells it.
            if (r.state === 'TRIGGER' || r.state === 'RESTARTING') {
              const moved = store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: r.attempt + 1 } });
              if (engine.markLive(moved)) advanceAll();
            } else if (r.state === 'STARTED') {
              const moved = store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
              if (engine.markLive(moved)) advanceAll();
            } else {
              const m = members.find((x) => x.name === r.task_name)!;
              const n = (attempts.get(m.name) ?? 0) + 1;
              attempts.set(m.name, n);
              const ok = m.outcomes[n - 1]!;
              if (ok) store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
              else if (n < m.outcomes.length) store.runs.transition({ runId: r.id, event: 'run.retrying', to: 'RESTARTING', patch: { reason: 'exit_code', exit_code: 1, due_at: clock.now() } });
              else store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
              engine.markRun(r);
              advanceAll();
            }
          }
          const finalStates = [...storeStates().values()];
          const cycle = store.db.prepare("SELECT state FROM group_runs WHERE group_name = 'g'").get() as { state: string };
          expect(cycle.state).toBe(finalStates.every((s) => s === 'SUCCESS' || s === 'SKIPPED') ? 'SUCCESS' : 'FAILED');
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

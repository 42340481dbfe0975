// The group engine keeps each open cycle in memory and re-evaluates only the dependants of a member
// that changed. Checked here against the rules evaluated directly: for random dependency graphs and
// outcomes, any order of member ends, any per-pass budget and any number of rebuilds from the store
// reach the same member states and cycle state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { evaluate, parseDependency } from '../../../src/core/dependency.js';
import { atomTruth, GroupEngine } from '../../../src/daemon/groups.js';
import { DefinitionCache } from '../../../src/daemon/definition-cache.js';
import { Scheduler } from '../../../src/daemon/scheduler.js';
import { emptyCalendars } from '../../../src/schedule/index.js';
import { openStore, type RunRow, type Store, type TransitionRequest } from '../../../src/store/index.js';
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

/** A store on a fresh home, with the group 'g' and its members defined, and the engine and scheduler the daemon would have. */
async function groupWith(clock: FakeClock, members: readonly { name: string; active?: boolean; dependency?: string; retry_attempts?: number }[]) {
  const store = await openStore(tempHome(), clock);
  const defs = new DefinitionCache(store, 'UTC');
  const scheduler = new Scheduler(store, defs, clock, emptyCalendars, { warn: () => undefined });
  const engine = new GroupEngine(store, clock, defs);
  await insertGroup(store, { name: 'g', trigger_times: '07:00' });
  for (const m of members) await insertTask(store, { ...m, task_group: 'g', timezone: undefined });
  await defs.load();
  return { store, scheduler, engine };
}

/** The cycle's slot has come: it is recorded, and the engine told of it (as the daemon's pass does). */
async function fire(clock: FakeClock, scheduler: Scheduler, engine: GroupEngine) {
  clock.advance(HOUR);
  await scheduler.load();
  for (const c of (await scheduler.tick()).cycles) engine.mark(c.id);
}

/** Every run by task name (there is one cycle, so one run per member). */
const runsByName = async (store: Store) => new Map((await store.runs.list()).map((r) => [r.task_name, r]));
const cycleState = async (store: Store) => (await store.groupRuns.recent('g', 'default', 1))[0]!.state;

describe('group engine: incremental evaluation matches the rules', () => {
  it('any order of ends, any budget, any rebuild: same member and cycle states', async () => {
    await fc.assert(
      fc.asyncProperty(graph, fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.array(fc.constantFrom(1, 2, Infinity), { minLength: 1, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (members, picks, budgets, rebuilds) => {
        const clock = new FakeClock(T0);
        const { store, scheduler, engine } = await groupWith(clock, members);
        try {
          await fire(clock, scheduler, engine);
          let step = 0;
          for (let more = await engine.advance(budgets[0]); ; step++) {
            if (step > 200) throw new Error('the cycle does not end');
            const runs = await runsByName(store);
            const triggered = members.filter((m) => runs.get(m.name)?.state === 'TRIGGER');
            if (triggered.length === 0 && !more) break;
            if (triggered.length) {
              const m = triggered[picks[step % picks.length]! % triggered.length]!;
              const r = runs.get(m.name)!;
              await store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1 } });
              await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
              await store.runs.transition(m.succeeds ? { runId: r.id, event: 'run.succeeded', to: 'SUCCESS' } : { runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
              engine.markRun(r);
            }
            if (rebuilds[step % rebuilds.length]) await engine.markAll();
            more = await engine.advance(budgets[step % budgets.length]);
          }
          const want = expected(members);
          const runs = await runsByName(store);
          const got = Object.fromEntries(members.filter((m) => m.active).map((m) => [m.name, runs.get(m.name)!.state]));
          expect(got).toEqual(want.states);
          expect(await cycleState(store)).toBe(want.cycle);
        } finally {
          await store.close();
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
  it('a member triggers only when its expression holds, is skipped only when it cannot, and none is left undecided', async () => {
    await fc.assert(
      fc.asyncProperty(liveGraph, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.constantFrom(1, 2, Infinity), async (members, picks, budget) => {
        const clock = new FakeClock(T0);
        const { store, scheduler, engine } = await groupWith(clock, members.map((m) => ({ name: m.name, dependency: m.dependency, retry_attempts: m.outcomes.length - 1 })));
        try {
          const exprs = new Map(members.map((m) => [m.name, m.dependency ? parseDependency(m.dependency) : undefined]));
          const storeStates = async (): Promise<Map<string, string>> => new Map([...(await runsByName(store))].map(([name, r]) => [name, r.state]));
          const truth = (name: string, states: Map<string, string>) => {
            const p = exprs.get(name);
            if (!p) return true;
            if (!p.ok) throw new Error(p.message);
            return evaluate(p.expr, (letter, atom) => atomTruth(letter, (states.get(atom) ?? 'IDLE') as never));
          };
          // Every decision the engine makes is checked against the store as it is at that moment: the
          // moves of one pass are written together, each its own unit in order, so each is checked
          // with the moves before it in the batch applied.
          const transitionEach = store.runs.transitionEach.bind(store.runs);
          store.runs.transitionEach = async (reqs: readonly TransitionRequest[]) => {
            const runs = await store.runs.list();
            const nameOf = new Map(runs.map((r) => [r.id, r.task_name]));
            const states = new Map(runs.map((r) => [r.task_name, r.state as string]));
            for (const req of reqs) {
              const name = nameOf.get(req.runId)!;
              if (req.event === 'run.triggered') expect(truth(name, states), `${name} triggered`).toBe(true);
              if (req.event === 'run.skipped' && req.patch?.reason === 'dependency') expect(truth(name, states), `${name} skipped`).toBe(false);
              states.set(name, req.to);
            }
            return transitionEach(reqs);
          };
          const advanceAll = async () => {
            while (await engine.advance(budget));
          };
          await fire(clock, scheduler, engine);
          await advanceAll();
          const attempts = new Map<string, number>();
          for (let step = 0; ; step++) {
            if (step > 300) throw new Error('the cycle does not end');
            // Nothing the engine was told about is left undecided.
            const states = await storeStates();
            for (const [name, state] of states) if (state === 'ACTIVE') expect(truth(name, states), `${name} left ACTIVE`).toBeUndefined();
            const movable: RunRow[] = (await store.runs.inStates(['TRIGGER', 'RESTARTING', 'STARTED', 'RUNNING'])).sort((a, b) => a.id - b.id);
            if (movable.length === 0) break;
            const r = movable[picks[step % picks.length]! % movable.length]!;
            // Play the agent, telling the engine what the daemon tells it.
            if (r.state === 'TRIGGER' || r.state === 'RESTARTING') {
              const moved = await store.runs.transition({ runId: r.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: r.attempt + 1 } });
              if (engine.markLive(moved)) await advanceAll();
            } else if (r.state === 'STARTED') {
              const moved = await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING' });
              if (engine.markLive(moved)) await advanceAll();
            } else {
              const m = members.find((x) => x.name === r.task_name)!;
              const n = (attempts.get(m.name) ?? 0) + 1;
              attempts.set(m.name, n);
              const ok = m.outcomes[n - 1]!;
              if (ok) await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS' });
              else if (n < m.outcomes.length) await store.runs.transition({ runId: r.id, event: 'run.retrying', to: 'RESTARTING', patch: { reason: 'exit_code', exit_code: 1, due_at: clock.now() } });
              else await store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'exit_code', exit_code: 1 } });
              engine.markRun(r);
              await advanceAll();
            }
          }
          const finalStates = [...(await storeStates()).values()];
          expect(await cycleState(store)).toBe(finalStates.every((s) => s === 'SUCCESS' || s === 'SKIPPED') ? 'SUCCESS' : 'FAILED');
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

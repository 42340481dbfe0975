// The local agent against a real store, with a launcher standing in for the spawners: what it
// records when processes start, and in how many writes.
import { describe, expect, it, vi, type MockInstance } from 'vitest';
import type { AttemptHooks, AttemptResult, AttemptSpec } from '../../../src/attempt/attempt-types.js';
import { beatNow, BEAT_CLEAR_MS } from '../../../src/daemon/lock.js';
import { LocalAgent } from '../../../src/daemon/agent.js';
import { DEFAULTS } from '../../../src/core/defaults.js';
import type { TaskDef } from '../../../src/core/task.js';
import type { RunRow, Store } from '../../../src/store/index.js';
import { insertTask } from '../../helpers/defs.js';
import { tempStore } from '../../helpers/home.js';

/** A launcher whose processes "start" at once (reporting pid 40000 + n) and end when told. */
function fakeLauncher(onStart: (spec: AttemptSpec, hooks: AttemptHooks, pid: number) => void = (_s, h, pid) => h.onSpawn?.(pid, h.clock.now())) {
  const ends: ((r: AttemptResult) => void)[] = [];
  let n = 0;
  const start = (spec: AttemptSpec, hooks: AttemptHooks) => {
    const pid = 40000 + ++n;
    const result = new Promise<AttemptResult>((resolve) => ends.push(resolve));
    onStart(spec, hooks, pid);
    return { pid, result, terminate: () => undefined };
  };
  const out = (path: string) => ({ path, bytes: 0, lines: 0, truncated: false });
  const succeed = (end: (r: AttemptResult) => void) => end({ startedAt: 0, endedAt: 0, durationMs: 1, output: { stdout: out('/dev/null'), stderr: out('/dev/null') }, outcome: 'success', exitCode: 0 });
  /** End every process still running, successfully. */
  const endAll = () => ends.splice(0).forEach(succeed);
  /** End the `i`th of the processes still running, successfully. */
  const end = (i: number) => ends.splice(i, 1).forEach(succeed);
  return { start, endAll, end };
}

async function setup(launcher: ReturnType<typeof fakeLauncher>, taskCount = 3) {
  const { store, clock, home } = await tempStore();
  const tasks = new Map<string, TaskDef>();
  const runs: RunRow[] = [];
  for (let i = 0; i < taskCount; i++) {
    const t = await insertTask(store, { name: `t${i}`, trigger_times: '00:00' });
    tasks.set(t.name, t);
    const run = (await store.runs.create({ task_id: t.tid, task_name: t.name, instance: 'default', slot: clock.now(), origin: 'force', max_attempts: 1, queue: 'localhost' }))!;
    runs.push(await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } }));
  }
  const started: number[] = [];
  const logged: string[] = [];
  const agent = new LocalAgent(store, clock, { task: (r) => ({ task: tasks.get(r.task_name)!, timezone: 'UTC' }) }, {
    home, host: 'test-host', queues: new Set(['localhost']), concurrency: 8, killGraceSeconds: 1,
    start: launcher.start, onStarted: (r) => started.push(r.id), log: (l) => logged.push(l),
  });
  return { store, clock, agent, runs, started, logged };
}

/** The store operations that write, by part: what a store that refuses writes (disk full, locked) refuses. */
const WRITES = {
  attempts: ['accept', 'started', 'ended', 'abandoned'],
  runs: ['create', 'transition', 'transitionEach', 'force', 'modifyStatus'],
  events: ['append', 'appendAll'],
} as const;

/** Every write the store is asked for fails with `error()` while `refusing()` says so (asked once per write); the others go through. */
function refuse(store: Store, error: () => Error, refusing: () => boolean) {
  let writes = 0;
  const spies: MockInstance[] = [];
  for (const [part, names] of Object.entries(WRITES)) {
    const ops = store[part as keyof typeof WRITES] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of names) {
      const real = ops[name]!.bind(ops);
      spies.push(
        vi.spyOn(ops, name).mockImplementation((...args: unknown[]) => {
          writes++;
          return refusing() ? Promise.reject(error()) : real(...args);
        }),
      );
    }
  }
  return { writes: () => writes, restore: () => spies.forEach((s) => s.mockRestore()) };
}

/** The store's next `writes` writes fail as on a locked database; the later ones go through. */
function locked(store: Store, writes: number) {
  let left = writes;
  return refuse(store, () => new Error('database is locked'), () => left-- > 0);
}

/** Turns of the event loop until cond holds. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 10_000 && !(await cond()); i++) await new Promise((r) => setImmediate(r));
}

/** Until the attempts a pump launched have started (preparation is asynchronous) and been recorded. */
const settled = () => new Promise((r) => setTimeout(r, 20));

const stateOf = async (store: Store, id: number) => (await store.runs.get(id))!.state;
const statesOf = (store: Store, runs: readonly RunRow[]) => Promise.all(runs.map((r) => stateOf(store, r.id)));
const typesOf = async (store: Store, id: number) => (await store.events.list({ runId: id })).map((e) => e.type);

describe('recording started processes', () => {
  it('records processes that start in one turn RUNNING in one write', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started } = await setup(launcher);
    const starts = vi.spyOn(store.attempts, 'started');
    await agent.pump(); // accepts the three runs
    expect(await statesOf(store, runs)).toEqual(['STARTED', 'STARTED', 'STARTED']);
    await settled();
    expect(await statesOf(store, runs)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(await Promise.all(runs.map(async (r) => (await store.runs.get(r.id))!.pid))).toEqual([40001, 40002, 40003]);
    // One write for the turn's starts, each run its own unit inside it.
    expect(starts).toHaveBeenCalledTimes(1);
    expect(starts.mock.calls[0]![0].map((p) => ({ runId: p.runId, attempt: p.attempt, pid: p.pid }))).toEqual(runs.map((r, i) => ({ runId: r.id, attempt: 1, pid: 40001 + i })));
    expect(started).toEqual(runs.map((r) => r.id));
    // Each attempt is on record with its process.
    for (const [i, r] of runs.entries()) {
      expect(await store.attempts.startedAt(r.id, 1)).not.toBeNull();
      const ev = (await store.events.list({ runId: r.id, types: ['run.started'] }))[0]!;
      expect(ev).toMatchObject({ attempt: 1, data: { pid: 40001 + i } });
    }
    launcher.endAll();
    await agent.drain();
    expect(await statesOf(store, runs)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('a run moved meanwhile is left out alone; the others are recorded', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started, logged } = await setup(launcher);
    await agent.pump();
    // Another process ends the middle run before its start is recorded.
    await store.runs.transition({ runId: runs[1]!.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'lost', ended_at: 1 } });
    await settled();
    expect(await statesOf(store, runs)).toEqual(['RUNNING', 'FAILED', 'RUNNING']);
    expect(started).toEqual([runs[0]!.id, runs[2]!.id]);
    expect(logged.join('\n')).toContain(`recording the start of run ${runs[1]!.id}`);
    launcher.endAll();
    await agent.drain();
    expect(await stateOf(store, runs[0]!.id)).toBe('SUCCESS');
  });

  it('a start whose write fails (database locked) is recorded with its end: SUCCESS, not a spawn error and a second run', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started, logged } = await setup(launcher, 2);
    await agent.pump();
    // The turn's write fails, and so does the first try when the first process ends: that run's
    // start is then written with its end; the second run's start by the next try.
    const refusal = locked(store, 2);
    await settled();
    expect(await statesOf(store, runs)).toEqual(['STARTED', 'STARTED']);
    expect(logged.filter((l) => l.includes('database is locked'))).toHaveLength(2);
    // Both processes end before the retry, one after the other.
    launcher.end(0);
    await until(async () => (await stateOf(store, runs[0]!.id)) === 'SUCCESS');
    launcher.end(0);
    await agent.drain();
    refusal.restore();
    for (const r of runs) {
      expect(await store.runs.get(r.id)).toMatchObject({ state: 'SUCCESS', attempt: 1, pid: 40001 + runs.indexOf(r), reason: null });
      expect(await typesOf(store, r.id)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    }
    expect(started).toEqual([runs[1]!.id]);
  });

  describe('with the retries on the agent clock', () => {
    it('a start whose write failed is recorded by the retry a second later while the process still runs', async () => {
      const launcher = fakeLauncher();
      const { store, clock, agent, runs, started, logged } = await setup(launcher, 1);
      await agent.pump();
      locked(store, 1);
      await until(() => logged.length === 1); // the start's write failed
      expect(await stateOf(store, runs[0]!.id)).toBe('STARTED');
      await clock.advanceAsync(1000);
      expect(await store.runs.get(runs[0]!.id)).toMatchObject({ state: 'RUNNING', pid: 40001 });
      expect(started).toEqual([runs[0]!.id]);
      launcher.endAll();
      await agent.drain();
      expect(await stateOf(store, runs[0]!.id)).toBe('SUCCESS');
    });

    it('an end that cannot be written either is tried again a second later: SUCCESS, never a spawn error', async () => {
      const launcher = fakeLauncher();
      const { store, clock, agent, runs, logged } = await setup(launcher, 1);
      await agent.pump();
      locked(store, 3); // the turn's write, the retry when the process ends, and the end's own write
      await until(() => logged.length === 1); // the start's write failed
      launcher.endAll();
      await until(() => agent.keptEnds === 1);
      expect(await stateOf(store, runs[0]!.id)).toBe('STARTED');
      expect(logged.at(-1)).toBe(`error: recording the end of run ${runs[0]!.id}: database is locked; the end is kept and written once the store takes it (tried again every few seconds)`);
      await clock.advanceAsync(1000); // the kept end's retry is on the agent's clock
      await agent.drain();
      expect(await store.runs.get(runs[0]!.id)).toMatchObject({ state: 'SUCCESS', reason: null, attempt: 1 });
      expect(await typesOf(store, runs[0]!.id)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    });
  });

  describe('an end the store refuses for long (disk full)', () => {
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    /** Every write fails as on a full disk until end(). */
    const refuseWrites = (store: Store) => {
      let refusing = true;
      return { ...refuse(store, full, () => refusing), end: () => (refusing = false) };
    };

    it('is kept and tried again with backoff for as long as it takes, then reaches its real state', async () => {
      const launcher = fakeLauncher();
      const { store, clock, agent, runs, logged } = await setup(launcher, 1);
      await agent.pump();
      await until(async () => (await stateOf(store, runs[0]!.id)) === 'RUNNING');
      const refusal = refuseWrites(store);
      launcher.endAll();
      await until(() => logged.length === 1);
      const tries = refusal.writes;
      // Two minutes of a full disk: far past the 10 tries a second apart that used to give up.
      for (let s = 0; s < 120; s++) await clock.advanceAsync(1000);
      expect(await stateOf(store, runs[0]!.id)).toBe('RUNNING');
      expect(agent.keptEnds).toBe(1);
      expect(tries()).toBeGreaterThan(10);
      expect(tries()).toBeLessThan(40); // 1 s, 2 s, 4 s, then every 5 s
      expect(logged).toHaveLength(1); // said once, not per try
      refusal.end();
      await clock.advanceAsync(5000);
      expect(await store.runs.get(runs[0]!.id)).toMatchObject({ state: 'SUCCESS', reason: null });
      expect(agent.keptEnds).toBe(0);
      await until(() => logged.length === 2); // the line reads the run's state from the store
      expect(logged.at(-1)).toMatch(new RegExp(`^recorded the end of run ${runs[0]!.id} \\(SUCCESS\\)`));
      await agent.drain();
      refusal.restore();
    });

    it('is written at once when the daemon sees the store back (writeKeptEnds), and left to crash recovery at shutdown otherwise', async () => {
      const launcher = fakeLauncher();
      const { store, agent, runs } = await setup(launcher, 2);
      await agent.pump();
      await until(async () => (await statesOf(store, runs)).every((s) => s === 'RUNNING'));
      const refusal = refuseWrites(store);
      launcher.endAll();
      await until(() => agent.keptEnds === 2);
      expect(await agent.writeKeptEnds()).toBe(false);
      refusal.end();
      expect(await agent.writeKeptEnds()).toBe(true);
      expect(await statesOf(store, runs)).toEqual(['SUCCESS', 'SUCCESS']);
      // A new end refused at shutdown: drain does not wait for the store; the run is left as recorded.
      refusal.restore();
      const again = (await store.runs.create({ task_id: runs[0]!.task_id, task_name: runs[0]!.task_name, instance: 'default', slot: runs[0]!.slot + 1, origin: 'force', max_attempts: 1, queue: 'localhost' }))!;
      await store.runs.transition({ runId: again.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: 1 } });
      await agent.pump();
      await until(async () => (await stateOf(store, again.id)) === 'RUNNING');
      const stuck = refuse(store, full, () => true);
      launcher.endAll();
      await until(() => agent.keptEnds === 1);
      await agent.drain();
      stuck.restore();
      expect(agent.running).toBe(0);
      expect(await stateOf(store, again.id)).toBe('RUNNING'); // for crash recovery, as after a crash
    });
  });

  it('records the start before output progress and before the end that follow it in the same turn', async () => {
    const launcher = fakeLauncher((_spec, hooks, pid) => {
      hooks.onSpawn?.(pid, hooks.clock.now());
      hooks.onOutput?.({ stdoutBytes: 3, stderrBytes: 0, stdoutLines: 1, stderrLines: 0 });
    });
    const { store, agent, runs } = await setup(launcher, 1);
    await agent.pump();
    await new Promise((r) => queueMicrotask(() => queueMicrotask(() => r(undefined)))); // launched, not yet recorded
    launcher.endAll();
    await agent.drain();
    expect(await typesOf(store, runs[0]!.id)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.output', 'run.succeeded']);
  });
});

describe('the heartbeat', () => {
  const interval = DEFAULTS.heartbeatMs;
  it('is written when the loop is not about to wake', () => {
    expect(beatNow(10_000, undefined, 9_000)).toBe(true);
    expect(beatNow(10_000, 10_000 + BEAT_CLEAR_MS, 9_000)).toBe(true);
    expect(beatNow(10_000, 9_990, 9_000)).toBe(true); // a wake already overdue is not waited for
  });

  it('waits for the pass when the loop wakes within the clearance', () => {
    expect(beatNow(10_000, 10_000, 9_000)).toBe(false);
    expect(beatNow(10_000, 10_000 + BEAT_CLEAR_MS - 1, 9_000)).toBe(false);
  });

  it('is never put off for two intervals', () => {
    expect(beatNow(10_000, 10_010, 10_000 - 2 * interval)).toBe(true);
    expect(beatNow(10_000, 10_010, 10_000 - 2 * interval + 1)).toBe(false);
  });
});

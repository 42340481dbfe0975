// The local agent against a real store, with a launcher standing in for the spawners: what it
// records when processes start, and in how many commits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttemptHooks, AttemptResult, AttemptSpec } from '../../../src/agent/attempt-types.js';
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
  const endAll = () => {
    const out = (path: string) => ({ path, bytes: 0, lines: 0, truncated: false });
    for (const end of ends.splice(0)) end({ startedAt: 0, endedAt: 0, durationMs: 1, output: { stdout: out('/dev/null'), stderr: out('/dev/null') }, outcome: 'success', exitCode: 0 });
  };
  return { start, endAll };
}

function setup(launcher: ReturnType<typeof fakeLauncher>, taskCount = 3) {
  const { store, clock, home } = tempStore();
  const tasks = new Map<string, TaskDef>();
  const runs: RunRow[] = [];
  for (let i = 0; i < taskCount; i++) {
    const t = insertTask(store, { name: `t${i}`, trigger_times: '00:00' });
    tasks.set(t.name, t);
    const run = store.runs.create({ task_id: t.tid, task_name: t.name, instance: 'default', slot: clock.now(), origin: 'force', max_attempts: 1, queue: 'localhost' })!;
    runs.push(store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } }));
  }
  const started: number[] = [];
  const logged: string[] = [];
  const agent = new LocalAgent(store, clock, { task: (r) => ({ task: tasks.get(r.task_name)!, timezone: 'UTC' }) }, {
    home, host: 'test-host', queues: new Set(['localhost']), concurrency: 8, killGraceSeconds: 1,
    start: launcher.start, onStarted: (r) => started.push(r.id), log: (l) => logged.push(l),
  });
  return { store, clock, agent, runs, started, logged };
}

/** The store's next `commits` transactions fail as on a locked database; the later ones go through. */
function locked(store: Store, commits: number) {
  const real = store.tx.bind(store);
  const spy = vi.spyOn(store, 'tx');
  for (let i = 0; i < commits; i++) spy.mockImplementationOnce(() => { throw new Error('database is locked'); });
  return spy.mockImplementation(real);
}

/** Turns of the event loop (setImmediate stays real under the fake timers used here) until cond holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
}

/** Until the attempts a pump launched have started (preparation is asynchronous) and been recorded. */
const settled = () => new Promise((r) => setTimeout(r, 20));

describe('recording started processes', () => {
  it('records processes that start in one turn RUNNING in one transaction', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started } = setup(launcher);
    const tx = vi.spyOn(store, 'tx');
    agent.pump(); // claims the three runs (synchronously)
    const afterClaim = tx.mock.calls.length;
    expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['STARTED', 'STARTED', 'STARTED']);
    await settled();
    expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(runs.map((r) => store.runs.get(r.id)!.pid)).toEqual([40001, 40002, 40003]);
    expect(tx.mock.calls.length - afterClaim).toBe(1 + runs.length); // one commit; each run a savepoint inside it
    expect(started).toEqual(runs.map((r) => r.id));
    const attempts = store.db.prepare('SELECT run_id, pid FROM attempts ORDER BY run_id').all();
    expect(attempts).toEqual(runs.map((r, i) => ({ run_id: r.id, pid: 40001 + i })));
    launcher.endAll();
    await agent.drain();
    expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('a run moved meanwhile is left out alone; the others are recorded', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started, logged } = setup(launcher);
    agent.pump();
    // Another process ends the middle run before its start is recorded.
    store.runs.transition({ runId: runs[1]!.id, event: 'run.failed', to: 'FAILED', patch: { reason: 'lost', ended_at: 1 } });
    await settled();
    expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['RUNNING', 'FAILED', 'RUNNING']);
    expect(started).toEqual([runs[0]!.id, runs[2]!.id]);
    expect(logged.join('\n')).toContain(`recording the start of run ${runs[1]!.id}`);
    launcher.endAll();
    await agent.drain();
    expect(store.runs.get(runs[0]!.id)!.state).toBe('SUCCESS');
  });

  it('a start whose commit fails (database locked) is recorded with its end: SUCCESS, not a spawn error and a second run', async () => {
    const launcher = fakeLauncher();
    const { store, agent, runs, started, logged } = setup(launcher, 2);
    agent.pump();
    // The turn's commit fails, and so does the first try when the first process ends: that run's
    // start is then written with its end; the second run's start by the next try.
    const tx = locked(store, 2);
    await settled();
    expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['STARTED', 'STARTED']);
    expect(logged.filter((l) => l.includes('database is locked'))).toHaveLength(2);
    launcher.endAll(); // both processes end before the retry
    await agent.drain();
    tx.mockRestore();
    for (const r of runs) {
      expect(store.runs.get(r.id)).toMatchObject({ state: 'SUCCESS', attempt: 1, pid: 40001 + runs.indexOf(r), reason: null });
      expect(store.events.list({ runId: r.id }).map((e) => e.type)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    }
    expect(started).toEqual([runs[1]!.id]);
  });

  describe('with the retry timers faked', () => {
    beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout'] }));
    afterEach(() => vi.useRealTimers());

    it('a start whose commit failed is recorded by the retry a second later while the process still runs', async () => {
      const launcher = fakeLauncher();
      const { store, agent, runs, started, logged } = setup(launcher, 1);
      agent.pump();
      locked(store, 1);
      await until(() => logged.length === 1); // the start's commit failed
      expect(store.runs.get(runs[0]!.id)!.state).toBe('STARTED');
      vi.advanceTimersByTime(1000);
      expect(store.runs.get(runs[0]!.id)).toMatchObject({ state: 'RUNNING', pid: 40001 });
      expect(started).toEqual([runs[0]!.id]);
      launcher.endAll();
      await agent.drain();
      expect(store.runs.get(runs[0]!.id)!.state).toBe('SUCCESS');
    });

    it('an end that cannot be written either is tried again a second later: SUCCESS, never a spawn error', async () => {
      const launcher = fakeLauncher();
      const { store, clock, agent, runs, logged } = setup(launcher, 1);
      agent.pump();
      locked(store, 3); // the turn's commit, the retry when the process ends, and the end's own commit
      await until(() => logged.length === 1); // the start's commit failed
      launcher.endAll();
      await until(() => logged.length === 2);
      expect(store.runs.get(runs[0]!.id)!.state).toBe('STARTED');
      expect(logged.at(-1)).toBe(`error: recording the end of run ${runs[0]!.id}: database is locked; the end is kept and written once the store takes it (tried again every few seconds)`);
      await vi.advanceTimersByTimeAsync(1000);
      await clock.advanceAsync(1000); // the kept end's retry is on the agent's clock
      await agent.drain();
      expect(store.runs.get(runs[0]!.id)).toMatchObject({ state: 'SUCCESS', reason: null, attempt: 1 });
      expect(store.events.list({ runId: runs[0]!.id }).map((e) => e.type)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    });
  });

  describe('an end the store refuses for long (disk full)', () => {
    beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout'] }));
    afterEach(() => vi.useRealTimers());
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    /** Every transaction fails as on a full disk until end(). */
    const refuseWrites = (store: Store) => {
      const real = store.tx.bind(store);
      let refusing = true;
      const tx = vi.spyOn(store, 'tx').mockImplementation((fn) => {
        if (refusing) throw full();
        return real(fn);
      });
      return { tx, end: () => (refusing = false) };
    };

    it('is kept and tried again with backoff for as long as it takes, then reaches its real state', async () => {
      const launcher = fakeLauncher();
      const { store, clock, agent, runs, logged } = setup(launcher, 1);
      agent.pump();
      await until(() => store.runs.get(runs[0]!.id)!.state === 'RUNNING');
      const refusal = refuseWrites(store);
      const tx = refusal.tx;
      launcher.endAll();
      await until(() => logged.length === 1);
      const tries = () => tx.mock.calls.length;
      // Two minutes of a full disk: far past the 10 tries a second apart that used to give up.
      for (let s = 0; s < 120; s++) await clock.advanceAsync(1000);
      expect(store.runs.get(runs[0]!.id)!.state).toBe('RUNNING');
      expect(agent.keptEnds).toBe(1);
      expect(tries()).toBeGreaterThan(10);
      expect(tries()).toBeLessThan(40); // 1 s, 2 s, 4 s, then every 5 s
      expect(logged).toHaveLength(1); // said once, not per try
      refusal.end();
      await clock.advanceAsync(5000);
      expect(store.runs.get(runs[0]!.id)).toMatchObject({ state: 'SUCCESS', reason: null });
      expect(agent.keptEnds).toBe(0);
      expect(logged.at(-1)).toMatch(new RegExp(`^recorded the end of run ${runs[0]!.id} \\(SUCCESS\\)`));
      await agent.drain();
      tx.mockRestore();
    });

    it('is written at once when the daemon sees the store back (writeKeptEnds), and left to crash recovery at shutdown otherwise', async () => {
      const launcher = fakeLauncher();
      const { store, agent, runs } = setup(launcher, 2);
      agent.pump();
      await until(() => runs.every((r) => store.runs.get(r.id)!.state === 'RUNNING'));
      const refusal = refuseWrites(store);
      const tx = refusal.tx;
      launcher.endAll();
      await until(() => agent.keptEnds === 2);
      expect(agent.writeKeptEnds()).toBe(false);
      refusal.end();
      expect(agent.writeKeptEnds()).toBe(true);
      expect(runs.map((r) => store.runs.get(r.id)!.state)).toEqual(['SUCCESS', 'SUCCESS']);
      // A new end refused at shutdown: drain does not wait for the store; the run is left as recorded.
      tx.mockRestore();
      const again = store.runs.create({ task_id: runs[0]!.task_id, task_name: runs[0]!.task_name, instance: 'default', slot: runs[0]!.slot + 1, origin: 'force', max_attempts: 1, queue: 'localhost' })!;
      store.runs.transition({ runId: again.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: 1 } });
      agent.pump();
      await until(() => store.runs.get(again.id)!.state === 'RUNNING');
      vi.spyOn(store, 'tx').mockImplementation(() => { throw full(); });
      launcher.endAll();
      await until(() => agent.keptEnds === 1);
      await agent.drain();
      expect(agent.running).toBe(0);
      expect(store.runs.get(again.id)!.state).toBe('RUNNING'); // for crash recovery, as after a crash
    });
  });

  it('records the start before output progress and before the end that follow it in the same turn', async () => {
    const launcher = fakeLauncher((_spec, hooks, pid) => {
      hooks.onSpawn?.(pid, hooks.clock.now());
      hooks.onOutput?.({ stdoutBytes: 3, stderrBytes: 0, stdoutLines: 1, stderrLines: 0 });
    });
    const { store, agent, runs } = setup(launcher, 1);
    agent.pump();
    await new Promise((r) => queueMicrotask(() => queueMicrotask(() => r(undefined)))); // launched, not yet recorded
    launcher.endAll();
    await agent.drain();
    const types = store.events.list({ runId: runs[0]!.id }).map((e) => e.type);
    expect(types).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.output', 'run.succeeded']);
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

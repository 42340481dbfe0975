import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/core/states.js';
import { STORE_FILE, openStore, type RunRow, type Store } from '../../src/store/index.js';
import { insertGroup, insertTask } from '../helpers/defs.js';
import { startDaemon } from '../helpers/daemon-in-process.js';
import { tempHome } from '../helpers/home.js';

/** Wait for an asynchronous condition by polling it (waitFor, for probes that read the store). */
async function eventually<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 15_000, everyMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false && v !== null) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A command's row once the daemon acknowledged it. */
const acked = (store: Store, id: number, what: string) =>
  eventually(async () => { const r = (await store.commands.get(id))!; return r.acked_at ? r : undefined; }, what);

/** Force-run through the command table, as the CLI does, and return the run id. */
async function forceRun(store: Store, task: string): Promise<number> {
  const c = await acked(store, await store.commands.enqueue('force-run', task), 'the force-run acknowledgement');
  expect(c.ok).toBe(1);
  return JSON.parse(c.result!).run as number;
}

const finalRun = (store: Store, id: number) =>
  eventually(async () => { const r = await store.runs.get(id); return r && ['SUCCESS', 'FAILED', 'TERMINATED', 'REJECTED', 'SKIPPED'].includes(r.state) ? r : undefined; }, `run ${id} to finish`);

const typesOf = async (store: Store, id: number) => (await store.events.list({ runId: id })).filter((e) => e.type !== 'run.output').map((e) => e.type);

const count = async (store: Store, ...states: RunState[]) => (await store.runs.inStates(states)).length;
const runsOf = (store: Store, task: string): Promise<RunRow[]> => store.runs.list({ task });

describe('daemon and local agent, with real processes', () => {
  it('runs a task to SUCCESS with every transition recorded once, in order', async () => {
    const { store, home } = await startDaemon();
    await insertTask(store, { name: 'ok', trigger_times: '00:00', cmd: 'echo out-line; echo err-line >&2' });
    const id = await forceRun(store, 'ok');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'SUCCESS', exit_code: 0, attempt: 1, origin: 'force' });
    expect(await typesOf(store, id)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    expect(readFileSync(run.stdout_path!, 'utf8')).toBe('out-line\n');
    expect(readFileSync(run.stderr_path!, 'utf8')).toBe('err-line\n');
    expect(run.stdout_path).toBe(join(home, 'logs', 'ok', `${id}.out`));
    // The attempt is on record: its process, how long it ran, and how it exited.
    expect(await store.attempts.startedAt(id, 1)).not.toBeNull();
    expect(await store.runs.lastAttemptMs(run)).toBeGreaterThan(0);
    const evs = await store.events.list({ runId: id, types: ['run.started', 'run.succeeded'] });
    expect(evs.map((e) => [e.type, e.attempt])).toEqual([['run.started', 1], ['run.succeeded', 1]]);
    expect(evs[0]!.data.pid).toBe(run.pid);
    expect(evs[1]!.data).toMatchObject({ exit_code: 0 });
    expect(evs[1]!.data.duration_ms).toBeGreaterThan(0);
  });

  it('retries a failing command retry_attempts times, numbering each attempt', async () => {
    const { store } = await startDaemon();
    await insertTask(store, { name: 'flaky', trigger_times: '00:00', cmd: 'echo "try $EASYTASK_ATTEMPT"; exit 7', retry_attempts: 2, retry_delay: 0 });
    const id = await forceRun(store, 'flaky');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'FAILED', reason: 'exit_code', exit_code: 7, attempt: 3, max_attempts: 3 });
    const evs = (await store.events.list({ runId: id })).filter((e) => e.type !== 'run.output');
    expect(evs.map((e) => `${e.type}#${e.attempt}`)).toEqual([
      'run.created#0', 'run.triggered#0',
      'run.accepted#1', 'run.started#1', 'run.retrying#1',
      'run.accepted#2', 'run.started#2', 'run.retrying#2',
      'run.accepted#3', 'run.started#3', 'run.failed#3',
    ]);
    // Each attempt is on record with its exit code.
    for (const n of [1, 2, 3]) expect(await store.attempts.startedAt(id, n)).not.toBeNull();
    const ends = evs.filter((e) => e.type === 'run.retrying' || e.type === 'run.failed').map((e) => ({ n: e.attempt, exit_code: e.data.exit_code }));
    expect(ends).toEqual([{ n: 1, exit_code: 7 }, { n: 2, exit_code: 7 }, { n: 3, exit_code: 7 }]);
    expect(readFileSync(run.stdout_path!, 'utf8')).toMatch(/^try 1\n--- attempt 2 started .*---\ntry 2\n--- attempt 3 started .*---\ntry 3\n$/);
  });

  it('a retry that succeeds ends SUCCESS after RESTARTING', async () => {
    const { store, home } = await startDaemon();
    const marker = join(home, 'marker');
    await insertTask(store, { name: 'second-time', trigger_times: '00:00', cmd: `test -e ${marker} || { touch ${marker}; exit 1; }`, retry_attempts: 3, retry_delay: 0 });
    const run = await finalRun(store, await forceRun(store, 'second-time'));
    expect(run).toMatchObject({ state: 'SUCCESS', attempt: 2 });
  });

  it('max_run_time kills the whole process group: FAILED with reason timeout, nothing left alive', async () => {
    const { store, home } = await startDaemon();
    const pidfile = join(home, 'grandchild.pid');
    await insertTask(store, { name: 'slow', trigger_times: '00:00', max_run_time: 1, cmd: `bash -c 'trap "" TERM; sleep 300' & echo $! > ${pidfile}; sleep 300` });
    const run = await finalRun(store, await forceRun(store, 'slow'));
    expect(run).toMatchObject({ state: 'FAILED', reason: 'timeout' });
    const grandchild = Number(readFileSync(pidfile, 'utf8'));
    const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    expect(alive(run.pid!)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it('an unknown placeholder fails the attempt without retrying, naming it', async () => {
    const { store } = await startDaemon();
    await insertTask(store, { name: 'ph', trigger_times: '00:00', cmd: 'echo ${E:NO_SUCH_VARIABLE}', retry_attempts: 2 });
    const id = await forceRun(store, 'ph');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'FAILED', reason: 'placeholder_error', attempt: 1 });
    expect((await store.events.list({ runId: id })).at(-1)!.data.error).toContain('${E:NO_SUCH_VARIABLE}');
  });

  it('a run for a queue no agent serves ends REJECTED after task_accept_expiry_time', async () => {
    const { store } = await startDaemon();
    await insertTask(store, { name: 'elsewhere', trigger_times: '00:00', run_on_host: 'other-host', task_accept_expiry_time: 1 });
    const run = await finalRun(store, await forceRun(store, 'elsewhere'));
    expect(run).toMatchObject({ state: 'REJECTED', reason: 'expired' });
  });

  it('terminate kills a running attempt: TERMINATED (requested)', async () => {
    const { store } = await startDaemon();
    await insertTask(store, { name: 'long', trigger_times: '00:00', cmd: 'sleep 300' });
    const id = await forceRun(store, 'long');
    await eventually(async () => (await store.runs.get(id))?.state === 'RUNNING', 'RUNNING');
    const ack = await acked(store, await store.commands.enqueue('terminate', 'long'), 'ack');
    expect(ack.message).toMatch(new RegExp(`^Terminate requested for long: run ${id} \\(RUNNING, pid \\d+\\)$`));
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'TERMINATED', reason: 'requested' });
  });

  it('freeze and unfreeze say when a date already was as asked', async () => {
    const { store } = await startDaemon();
    await insertTask(store, { name: 'f', trigger_times: '00:00' });
    const ack = async (kind: 'freeze' | 'unfreeze') => acked(store, await store.commands.enqueue(kind, 'f', { date: '20300101' }), `the ${kind} acknowledgement`);
    const tid = ((await store.defs.byName('f', 'default'))!.definition.def as { tid: number }).tid;
    expect((await ack('unfreeze')).message).toBe(`task ${tid} (f) was not frozen for 20300101; nothing changed`);
    expect((await ack('freeze')).message).toBe(`Froze task ${tid} (f) for 20300101`);
    const again = await ack('freeze');
    expect(again).toMatchObject({ ok: 1, message: `task ${tid} (f) was already frozen for 20300101; nothing changed` });
    expect(JSON.parse(again.result!)).toMatchObject({ changed: false });
    expect((await ack('unfreeze')).message).toBe(`Unfroze task ${tid} (f) for 20300101`);
  });

  it('while shutting down, answers commands: terminate works, anything else is refused with the reason', async () => {
    const { store, daemon } = await startDaemon({ graceSeconds: 20 });
    await insertTask(store, { name: 'slow', trigger_times: '00:00', cmd: 'sleep 60' });
    const id = await forceRun(store, 'slow');
    await eventually(async () => (await store.runs.get(id))?.state === 'RUNNING', 'RUNNING');
    const stopped = daemon.stop('SIGTERM'); // waits up to 20 s for the run
    const ackOf = (c: number) => acked(store, c, `command ${c} acknowledged`);
    const refused = await ackOf(await store.commands.enqueue('force-run', 'slow'));
    expect(refused).toMatchObject({ ok: 0 });
    expect(refused.message).toMatch(/^the daemon \(pid \d+\) is shutting down: it starts and changes nothing more/);
    const term = await ackOf(await store.commands.enqueue('terminate', 'slow'));
    expect(term).toMatchObject({ ok: 1 });
    await stopped; // the terminated run no longer holds the shutdown for its 20 s
    expect(await store.runs.get(id)).toMatchObject({ state: 'TERMINATED', reason: 'requested' });
    expect(await runsOf(store, 'slow')).toHaveLength(1);
  }, 15_000);

  it('respects --concurrency', async () => {
    const { store, home } = await startDaemon({ concurrency: 2 });
    await insertTask(store, { name: 'c', trigger_times: '00:00', cmd: `echo $$ >> ${home}/starts; sleep 0.3`, overlap: 'allow' });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await forceRun(store, 'c'));
    let peak = 0;
    await eventually(async () => {
      peak = Math.max(peak, await count(store, 'STARTED', 'RUNNING'));
      return (await Promise.all(ids.map((id) => store.runs.get(id)))).every((r) => r!.state === 'SUCCESS');
    }, 'all five to succeed', 20_000, 5);
    expect(peak).toBe(2);
  });
});


describe('the write-ahead log', () => {
  it('is copied into the database once the daemon is quiet, not left for a later commit', async () => {
    const { store, home, daemon } = await startDaemon();
    await insertTask(store, { name: 'ok', trigger_times: '00:00', cmd: 'true' });
    const id = await forceRun(store, 'ok');
    await finalRun(store, id);
    const last = (await store.events.list({ runId: id })).at(-1)!.seq;
    await eventually(async () => daemon.checkpoints.coveredSeq >= last || undefined, 'a checkpoint covering the run');
    // The database file alone (without its -wal) already holds the finished run.
    const copy = join(tempHome(), 'copy');
    mkdirSync(copy);
    copyFileSync(join(home, STORE_FILE), join(copy, STORE_FILE));
    const read = await openStore(copy, undefined, { readonly: true });
    try {
      expect((await read.runs.get(id))?.state).toBe('SUCCESS');
    } finally {
      await read.close();
    }
  });
});

describe('a wide fan-out while every slot is taken', () => {
  it('triggers one pass of members ahead, not all of them, and still finishes the cycle', async () => {
    const { store } = await startDaemon({ concurrency: 2 });
    await insertGroup(store, { name: 'fan', trigger_times: '00:00' });
    await insertTask(store, { name: 'root', task_group: 'fan', trigger_times: undefined, timezone: undefined, cmd: 'true' });
    for (let i = 0; i < 30; i++) await insertTask(store, { name: `f${i}`, task_group: 'fan', trigger_times: undefined, timezone: undefined, cmd: 'sleep 0.3', dependency: 'S:root' });
    await acked(store, await store.commands.enqueue('force-run', 'fan'), 'the force-run acknowledgement');
    await eventually(async () => (await count(store, 'RUNNING')) === 2 || undefined, 'both slots to be taken by members');
    // Passes of 2 × concurrency = 4 members: one pass was triggered, and with no slot free the
    // next waits for an attempt to end (without that, all 30 would be TRIGGER within milliseconds).
    const queued = await count(store, 'TRIGGER', 'STARTED', 'RUNNING');
    expect(queued).toBeLessThanOrEqual(4);
    expect(await count(store, 'ACTIVE')).toBeGreaterThanOrEqual(26);
    const done = await eventually(async () => (await store.groupRuns.inStates(['SUCCESS', 'FAILED']))[0], 'the cycle to end', 30_000);
    expect(done.state).toBe('SUCCESS');
  }, 40_000);
});

describe('a member deleted while it waits for its retry', () => {
  it('ends FAILED (deleted) at the retry, and its cycle ends with it', async () => {
    const { store } = await startDaemon();
    await insertGroup(store, { name: 'g', trigger_times: '00:00' });
    await insertTask(store, { name: 'flaky', task_group: 'g', trigger_times: undefined, timezone: undefined, cmd: 'exit 1', retry_attempts: 1, retry_delay: 1 });
    await insertTask(store, { name: 'fine', task_group: 'g', trigger_times: undefined, timezone: undefined, cmd: 'true' });
    await acked(store, await store.commands.enqueue('force-run', 'g'), 'the force-run acknowledgement');
    await eventually(async () => (await store.runs.list({ task: 'flaky', state: 'RESTARTING' })).length > 0, 'the retry to be scheduled');
    // As `easytask delete flaky` does: the definition goes; the daemon skips its pending runs, and a run waiting for its retry is left.
    await store.defs.apply({ remove: [(await store.defs.byName('flaky', 'default'))!], replace: false });
    const done = await eventually(async () => (await store.groupRuns.inStates(['SUCCESS', 'FAILED']))[0], 'the cycle to end', 15_000);
    expect(done.state).toBe('FAILED');
    expect((await runsOf(store, 'flaky')).map((r) => ({ state: r.state, reason: r.reason }))).toEqual([{ state: 'FAILED', reason: 'deleted' }]);
  }, 30_000);
});

describe('a member that waits for another to be running (R:x)', () => {
  it('starts while x runs, not after x ends', async () => {
    const { store } = await startDaemon({ concurrency: 4 });
    await insertGroup(store, { name: 'svc', trigger_times: '00:00' });
    await insertTask(store, { name: 'server', task_group: 'svc', trigger_times: undefined, timezone: undefined, cmd: 'sleep 3' });
    await insertTask(store, { name: 'probe', task_group: 'svc', trigger_times: undefined, timezone: undefined, cmd: 'true', dependency: 'R:server' });
    await acked(store, await store.commands.enqueue('force-run', 'svc'), 'the force-run acknowledgement');
    const done = await eventually(async () => (await store.groupRuns.inStates(['SUCCESS', 'FAILED']))[0], 'the cycle to end', 20_000);
    const time = async (task: string, type: string) => (await store.events.list({ task, types: [type] }))[0]?.time;
    expect((await runsOf(store, 'probe')).map((r) => r.state)).toEqual(['SUCCESS']);
    expect((await time('probe', 'run.triggered'))!).toBeGreaterThanOrEqual((await time('server', 'run.started'))!);
    expect((await time('probe', 'run.succeeded'))!).toBeLessThan((await time('server', 'run.succeeded'))!);
    expect(done.state).toBe('SUCCESS');
  }, 30_000);
});

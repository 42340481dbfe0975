import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { insertGroup, insertTask } from '../helpers/defs.js';
import { startDaemon } from '../helpers/daemon-in-process.js';
import { tempHome } from '../helpers/home.js';
import { waitFor } from '../helpers/wait.js';

/** Force-run through the command table, as the CLI does, and return the run id. */
async function forceRun(store: Store, task: string): Promise<number> {
  const id = store.commands.enqueue('force-run', task);
  const c = await waitFor(() => { const r = store.commands.get(id)!; return r.acked_at ? r : undefined; }, 'the force-run acknowledgement');
  expect(c.ok).toBe(1);
  return JSON.parse(c.result!).run as number;
}

const finalRun = (store: Store, id: number) =>
  waitFor(() => { const r = store.runs.get(id); return r && ['SUCCESS', 'FAILED', 'TERMINATED', 'REJECTED', 'SKIPPED'].includes(r.state) ? r : undefined; }, `run ${id} to finish`);

const typesOf = (store: Store, id: number) => store.events.list({ runId: id }).filter((e) => e.type !== 'run.output').map((e) => e.type);

describe('daemon and local agent, with real processes', () => {
  it('runs a task to SUCCESS with every transition recorded once, in order', async () => {
    const { store, home } = startDaemon();
    insertTask(store, { name: 'ok', trigger_times: '00:00', cmd: 'echo out-line; echo err-line >&2' });
    const id = await forceRun(store, 'ok');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'SUCCESS', exit_code: 0, attempt: 1, origin: 'force' });
    expect(typesOf(store, id)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded']);
    expect(readFileSync(run.stdout_path!, 'utf8')).toBe('out-line\n');
    expect(readFileSync(run.stderr_path!, 'utf8')).toBe('err-line\n');
    expect(run.stdout_path).toBe(join(home, 'logs', 'ok', `${id}.out`));
    const attempt = store.db.prepare('SELECT * FROM attempts WHERE run_id = ?').get(id) as { exit_code: number; duration_ms: number; pid: number };
    expect(attempt.exit_code).toBe(0);
    expect(attempt.duration_ms).toBeGreaterThan(0);
    expect(attempt.pid).toBe(run.pid);
  });

  it('retries a failing command retry_attempts times, numbering each attempt', async () => {
    const { store } = startDaemon();
    insertTask(store, { name: 'flaky', trigger_times: '00:00', cmd: 'echo "try $EASYTASK_ATTEMPT"; exit 7', retry_attempts: 2, retry_delay: 0 });
    const id = await forceRun(store, 'flaky');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'FAILED', reason: 'exit_code', exit_code: 7, attempt: 3, max_attempts: 3 });
    const evs = store.events.list({ runId: id }).filter((e) => e.type !== 'run.output');
    expect(evs.map((e) => `${e.type}#${e.attempt}`)).toEqual([
      'run.created#0', 'run.triggered#0',
      'run.accepted#1', 'run.started#1', 'run.retrying#1',
      'run.accepted#2', 'run.started#2', 'run.retrying#2',
      'run.accepted#3', 'run.started#3', 'run.failed#3',
    ]);
    const attempts = store.db.prepare('SELECT n, exit_code FROM attempts WHERE run_id = ? ORDER BY n').all(id);
    expect(attempts).toEqual([{ n: 1, exit_code: 7 }, { n: 2, exit_code: 7 }, { n: 3, exit_code: 7 }]);
    expect(readFileSync(run.stdout_path!, 'utf8')).toMatch(/^try 1\n--- attempt 2 started .*---\ntry 2\n--- attempt 3 started .*---\ntry 3\n$/);
  });

  it('a retry that succeeds ends SUCCESS after RESTARTING', async () => {
    const { store, home } = startDaemon();
    const marker = join(home, 'marker');
    insertTask(store, { name: 'second-time', trigger_times: '00:00', cmd: `test -e ${marker} || { touch ${marker}; exit 1; }`, retry_attempts: 3, retry_delay: 0 });
    const run = await finalRun(store, await forceRun(store, 'second-time'));
    expect(run).toMatchObject({ state: 'SUCCESS', attempt: 2 });
  });

  it('max_run_time kills the whole process group: FAILED with reason timeout, nothing left alive', async () => {
    const { store, home } = startDaemon();
    const pidfile = join(home, 'grandchild.pid');
    insertTask(store, { name: 'slow', trigger_times: '00:00', max_run_time: 1, cmd: `bash -c 'trap "" TERM; sleep 300' & echo $! > ${pidfile}; sleep 300` });
    const run = await finalRun(store, await forceRun(store, 'slow'));
    expect(run).toMatchObject({ state: 'FAILED', reason: 'timeout' });
    const grandchild = Number(readFileSync(pidfile, 'utf8'));
    const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    expect(alive(run.pid!)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it('an unknown placeholder fails the attempt without retrying, naming it', async () => {
    const { store } = startDaemon();
    insertTask(store, { name: 'ph', trigger_times: '00:00', cmd: 'echo ${E:NO_SUCH_VARIABLE}', retry_attempts: 2 });
    const id = await forceRun(store, 'ph');
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'FAILED', reason: 'placeholder_error', attempt: 1 });
    expect(store.events.list({ runId: id }).at(-1)!.data.error).toContain('${E:NO_SUCH_VARIABLE}');
  });

  it('a run for a queue no agent serves ends REJECTED after task_accept_expiry_time', async () => {
    const { store } = startDaemon();
    insertTask(store, { name: 'elsewhere', trigger_times: '00:00', run_on_host: 'other-host', task_accept_expiry_time: 1 });
    const run = await finalRun(store, await forceRun(store, 'elsewhere'));
    expect(run).toMatchObject({ state: 'REJECTED', reason: 'expired' });
  });

  it('terminate kills a running attempt: TERMINATED (requested)', async () => {
    const { store } = startDaemon();
    insertTask(store, { name: 'long', trigger_times: '00:00', cmd: 'sleep 300' });
    const id = await forceRun(store, 'long');
    await waitFor(() => store.runs.get(id)?.state === 'RUNNING', 'RUNNING');
    const c = store.commands.enqueue('terminate', 'long');
    const ack = await waitFor(() => { const r = store.commands.get(c)!; return r.acked_at ? r : undefined; }, 'ack');
    expect(ack.message).toMatch(new RegExp(`^Terminate requested for long: run ${id} \\(RUNNING, pid \\d+\\)$`));
    const run = await finalRun(store, id);
    expect(run).toMatchObject({ state: 'TERMINATED', reason: 'requested' });
  });

  it('freeze and unfreeze say when a date already was as asked', async () => {
    const { store } = startDaemon();
    insertTask(store, { name: 'f', trigger_times: '00:00' });
    const ack = async (kind: 'freeze' | 'unfreeze') => {
      const c = store.commands.enqueue(kind, 'f', { date: '20300101' });
      return waitFor(() => { const r = store.commands.get(c)!; return r.acked_at ? r : undefined; }, `the ${kind} acknowledgement`);
    };
    const tid = (store.defs.byName('f', 'default')!.definition.def as { tid: number }).tid;
    expect((await ack('unfreeze')).message).toBe(`task ${tid} (f) was not frozen for 20300101; nothing changed`);
    expect((await ack('freeze')).message).toBe(`Froze task ${tid} (f) for 20300101`);
    const again = await ack('freeze');
    expect(again).toMatchObject({ ok: 1, message: `task ${tid} (f) was already frozen for 20300101; nothing changed` });
    expect(JSON.parse(again.result!)).toMatchObject({ changed: false });
    expect((await ack('unfreeze')).message).toBe(`Unfroze task ${tid} (f) for 20300101`);
  });

  it('while shutting down, answers commands: terminate works, anything else is refused with the reason', async () => {
    const { store, daemon } = startDaemon({ graceSeconds: 20 });
    insertTask(store, { name: 'slow', trigger_times: '00:00', cmd: 'sleep 60' });
    const id = await forceRun(store, 'slow');
    await waitFor(() => store.runs.get(id)?.state === 'RUNNING', 'RUNNING');
    const stopped = daemon.stop('SIGTERM'); // waits up to 20 s for the run
    const ackOf = (c: number) => waitFor(() => { const r = store.commands.get(c)!; return r.acked_at ? r : undefined; }, `command ${c} acknowledged`);
    const refused = await ackOf(store.commands.enqueue('force-run', 'slow'));
    expect(refused).toMatchObject({ ok: 0 });
    expect(refused.message).toMatch(/^the daemon \(pid \d+\) is shutting down: it starts and changes nothing more/);
    const term = await ackOf(store.commands.enqueue('terminate', 'slow'));
    expect(term).toMatchObject({ ok: 1 });
    await stopped; // the terminated run no longer holds the shutdown for its 20 s
    expect(store.runs.get(id)).toMatchObject({ state: 'TERMINATED', reason: 'requested' });
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE task_name = 'slow'").get()).toEqual({ n: 1 });
  }, 15_000);

  it('respects --concurrency', async () => {
    const { store, home } = startDaemon({ concurrency: 2 });
    insertTask(store, { name: 'c', trigger_times: '00:00', cmd: `echo $$ >> ${home}/starts; sleep 0.3`, overlap: 'allow' });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await forceRun(store, 'c'));
    let peak = 0;
    await waitFor(() => {
      const live = (store.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state IN ('STARTED','RUNNING')").get() as { n: number }).n;
      peak = Math.max(peak, live);
      return ids.every((id) => store.runs.get(id)!.state === 'SUCCESS');
    }, 'all five to succeed', 20_000, 5);
    expect(peak).toBe(2);
  });
});


describe('the write-ahead log', () => {
  it('is copied into the database once the daemon is quiet, not left for a later commit', async () => {
    const { store, home, daemon } = startDaemon();
    insertTask(store, { name: 'ok', trigger_times: '00:00', cmd: 'true' });
    const id = await forceRun(store, 'ok');
    await finalRun(store, id);
    const last = (store.db.prepare('SELECT MAX(seq) AS s FROM events WHERE run_id = ?').get(id) as { s: number }).s;
    await waitFor(() => daemon.checkpoints.coveredSeq >= last || undefined, 'a checkpoint covering the run');
    // The database file alone (without its -wal) already holds the finished run.
    const copy = join(tempHome(), 'copy.db');
    copyFileSync(join(home, 'easytask.db'), copy);
    const db = new Database(copy, { readonly: true });
    try {
      expect(db.prepare('SELECT state FROM runs WHERE id = ?').get(id)).toEqual({ state: 'SUCCESS' });
    } finally {
      db.close();
    }
  });
});

describe('a wide fan-out while every slot is taken', () => {
  it('triggers one pass of members ahead, not all of them, and still finishes the cycle', async () => {
    const { store } = startDaemon({ concurrency: 2 });
    insertGroup(store, { name: 'fan', trigger_times: '00:00' });
    insertTask(store, { name: 'root', task_group: 'fan', trigger_times: undefined, timezone: undefined, cmd: 'true' });
    for (let i = 0; i < 30; i++) insertTask(store, { name: `f${i}`, task_group: 'fan', trigger_times: undefined, timezone: undefined, cmd: 'sleep 0.3', dependency: 'S:root' });
    const id = store.commands.enqueue('force-run', 'fan');
    await waitFor(() => store.commands.get(id)!.acked_at, 'the force-run acknowledgement');
    const count = (state: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state = ?`).get(state) as { n: number }).n;
    await waitFor(() => count('RUNNING') === 2 || undefined, 'both slots to be taken by members');
    // Passes of 2 × concurrency = 4 members: one pass was triggered, and with no slot free the
    // next waits for an attempt to end (without that, all 30 would be TRIGGER within milliseconds).
    const queued = count('TRIGGER') + count('STARTED') + count('RUNNING');
    expect(queued).toBeLessThanOrEqual(4);
    expect(count('ACTIVE')).toBeGreaterThanOrEqual(26);
    const done = await waitFor(() => store.groupRuns.inStates(['SUCCESS', 'FAILED'])[0], 'the cycle to end', 30_000);
    expect(done.state).toBe('SUCCESS');
  }, 40_000);
});

describe('a member deleted while it waits for its retry', () => {
  it('ends FAILED (deleted) at the retry, and its cycle ends with it', async () => {
    const { store } = startDaemon();
    insertGroup(store, { name: 'g', trigger_times: '00:00' });
    insertTask(store, { name: 'flaky', task_group: 'g', trigger_times: undefined, timezone: undefined, cmd: 'exit 1', retry_attempts: 1, retry_delay: 1 });
    insertTask(store, { name: 'fine', task_group: 'g', trigger_times: undefined, timezone: undefined, cmd: 'true' });
    const id = store.commands.enqueue('force-run', 'g');
    await waitFor(() => store.commands.get(id)!.acked_at, 'the force-run acknowledgement');
    await waitFor(() => store.db.prepare("SELECT 1 FROM runs WHERE task_name = 'flaky' AND state = 'RESTARTING'").get(), 'the retry to be scheduled');
    // As `easytask delete flaky` does: pending runs are skipped, a run waiting for its retry is left.
    store.tx(() => {
      store.runs.skipPending('flaky', 'default', 'deleted');
      store.defs.remove(store.defs.byName('flaky', 'default')!);
    });
    const done = await waitFor(() => store.groupRuns.inStates(['SUCCESS', 'FAILED'])[0], 'the cycle to end', 15_000);
    expect(done.state).toBe('FAILED');
    expect(store.db.prepare("SELECT state, reason FROM runs WHERE task_name = 'flaky'").get()).toEqual({ state: 'FAILED', reason: 'deleted' });
  }, 30_000);
});

describe('a member that waits for another to be running (R:x)', () => {
  it('starts while x runs, not after x ends', async () => {
    const { store } = startDaemon({ concurrency: 4 });
    insertGroup(store, { name: 'svc', trigger_times: '00:00' });
    insertTask(store, { name: 'server', task_group: 'svc', trigger_times: undefined, timezone: undefined, cmd: 'sleep 3' });
    insertTask(store, { name: 'probe', task_group: 'svc', trigger_times: undefined, timezone: undefined, cmd: 'true', dependency: 'R:server' });
    const id = store.commands.enqueue('force-run', 'svc');
    await waitFor(() => store.commands.get(id)!.acked_at, 'the force-run acknowledgement');
    const done = await waitFor(() => store.groupRuns.inStates(['SUCCESS', 'FAILED'])[0], 'the cycle to end', 20_000);
    const time = (task: string, type: string) => (store.db.prepare('SELECT time FROM events WHERE task = ? AND type = ?').get(task, type) as { time: number } | undefined)?.time;
    expect(store.db.prepare("SELECT state FROM runs WHERE task_name = 'probe'").get()).toEqual({ state: 'SUCCESS' });
    expect(time('probe', 'run.triggered')!).toBeGreaterThanOrEqual(time('server', 'run.started')!);
    expect(time('probe', 'run.succeeded')!).toBeLessThan(time('server', 'run.succeeded')!);
    expect(done.state).toBe('SUCCESS');
  }, 30_000);
});

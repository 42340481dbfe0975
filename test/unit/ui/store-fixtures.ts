// A real store for feed tests: definitions, runs through their transitions, and a second connection as the writer.
import { hostName } from '../../../src/daemon/lock.js';
import type { FakeClock } from '../../../src/core/clock.js';
import type { TaskDef } from '../../../src/core/task.js';
import { openStore, type RunRow, type Store } from '../../../src/store/index.js';
import { afterEach } from 'vitest';

export function taskDef(name: string, extra: Partial<TaskDef> = {}): Omit<TaskDef, 'tid'> {
  return {
    name, task_owner: 'ops', cmd: `echo ${name}`, run_on_host: 'localhost', active: true, instance: 'default', timezone: 'UTC',
    trigger_times: '03:00', retry_attempts: 1, retry_delay: 10, catch_up: 'latest', overlap: 'skip', max_run_time: 60, ...extra,
  };
}

export async function addTask(store: Store, name: string, extra: Partial<TaskDef> = {}): Promise<void> {
  await store.defs.apply({ write: [{ kind: 'task', def: taskDef(name, extra) }], replace: true });
}

export async function addGroup(store: Store, name: string): Promise<void> {
  await store.defs.apply({
    write: [{ kind: 'group', def: { name, active: true, instance: 'default', timezone: 'UTC', trigger_times: '04:00', day_of_week: '1111111', catch_up: 'latest' } }],
    replace: true,
  });
}

/** Another connection to the same file: its commits change the reader's change token, like the daemon's. */
export async function writerFor(home: string, clock: FakeClock): Promise<Store> {
  const writer = await openStore(home, clock);
  afterEach(() => writer.close());
  return writer;
}

/** Create a run and move it to RUNNING as the agent does, recording the attempt. */
export async function startRun(store: Store, clock: FakeClock, task: string, tid: number): Promise<RunRow> {
  const run = (await store.runs.create({ task_id: tid, task_name: task, instance: 'default', slot: clock.now(), max_attempts: 2, queue: 'localhost' }))!;
  const triggered = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
  const [accepted] = await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]);
  if (!accepted?.ok) throw accepted?.error ?? new Error('not accepted');
  return store.runs.transition({ runId: run.id, event: 'run.started', to: 'RUNNING', patch: { pid: 4242, stdout_path: '/tmp/x.out', stderr_path: '/tmp/x.err' }, data: { pid: 4242, stdout: '/tmp/x.out' } });
}

/** This process as the home's daemon (up), or the lease released (down). */
export async function markDaemon(store: Store, clock: FakeClock, up: boolean): Promise<void> {
  if (up) await store.daemonLease.acquire({ pid: process.pid, host: hostName(), version: 'test' }, clock.now(), () => false);
  else await store.daemonLease.release(process.pid, clock.now());
}

// A real store for feed tests: definitions, runs through their transitions, and a second connection as the writer.
import { hostName } from '../../../src/daemon/lock.js';
import type { FakeClock } from '../../../src/core/clock.js';
import type { TaskDef } from '../../../src/core/task.js';
import { Store } from '../../../src/store/index.js';
import { afterEach } from 'vitest';
import type { RunRow } from '../../../src/store/index.js';

export function taskDef(name: string, extra: Partial<TaskDef> = {}): Omit<TaskDef, 'tid'> {
  return {
    name, task_owner: 'ops', cmd: `echo ${name}`, run_on_host: 'localhost', active: true, instance: 'default', timezone: 'UTC',
    trigger_times: '03:00', retry_attempts: 1, retry_delay: 10, catch_up: 'latest', overlap: 'skip', max_run_time: 60, ...extra,
  };
}

export function addTask(store: Store, name: string, extra: Partial<TaskDef> = {}): void {
  store.defs.write({ kind: 'task', def: taskDef(name, extra) }, { replace: true });
}

export function addGroup(store: Store, name: string): void {
  store.defs.write(
    { kind: 'group', def: { name, active: true, instance: 'default', timezone: 'UTC', trigger_times: '04:00', day_of_week: '1111111', catch_up: 'latest' } },
    { replace: true },
  );
}

/** Another connection to the same file: its commits change the reader's data_version, like the daemon's. */
export function writerFor(home: string, clock: FakeClock): Store {
  const writer = Store.open(home, clock);
  afterEach(() => writer.close());
  return writer;
}

/** Create a run and move it to RUNNING as the agent does, recording the attempt. */
export function startRun(store: Store, clock: FakeClock, task: string, tid: number): RunRow {
  const run = store.runs.create({ task_id: tid, task_name: task, instance: 'default', slot: clock.now(), max_attempts: 2, queue: 'localhost' })!;
  store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
  store.runs.transition({ runId: run.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1, started_at: clock.now() }, data: { attempt: 1, max_attempts: 2 } });
  store.db.prepare('INSERT INTO attempts (run_id, n, started_at) VALUES (?, 1, ?)').run(run.id, clock.now());
  return store.runs.transition({ runId: run.id, event: 'run.started', to: 'RUNNING', patch: { pid: 4242, stdout_path: '/tmp/x.out', stderr_path: '/tmp/x.err' }, data: { pid: 4242, stdout: '/tmp/x.out' } });
}

export function markDaemon(store: Store, clock: FakeClock, up: boolean): void {
  store.db
    .prepare(
      `INSERT INTO daemon (id, pid, host, version, started_at, heartbeat_at, stopped_at) VALUES (1, ?, ?, 'test', ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at, stopped_at = excluded.stopped_at`,
    )
    .run(process.pid, hostName(), clock.now(), clock.now(), up ? null : clock.now());
}

// A run of task "job" taken through the real store transitions to SUCCESS or FAILED, with output files
// and the attempt's byte counts as an agent records them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeClock } from '../../src/core/clock.js';
import type { AlertDef, TaskDef } from '../../src/core/task.js';
import type { RunRow, Store } from '../../src/store/index.js';

export function alertTask(alert: AlertDef, over: Partial<TaskDef> = {}): TaskDef {
  return {
    tid: 1000001, name: 'job', task_owner: 'ops', cmd: 'true', run_on_host: 'localhost', active: true, instance: 'default',
    retry_attempts: 0, retry_delay: 10, catch_up: 'latest', overlap: 'skip', timezone: 'UTC', alert, ...over,
  };
}

export interface Finish {
  outcome: 'SUCCESS' | 'FAILED';
  slot: number;
  stdout?: string;
  stderr?: string;
}

export async function finishedRun(store: Store, clock: FakeClock, home: string, f: Finish): Promise<RunRow> {
  const run = (await store.runs.create({ task_id: 1000001, task_name: 'job', instance: 'default', slot: f.slot, max_attempts: 1, queue: 'localhost' }))!;
  const dir = join(home, 'logs', 'job');
  mkdirSync(dir, { recursive: true });
  const stdout = join(dir, `${run.id}.out`);
  const stderr = join(dir, `${run.id}.err`);
  writeFileSync(stdout, f.stdout ?? '');
  writeFileSync(stderr, f.stderr ?? '');
  const token = `t${run.id}`;
  const triggered = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
  const [accepted] = await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token, leaseMs: 60_000 }]);
  if (!accepted?.ok) throw accepted?.error ?? new Error('not accepted');
  await store.attempts.started([{ runId: run.id, attempt: 1, pid: 4242, at: clock.now(), stdoutPath: stdout, stderrPath: stderr, token }]);
  clock.advance(1500);
  const failed = f.outcome === 'FAILED';
  const bytes = { stdoutBytes: Buffer.byteLength(f.stdout ?? ''), stderrBytes: Buffer.byteLength(f.stderr ?? '') };
  return store.attempts.ended({
    token,
    end: { runId: run.id, n: 1, endedAt: clock.now(), durationMs: 1500, exitCode: failed ? 3 : 0, signal: null, reason: failed ? 'exit_code' : null, ...bytes, outputError: null },
    transition: failed
      ? { runId: run.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 3, reason: 'exit_code', ended_at: clock.now() } }
      : { runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } },
  });
}

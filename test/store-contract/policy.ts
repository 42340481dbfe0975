// Contract cases for the scheduling policies: retention by count (surplusRuns) and the terminate
// flag an overlap "replace" puts on an attempt an agent holds (requestTerminate).
import { expect, it } from 'vitest';
import type { RunState } from '../../src/core/states.js';
import type { Store } from '../../src/store/index.js';
import type { DriverUnderTest } from './contract.js';

const newRun = (slot: number, origin: 'schedule' | 'force' = 'schedule', task_id = 1000001) => ({ task_id, task_name: 'p', instance: 'default', slot, max_attempts: 1, queue: 'localhost', origin });

/** A run taken to `end` (a final state), or left RUNNING. */
async function runTo(store: Store, slot: number, end: 'SUCCESS' | 'FAILED' | 'RUNNING', origin: 'schedule' | 'force' = 'schedule', taskId?: number) {
  const r = (await store.runs.create(newRun(slot, origin, taskId)))!;
  await store.runs.transition({ runId: r.id, event: 'run.triggered', to: 'TRIGGER' });
  const [a] = await store.attempts.accept([{ run: (await store.runs.get(r.id))!, host: 'h', at: slot, token: `t${r.id}`, leaseMs: 60_000 }]);
  if (!a?.ok) throw new Error('not accepted');
  await store.runs.transition({ runId: r.id, event: 'run.started', to: 'RUNNING', patch: { pid: 7 } });
  if (end === 'SUCCESS') await store.runs.transition({ runId: r.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: slot + 1 } });
  if (end === 'FAILED') await store.runs.transition({ runId: r.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 1, ended_at: slot + 1 } });
  return r.id;
}

export function policyContract(make: () => DriverUnderTest | Promise<DriverUnderTest>): void {
  it('surplusRuns: a task\'s final runs in the given states past the newest N, newest first; never a live run, another task\'s, or the newest scheduled run', async () => {
    const { store } = await make();
    const ids: Record<string, number> = {};
    for (const [name, slot, end, origin] of [
      ['s1', 1000, 'SUCCESS', 'schedule'], ['f1', 2000, 'FAILED', 'schedule'], ['s2', 3000, 'SUCCESS', 'schedule'],
      ['f2', 4000, 'FAILED', 'schedule'], ['s3', 5000, 'SUCCESS', 'force'], ['live', 6000, 'RUNNING', 'schedule'],
    ] as const) ids[name] = await runTo(store, slot, end, origin);
    await runTo(store, 1500, 'SUCCESS', 'schedule', 1000002); // another task
    const all: RunState[] = ['SUCCESS', 'FAILED', 'TERMINATED', 'REJECTED', 'SKIPPED'];
    const q = (states: readonly RunState[], keep: number, skip = 0, limit = 100) => store.retention.surplusRuns({ taskId: 1000001, instance: 'default', states, keep, skip, limit });
    // The newest scheduled run (live, RUNNING) is no final run anyway; final runs newest first: s3 f2 s2 f1 s1.
    expect((await q(all, 2)).map((r) => r.id)).toEqual([ids.s2, ids.f1, ids.s1]);
    expect((await q(all, 2, 1, 1)).map((r) => r.id)).toEqual([ids.f1]);
    expect((await q(['FAILED'], 1)).map((r) => r.id)).toEqual([ids.f1]);
    expect((await q(['SUCCESS'], 0)).map((r) => ({ id: r.id, task_name: r.task_name }))).toEqual([ids.s3, ids.s2, ids.s1].map((id) => ({ id, task_name: 'p' })));
    expect(await q(['RUNNING'], 0)).toEqual([]); // a live state is never asked for
    // Once the live run has ended it is the newest scheduled run: kept whatever the count.
    await store.runs.transition({ runId: ids.live!, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: 7000 } });
    expect((await q(all, 0)).map((r) => r.id)).toEqual([ids.s3, ids.f2, ids.s2, ids.f1, ids.s1]);
  });

  it('requestTerminate flags an attempt an agent holds: the agent sees it at its next renewal', async () => {
    const { store } = await make();
    const id = await runTo(store, 9000, 'RUNNING');
    expect(await store.attempts.renew([{ runId: id, n: 1, token: `t${id}` }], 60_000)).toEqual(['held']);
    await store.attempts.requestTerminate([{ runId: id, n: 1 }]);
    expect(await store.attempts.renew([{ runId: id, n: 1, token: `t${id}` }], 60_000)).toEqual(['terminate']);
  });
}

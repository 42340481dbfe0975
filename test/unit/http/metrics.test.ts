import { describe, expect, it } from 'vitest';
import type { RunState, TransitionEvent } from '../../../src/core/states.js';
import { EventHub } from '../../../src/http/event-hub.js';
import { DaemonMetrics } from '../../../src/http/metrics.js';
import type { Store } from '../../../src/store/index.js';
import { tempStore } from '../../helpers/home.js';
import { parseMetrics, sample, valueOf } from '../../helpers/prometheus.js';

const newRun = (task: string, slot: number) => ({ task_id: task === 'a' ? 1000001 : 1000002, task_name: task, instance: 'default', slot, max_attempts: 1, queue: 'localhost' });

async function walk(store: Store, id: number, steps: [TransitionEvent, RunState, Record<string, unknown>?][]): Promise<void> {
  for (const [event, to, data] of steps) await store.runs.transition({ runId: id, event, to, ...(data ? { data } : {}), ...(to === 'SUCCESS' || to === 'FAILED' ? { patch: { ended_at: Date.now() } } : {}) });
}

describe('metrics: counted from the store at start, then from the event log', () => {
  it('runs by final state, attempt durations, fire lateness, waiting and live runs, last success', async () => {
    const { store, clock } = await tempStore();
    // Before the metrics start: one success of a, one failure of b.
    const r1 = (await store.runs.create(newRun('a', 1_000)))!;
    await walk(store, r1.id, [['run.triggered', 'TRIGGER'], ['run.accepted', 'STARTED'], ['run.started', 'RUNNING'], ['run.succeeded', 'SUCCESS', { duration_ms: 1 }]]);
    const r2 = (await store.runs.create(newRun('b', 1_000)))!;
    await walk(store, r2.id, [['run.triggered', 'TRIGGER'], ['run.rejected', 'REJECTED']]);
    let degraded = false;
    const metrics = new DaemonMetrics(store, clock, { degraded: () => degraded, leading: () => true });
    const hub = new EventHub(store, clock, metrics);
    await hub.start();

    // After: a second success of a (triggered, spawned 250 ms later, ran 2.5 s), a run waiting in TRIGGER, one live.
    const r3 = (await store.runs.create(newRun('a', 2_000)))!;
    await walk(store, r3.id, [['run.triggered', 'TRIGGER']]);
    const triggeredAt = clock.now();
    clock.advance(400);
    await walk(store, r3.id, [['run.accepted', 'STARTED'], ['run.started', 'RUNNING', { spawned_at: new Date(triggeredAt + 250).toISOString() }]]);
    clock.advance(2500);
    await walk(store, r3.id, [['run.succeeded', 'SUCCESS', { duration_ms: 2500 }]]);
    const successAt = clock.now();
    const r4 = (await store.runs.create(newRun('b', 3_000)))!;
    await walk(store, r4.id, [['run.triggered', 'TRIGGER']]);
    const r5 = (await store.runs.create(newRun('b', 4_000)))!;
    await walk(store, r5.id, [['run.triggered', 'TRIGGER'], ['run.accepted', 'STARTED']]);
    await hub.check();

    let m = parseMetrics(await metrics.render());
    expect(valueOf(m, 'easytask_runs_finished_total', { task: 'a', state: 'SUCCESS' })).toBe(2);
    expect(valueOf(m, 'easytask_runs_finished_total', { task: 'b', state: 'REJECTED' })).toBe(1);
    expect(sample(m, 'easytask_runs_finished_total', { task: 'b', state: 'SUCCESS' })).toBeUndefined();
    const lateness = sample(m, 'easytask_fire_lateness_seconds')!;
    expect([lateness.count, Number(lateness.sum)]).toEqual(['1', 0.25]);
    expect(lateness.buckets!['0.1']).toBe('0');
    expect(lateness.buckets!['0.25']).toBe('1');
    // (the parser keeps no labels of a histogram: the only outcome so far is succeeded)
    const attempts = sample(m, 'easytask_attempt_duration_seconds')!;
    expect([attempts.buckets!['1'], attempts.buckets!['5'], attempts.buckets!['+Inf']]).toEqual(['0', '1', '1']); // r1 ended before the start: not observed
    expect(valueOf(m, 'easytask_queue_depth', { state: 'TRIGGER' })).toBe(1);
    expect(valueOf(m, 'easytask_runs_live')).toBe(1);
    expect(valueOf(m, 'easytask_last_success_timestamp_seconds', { task: 'a' })).toBe(successAt / 1000);
    expect(valueOf(m, 'easytask_degraded')).toBe(0);
    expect(valueOf(m, 'easytask_up')).toBe(1);

    degraded = true;
    await walk(store, r4.id, [['run.accepted', 'STARTED'], ['run.failed', 'FAILED', { duration_ms: 10 }]]);
    await hub.check();
    m = parseMetrics(await metrics.render());
    expect(valueOf(m, 'easytask_degraded')).toBe(1);
    expect(valueOf(m, 'easytask_runs_finished_total', { task: 'b', state: 'FAILED' })).toBe(1);
    expect(valueOf(m, 'easytask_queue_depth', { state: 'TRIGGER' })).toBe(0);
  });
});

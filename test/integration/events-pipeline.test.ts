import { readFileSync } from 'node:fs';
import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { TaskDef } from '../../src/core/task.js';
import { LocalAgent } from '../../src/daemon/agent.js';
import { AlertRunner } from '../../src/events/alerts.js';
import { toCloudEvent } from '../../src/events/cloudevents.js';
import { formatEvent } from '../../src/events/format.js';
import { tempStore } from '../helpers/home.js';

const TASK: TaskDef = {
  tid: 1000001, name: 'noisy', task_owner: 'ops', run_on_host: 'localhost', active: true, instance: 'default',
  cmd: "head -c 3000 /dev/zero | tr '\\0' x; echo; echo oops >&2; exit 3",
  retry_attempts: 1, retry_delay: 0, catch_up: 'latest', overlap: 'skip', timezone: 'UTC', max_output_bytes: 1024,
  alert: { alert_on: 'failure', actions: [{ command: 'true' }] },
};

describe('events of a real run (agent, retries, output cap, alert)', () => {
  it('records each transition exactly once, marks truncation, and every event is a valid CloudEvent', async () => {
    const { store, clock, home } = await tempStore();
    let settled: () => void = () => undefined;
    const agent = new LocalAgent(store, clock, { task: () => ({ task: TASK, timezone: 'UTC' }) }, {
      home, host: 'vm', queues: new Set(['localhost']), concurrency: 1, killGraceSeconds: 1, onSettled: () => settled(),
    });
    const attempt = () => new Promise<void>((resolve) => {
      settled = resolve;
      void agent.pump();
    });
    const run = (await store.runs.create({ task_id: TASK.tid, task_name: TASK.name, instance: 'default', slot: clock.now(), max_attempts: 2, queue: 'localhost' }))!;
    await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
    await attempt();
    expect((await store.runs.get(run.id))!.state).toBe('RESTARTING');
    await attempt();
    const final = (await store.runs.get(run.id))!;
    expect(final).toMatchObject({ state: 'FAILED', attempt: 2, exit_code: 3, reason: 'exit_code' });
    await new AlertRunner(store, clock, { home }).onFinal(final, TASK);

    const events = await store.events.list({ runId: run.id });
    const transitions = events.filter((e) => e.type !== 'run.output');
    expect(transitions.map((e) => `${e.type} ${String(e.data.from ?? '')}→${String(e.data.to ?? '')}`)).toEqual([
      'run.created →ACTIVE',
      'run.triggered ACTIVE→TRIGGER',
      'run.accepted TRIGGER→STARTED',
      'run.started STARTED→RUNNING',
      'run.retrying RUNNING→RESTARTING',
      'run.accepted RESTARTING→STARTED',
      'run.started STARTED→RUNNING',
      'run.failed RUNNING→FAILED',
      'alert.sent →',
    ]);
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
    expect(events.find((e) => e.type === 'run.retrying')!.data).toMatchObject({ exit_code: 3, truncated: true, next_attempt: 2 });
    expect(events.find((e) => e.type === 'run.failed')!.data).toMatchObject({ exit_code: 3, truncated: true });
    const stdout = readFileSync(final.stdout_path!, 'utf8');
    expect(stdout).toContain('x'.repeat(1024) + '\n[easytask: output truncated at 1024 bytes]\n');
    expect(stdout.match(/truncated at 1024 bytes/g)).toHaveLength(2);

    const ces = (await store.events.list()).map((e) => toCloudEvent(e, 'vm'));
    for (const ce of ces) expect(new CloudEvent(ce, true).validate()).toBe(true);
    expect(new Set(ces.map((c) => c.id)).size).toBe(ces.length);
    expect(ces.filter((c) => c.type === 'io.easytask.run.failed.v1').map((c) => c.subject)).toEqual([`tasks/noisy/runs/${run.id}`]);
    expect(formatEvent(events.find((e) => e.type === 'run.failed')!)).toMatch(new RegExp(`^#\\d+ \\S+ run\\.failed task noisy run ${run.id} attempt 2 RUNNING→FAILED reason exit_code exit_code 3 truncated true`));
  });
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import type { AlertDef, TaskDef } from '../../src/core/task.js';
import { AlertFeed } from '../../src/events/alert-feed.js';
import { AlertRunner } from '../../src/events/alerts.js';
import type { FetchLike } from '../../src/events/http.js';
import type { RunRow, Store } from '../../src/store/index.js';
import { tempStore } from '../helpers/home.js';
import { Receiver } from '../unit/events/helpers/receiver.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  while (receivers.length) await receivers.pop()!.close();
});

async function receiver(opts: ConstructorParameters<typeof Receiver>[0] = {}): Promise<Receiver> {
  const r = await new Receiver(opts).start();
  receivers.push(r);
  return r;
}

function task(alert: AlertDef): TaskDef {
  return {
    tid: 1000001, name: 'job', task_owner: 'ops', cmd: 'true', run_on_host: 'localhost', active: true, instance: 'default',
    retry_attempts: 0, retry_delay: 10, catch_up: 'latest', overlap: 'skip', timezone: 'America/New_York', alert,
  };
}

/** A run taken through the real transitions to SUCCESS or FAILED, with output files; its process ran 1.5 s. */
async function finishedRun(store: Store, clock: FakeClock, home: string, outcome: 'SUCCESS' | 'FAILED', slot = Date.UTC(2026, 2, 1, 5)): Promise<RunRow> {
  const run = (await store.runs.create({ task_id: 1000001, task_name: 'job', instance: 'default', slot, max_attempts: 1, queue: 'localhost' }))!;
  const dir = join(home, 'logs', 'job');
  mkdirSync(dir, { recursive: true });
  const stdout = join(dir, `${run.id}.out`);
  const stderr = join(dir, `${run.id}.err`);
  writeFileSync(stdout, 'starting\ndone 42\n');
  writeFileSync(stderr, outcome === 'FAILED' ? "disk full: can't write\n" : '');
  const triggered = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
  const [accepted] = await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]);
  if (!accepted?.ok) throw accepted?.error ?? new Error('not accepted');
  // 2 s between the accept and the spawn: the alert's duration is the process's 1.5 s, not the 3.5 s since the accept.
  clock.advance(2000);
  await store.attempts.started([{ runId: run.id, attempt: 1, pid: 4242, at: clock.now(), stdoutPath: stdout, stderrPath: stderr, token: 't' }]);
  clock.advance(1500);
  const failed = outcome === 'FAILED';
  return store.attempts.ended({
        token: 't',
    end: { runId: run.id, n: 1, endedAt: clock.now(), durationMs: 1500, exitCode: failed ? 3 : 0, signal: null, reason: failed ? 'exit_code' : null, stdoutBytes: 17, stderrBytes: failed ? 23 : 0, outputError: null },
    transition: failed
      ? { runId: run.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 3, reason: 'exit_code', ended_at: clock.now() } }
      : { runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } },
  });
}

/** Move the fake clock on while real work (processes, HTTP) proceeds, until `p` settles. */
async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 50): Promise<T> {
  let done = false;
  const out = p.finally(() => (done = true));
  while (!done) {
    await clock.advanceAsync(stepMs);
    await new Promise((r) => setTimeout(r, 5));
  }
  return out;
}

/** Exited (a zombie counts: only its reaping is pending). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

const alertEvents = async (store: Store) => (await store.events.list()).filter((e) => e.type.startsWith('alert.'));

describe('AlertRunner', () => {
  it('runs a command with ${T:…}, ${E:…} and ${P:…} resolved (values shell-quoted) and records alert.sent', async () => {
    const { store, clock, home } = await tempStore();
    const out = join(home, 'alert.txt');
    const cmd = `printf '%s|%s|%s|%s|%s|%s' \${T:task_name} \${P:status} \${P:duration} \${P:pid} \${E:YYYYMMDD} \${P:stderr} > ${out}`;
    const run = await finishedRun(store, clock, home, 'FAILED', Date.UTC(2026, 2, 1, 4));
    const alerts = new AlertRunner(store, clock, { home });
    await alerts.onFinal(run, task({ alert_on: 'failure', actions: [{ command: cmd }] }));
    // 04:00 UTC is still the previous day in New York: the built-in date follows the task's zone.
    expect(readFileSync(out, 'utf8')).toBe("job|FAILED|1.5s|4242|20260228|disk full: can't write\n");
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.sent', run_id: run.id, task: 'job', data: { action: 'command', index: 0, alert_on: 'failure', status: 'FAILED', exit_code: 0 } });
  });

  it('POSTs a webhook JSON body on success and records only the receiver origin', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await receiver();
    const run = await finishedRun(store, clock, home, 'SUCCESS');
    await new AlertRunner(store, clock, { home }).onFinal(run, task({ alert_on: 'success', actions: [{ webhook: `${rx.url}?token=abc` }] }));
    expect(rx.requests).toHaveLength(1);
    expect(rx.requests[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(rx.requests[0]!.body)).toMatchObject({
      text: `EasyTask: job run ${run.id} SUCCESS after 1.5s on vm`,
      task: 'job', run_id: run.id, status: 'SUCCESS', exit_code: 0, duration_ms: 1500, pid: 4242, host: 'vm',
      slot: '2026-03-01T05:00:00.000Z', stdout_tail: 'starting\ndone 42\n', stderr_tail: '',
    });
    const [e] = await alertEvents(store);
    expect(e).toMatchObject({ type: 'alert.sent', data: { action: 'webhook', http_status: 200, target: rx.url.replace('/hook', '') } });
    expect(JSON.stringify(e!.data)).not.toContain('token');
  });

  it('sends Slack {text} with the stderr tail, for alert_on always, on failure', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await receiver();
    const run = await finishedRun(store, clock, home, 'FAILED');
    await new AlertRunner(store, clock, { home }).onFinal(run, task({ alert_on: 'always', actions: [{ slack: rx.url }] }));
    expect(JSON.parse(rx.requests[0]!.body)).toEqual({ text: `EasyTask: job run ${run.id} FAILED (exit_code, exit 3) after 1.5s on vm\n\`\`\`disk full: can't write\`\`\`` });
    expect((await alertEvents(store)).map((e) => [e.type, e.data.action])).toEqual([['alert.sent', 'slack']]);
  });

  it('records each failing action as alert.failed, never throws, and leaves the run as it was', async () => {
    const { store, clock, home } = await tempStore();
    const down = await receiver({ refuse: 10 });
    const run = await finishedRun(store, clock, home, 'FAILED');
    const before = await store.runs.get(run.id);
    const alerts = new AlertRunner(store, clock, { home, commandTimeoutMs: 300 });
    const t0 = performance.now();
    // The slow command's time limit runs on the runner's clock: driven here while the actions run.
    await drive(clock, alerts.onFinal(run, task({
      alert_on: 'failure',
      actions: [
        { webhook: down.url },
        { command: 'echo no mail server >&2; exit 1' },
        { command: `echo $$ > ${join(home, 'slow.pid')}; sleep 30 & sleep 30` },
        { command: 'echo ${E:NO_SUCH_VARIABLE_HERE}' },
        { slack: 'http://127.0.0.1:1/' },
      ],
    })));
    expect(performance.now() - t0).toBeLessThan(5000);
    const events = await alertEvents(store);
    expect(events.map((e) => [e.type, e.data.index])).toEqual([['alert.failed', 0], ['alert.failed', 1], ['alert.failed', 2], ['alert.failed', 3], ['alert.failed', 4]]);
    expect(events[0]!.data).toMatchObject({ action: 'webhook', http_status: 503, error: 'HTTP 503 Service Unavailable' });
    expect(events[1]!.data).toMatchObject({ action: 'command', exit_code: 1, error: 'no mail server' });
    expect(events[2]!.data).toMatchObject({ action: 'command', error: 'timed out after 300 ms' });
    expect(gone(Number(readFileSync(join(home, 'slow.pid'), 'utf8')))).toBe(true);
    expect(events[3]!.data).toMatchObject({ action: 'command', error: 'unknown placeholder ${E:NO_SUCH_VARIABLE_HERE} in alert command' });
    expect(events[4]!.data).toMatchObject({ action: 'slack' });
    expect(await store.runs.get(run.id)).toEqual(before);
  });

  it('fires nothing when alert_on does not match, and fires each action once however often it is called', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await receiver();
    const ok = await finishedRun(store, clock, home, 'SUCCESS');
    const alerts = new AlertRunner(store, clock, { home });
    await alerts.onFinal(ok, task({ alert_on: 'failure', actions: [{ webhook: rx.url }] }));
    expect(rx.requests).toHaveLength(0);
    const bad = await finishedRun(store, clock, home, 'FAILED', Date.UTC(2026, 2, 2));
    const t = task({ alert_on: 'failure', actions: [{ webhook: rx.url }, { slack: rx.url }] });
    await Promise.all([alerts.onFinal(bad, t), alerts.drain()]);
    await alerts.onFinal(bad, t);
    expect(rx.requests).toHaveLength(2);
    expect((await alertEvents(store)).map((e) => e.data.action)).toEqual(['webhook', 'slack']);
  });

  it('AlertFeed fires for runs that end after it started, once, across a restart', async () => {
    const { store, clock, home } = await tempStore();
    const rx = await receiver();
    const t = task({ alert_on: 'always', actions: [{ webhook: rx.url }] });
    const lookup = () => ({ task: t, timezone: 'UTC' });
    await finishedRun(store, clock, home, 'FAILED', Date.UTC(2026, 0, 1));
    const feed = new AlertFeed(store, new AlertRunner(store, clock, { home }), lookup);
    await feed.start();
    await feed.check();
    const later = await finishedRun(store, clock, home, 'SUCCESS', Date.UTC(2026, 0, 2));
    await Promise.all([feed.check(), feed.check()]);
    await feed.check();
    await feed.stop();
    expect(rx.requests.map((r) => JSON.parse(r.body).run_id)).toEqual([later.id]);

    const restarted = new AlertFeed(store, new AlertRunner(store, clock, { home }), lookup);
    await restarted.start();
    await restarted.check();
    const third = await finishedRun(store, clock, home, 'FAILED', Date.UTC(2026, 0, 3));
    await restarted.check();
    await restarted.stop();
    expect(rx.requests.map((r) => JSON.parse(r.body).run_id)).toEqual([later.id, third.id]);
  });

  it('AlertFeed resumes from the alerts:cursor a home already has, and moves it past a run end only once its alert finished', async () => {
    const { store, clock, home } = await tempStore();
    let answer: ((r: Response) => void) | undefined;
    const fetchImpl: FetchLike = () => new Promise((resolve) => (answer = resolve));
    const t = task({ alert_on: 'failure', actions: [{ webhook: 'http://receiver.invalid/hook' }] });
    const before = await store.events.lastSeq();
    const run = await finishedRun(store, clock, home, 'FAILED');
    await store.cursors.set('alerts:cursor', String(before)); // as an earlier daemon left it
    const feed = new AlertFeed(store, new AlertRunner(store, clock, { home, fetchImpl }), () => ({ task: t, timezone: 'UTC' }));
    await feed.start();
    await feed.check();
    await vi.waitFor(() => expect(answer).toBeDefined());
    expect(await store.cursors.get('alerts:cursor')).toBe(String(before)); // in flight: a crash now fires it again
    answer!(new Response(null, { status: 200 }));
    await feed.stop();
    const [end] = await store.events.list({ runId: run.id, types: ['run.failed'] });
    expect(await store.cursors.get('alerts:cursor')).toBe(String(end!.seq));
    expect((await alertEvents(store)).map((e) => e.type)).toEqual(['alert.sent']);
  });
});

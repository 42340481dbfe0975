// Several hosts on one PostgreSQL database, each a real daemon or agent process of the built executable
// (EASYTASK_HOSTNAME names the "host"): runs go to the host their task names, one leader schedules,
// a dead leader is replaced, a dead agent's run is recovered and retried on its host.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { RunRow, Store } from '../../src/store/index.js';
import { PgStore } from '../../src/store/postgres/store.js';
import { BIN, cli } from '../helpers/cli.js';
import { leads, startHost } from '../helpers/fleet.js';
import { tempHome } from '../helpers/home.js';
import { freshDatabase } from '../helpers/postgres.js';
import { eventually, waitFor } from '../helpers/wait.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function fleet() {
  const url = await freshDatabase();
  const admin = tempHome();
  const run = (args: string[], input?: string) => cli(admin, args, { env: { EASYTASK_STORE: url }, ...(input ? { input } : {}) });
  const store = await PgStore.open(url, admin, systemClock);
  stores.push(store);
  return { url, run, store };
}

/** Poll the store until `probe` gives a value. */
const task = (name: string, over: Record<string, unknown> = {}) => JSON.stringify({ name, cmd: 'echo ran on $(hostname)', trigger_times: '00:00', timezone: 'UTC', ...over });

describe('many hosts on one PostgreSQL store', () => {
  it("runs a task on the host its run_on_host names, and `agents` lists each host's queues", async () => {
    const { url, run, store } = await fleet();
    const a = await startHost(url, 'host-a');
    await leads(a);
    const b = await startHost(url, 'host-b', { role: 'agent', args: ['--queue', 'gpu'] });
    expect(run(['insert', '-'], task('pinned', { run_on_host: 'host-b' })).code).toBe(0);
    expect(run(['insert', '-'], task('gpu-job', { run_on_host: 'gpu' })).code).toBe(0);
    expect(run(['force-run', 'pinned']).code).toBe(0);
    expect(run(['force-run', 'gpu-job']).code).toBe(0);
    const ended = await eventually(async () => {
      const runs = await store.runs.list({});
      return runs.length === 2 && runs.every((r) => r.state === 'SUCCESS') && runs;
    }, 'both runs to succeed');
    expect(ended.map((r) => [r.task_name, r.host]).sort()).toEqual([['gpu-job', 'host-b'], ['pinned', 'host-b']]);
    const agents = JSON.parse(run(['agents', '--json']).stdout) as { host: string; kind: string; queues: string[]; state: string }[];
    expect(agents.map((x) => [x.host, x.kind, x.state, x.queues.sort()])).toEqual([
      ['host-a', 'daemon', 'online', ['host-a', 'localhost']],
      ['host-b', 'agent', 'online', ['gpu', 'host-b']],
    ]);
    // A queue nobody serves is said, not silent.
    expect(run(['insert', '-'], task('nowhere', { run_on_host: 'production-server-1' })).code).toBe(0);
    const list = run(['list']);
    expect(list.stderr).toMatch(/no online agent serves queue production-server-1 \(nowhere\)/);
    expect(run(['show', 'nowhere']).stdout).toMatch(/queue: +production-server-1 — no online agent serves it/);
    await b.stop();
    await a.stop();
    const after = JSON.parse(run(['agents', '--json']).stdout) as { state: string }[];
    expect(after.map((x) => x.state)).toEqual(['stopped', 'stopped']);
  });

  it('one leader at a time; when it dies another takes over within the lease, and each slot runs once', async () => {
    const { url, run, store } = await fleet();
    const a = await startHost(url, 'host-a');
    await leads(a);
    const b = await startHost(url, 'host-b');
    // Every second, on whichever host leads.
    expect(run(['insert', '-'], JSON.stringify({ name: 'tick', cmd: 'true', cron: '* * * * * *', timezone: 'UTC', run_on_host: 'localhost' })).code).toBe(0);
    await eventually(async () => (await store.runs.list({ task: 'tick' })).filter((r) => r.state === 'SUCCESS').length >= 3, 'a few ticks under the first leader');
    expect(b.output()).not.toMatch(/leading \(term/);
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await leads(b);
    const failover = Date.now() - killedAt;
    expect(failover).toBeLessThan(3000 + 1000 + 2000); // the leader lease, a campaign round, and room for a slow machine
    await eventually(async () => (await store.runs.list({ task: 'tick', sinceSlot: Date.now() - 1000 })).some((r) => r.state === 'SUCCESS'), 'ticks under the new leader');
    const runs = await store.runs.list({ task: 'tick', limit: 10_000 });
    const slots = runs.map((r) => r.slot);
    expect(new Set(slots).size).toBe(slots.length); // never two runs for one slot
    const daemon = await store.daemonLease.read();
    expect(daemon).toMatchObject({ host: 'host-b' });
  });

  it('an agent killed mid-run: its run is recovered after the lease and retried on its host once it is back, never twice at once', async () => {
    const { url, run, store } = await fleet();
    const a = await startHost(url, 'host-a');
    await leads(a);
    const b = await startHost(url, 'host-b', { role: 'agent' });
    expect(run(['insert', '-'], task('long', { run_on_host: 'host-b', cmd: 'sleep 30', retry_attempts: 1, retry_delay: 1 })).code).toBe(0);
    expect(run(['force-run', 'long']).code).toBe(0);
    const running = await eventually(async () => (await store.runs.list({ task: 'long' })).find((r) => r.state === 'RUNNING'), 'the run to start on host-b');
    expect(running.host).toBe('host-b');
    b.child.kill('SIGKILL'); // its `sleep 30` is left behind, in its own process group
    const retrying = await eventually(async () => {
      const r = await store.runs.get(running.id);
      return r?.state === 'RESTARTING' && r;
    }, 'the leader to recover the run', 15_000);
    expect(retrying.reason).toBe('lost');
    // Nobody else serves host-b: the retry waits for that host.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await store.runs.get(running.id))!.state).toBe('RESTARTING');
    const b2 = await startHost(url, 'host-b', { role: 'agent', home: b.home });
    expect(b2.output()).toMatch(/Killed 1 leftover process/); // the first attempt's sleep, before anything else
    const second = await eventually(async () => {
      const r = await store.runs.get(running.id);
      return r?.state === 'RUNNING' && r.attempt === 2 && r;
    }, 'attempt 2 on host-b');
    expect(second.host).toBe('host-b');
    const events = (await store.events.list({ runId: running.id })).map((e) => `${e.type}:${e.attempt}`);
    expect(events).toEqual(['run.created:0', 'run.triggered:0', 'run.accepted:1', 'run.started:1', 'run.retrying:1', 'run.accepted:2', 'run.started:2']);
  });

  it('4 agents × 200 short runs: every run once, and a follower on another host sees every event once, in order', async () => {
    const { url, run, store } = await fleet();
    const leader = await startHost(url, 'host-l', { args: ['--queue', 'none'] });
    await leads(leader);
    const agents = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((h) => startHost(url, h, { role: 'agent', args: ['--queue', 'work', '--concurrency', '8'] })));
    const follower = startFollower(url);
    const due = new Date(Date.now() + 4000).toISOString().slice(11, 19);
    const defs = Array.from({ length: 800 }, (_, i) => ({ name: `r${i}`, cmd: 'true', trigger_times: due, timezone: 'UTC', run_on_host: 'work' }));
    expect(run(['insert', '-'], JSON.stringify(defs)).code).toBe(0);
    const done = await eventually(async () => {
      const runs = await store.runs.list({ limit: 10_000 });
      return runs.length === 800 && runs.every((r) => r.state === 'SUCCESS') && runs;
    }, 'all 800 runs to succeed', 120_000);
    expect(done.every((r: RunRow) => r.attempt === 1)).toBe(true);
    const byHost = new Map<string, number>();
    for (const r of done) byHost.set(r.host!, (byHost.get(r.host!) ?? 0) + 1);
    expect([...byHost.keys()].sort()).toEqual(['w1', 'w2', 'w3', 'w4']);
    const last = await store.events.lastSeq();
    const seen = await follower.until(last);
    const all = (await store.events.list()).map((e) => e.seq);
    expect(seen).toEqual(all);
    for (const a of agents) await a.stop();
  });
});

/** `easytask events -f --format json` on a host of its own: the seqs it printed, in order. */
function startFollower(url: string) {
  const home = tempHome();
  const child = spawn(process.execPath, [BIN, 'events', '-f', '--after', '0', '--format', 'json'], { env: { ...process.env, EASYTASK_HOME: home, EASYTASK_STORE: url, EASYTASK_HOSTNAME: 'host-f' } });
  const seqs: number[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) seqs.push((JSON.parse(l) as { seq: number }).seq);
  });
  return {
    until: async (last: number) => {
      await waitFor(() => seqs.at(-1)! >= last, `the follower to reach seq ${last}`, 30_000);
      child.kill('SIGTERM');
      return seqs;
    },
  };
}

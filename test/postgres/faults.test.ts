// The guarantees of a shared store under faults, each on a real PostgreSQL server with real daemon
// and agent processes: a paused leader, a host cut off from the database while its command runs, a
// host whose clock is ten minutes off, the listening connection killed, a pooler in transaction mode,
// and the database away for 30 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { Store } from '../../src/store/index.js';
import { PgStore } from '../../src/store/postgres/store.js';
import { cli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { leads, startHost } from '../helpers/fleet.js';
import { tempHome } from '../helpers/home.js';
import { freshDatabase } from '../helpers/postgres.js';
import { freePort, postgresBin, startPostgres } from '../helpers/postgres-server.js';
import { tcpProxy } from '../helpers/tcp-proxy.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function open(url: string) {
  const admin = tempHome();
  const run = (args: string[], input?: string) => cli(admin, args, { env: { EASYTASK_STORE: url }, ...(input ? { input } : {}) });
  const store = await PgStore.open(url, admin, systemClock);
  stores.push(store);
  return { run, store };
}

const hms = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`]).status === 0;

describe('a shared store under faults', () => {
  it('a leader paused (SIGSTOP) past its lease just before a fire: another fires the slot once, and the paused one writes nothing stale when it wakes', async () => {
    const url = await freshDatabase();
    const { run, store } = await open(url);
    const a = await startHost(url, 'host-a');
    await leads(a);
    const b = await startHost(url, 'host-b');
    const due = Math.ceil((Date.now() + 4000) / 1000) * 1000;
    expect(run(['insert', '-'], JSON.stringify({ name: 'once', cmd: 'true', trigger_times: hms(due), timezone: 'UTC' })).code).toBe(0);
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now() - 1500)));
    process.kill(a.child.pid!, 'SIGSTOP');
    await leads(b);
    const done = await eventually(async () => (await store.runs.list({ task: 'once' })).find((r) => r.state === 'SUCCESS'), 'the slot to run under the new leader');
    expect(done.slot).toBe(due);
    process.kill(a.child.pid!, 'SIGCONT');
    await eventually(async () => /no longer leading/.test(a.output()) || undefined, 'the old leader to step down', 15_000);
    await new Promise((r) => setTimeout(r, 2000)); // time to write anything stale, if it could
    const runs = await store.runs.list({ task: 'once' });
    expect(runs.map((r) => [r.slot, r.state])).toEqual([[due, 'SUCCESS']]);
    const leader = await store.daemonLease.read();
    expect(leader).toMatchObject({ host: 'host-b' });
    expect(a.output()).not.toMatch(/error while .*FENCED/); // refused writes are not errors to report as such
  });

  it('an agent cut off from the database kills its command before its lease ends; the run is recovered once, never running twice', async () => {
    const url = await freshDatabase();
    const { run, store } = await open(url);
    const a = await startHost(url, 'host-a');
    await leads(a);
    const proxy = await tcpProxy(Number(new URL(url).port));
    const marks = join(tempHome(), 'alive');
    const b = await startHost(url, 'host-b', { role: 'agent', url: proxy.urlThrough(url) });
    expect(run(['insert', '-'], JSON.stringify({ name: 'cut', cmd: `while true; do date +%s%3N >> ${marks}; sleep 0.1; done`, trigger_times: '00:00', timezone: 'UTC', run_on_host: 'host-b' })).code).toBe(0);
    expect(run(['force-run', 'cut']).code).toBe(0);
    const running = await eventually(async () => (await store.runs.list({ task: 'cut' })).find((r) => r.state === 'RUNNING'), 'the command to run on host-b');
    await proxy.cut();
    const lost = await eventually(async () => {
      const r = await store.runs.get(running.id);
      return r?.state === 'FAILED' && r;
    }, 'the leader to recover the run', 20_000);
    expect(lost.reason).toBe('lost');
    const recoveredAt = (await store.events.list({ runId: running.id })).find((e) => e.type === 'run.failed')!.time;
    const { readFileSync } = await import('node:fs');
    const lastMark = Math.max(...readFileSync(marks, 'utf8').trim().split('\n').map(Number));
    expect(lastMark).toBeLessThan(recoveredAt); // the command was dead before the run was recovered
    expect(b.output()).toMatch(/killed before the lease ends/);
    await proxy.restore();
    await new Promise((r) => setTimeout(r, 3000)); // the agent reconnects: its late report of the end is refused
    expect(await store.runs.get(running.id)).toMatchObject({ state: 'FAILED', reason: 'lost' });
    expect((await store.events.list({ runId: running.id })).filter((e) => e.type === 'run.failed')).toHaveLength(1);
  });

  it('a host whose clock is 10 minutes fast (faketime) fires on the database clock, and its leases are not taken for expired', async () => {
    if (!has('faketime')) throw new Error('faketime is not installed (Debian package faketime; .ci/run installs it)');
    const url = await freshDatabase();
    const { run, store } = await open(url);
    const lib = execFileSync('sh', ['-c', 'ls /usr/lib/*/faketime/libfaketime.so.1 | head -1']).toString().trim();
    const skewed = { LD_PRELOAD: lib, FAKETIME: '+10m', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const a = await startHost(url, 'host-a', { env: skewed }); // the skewed host leads
    await leads(a);
    expect(a.output()).toMatch(/clock is (59\d|60\d)(\.\d+)?s ahead of the database's/);
    const b = await startHost(url, 'host-b', { role: 'agent' });
    const due = Math.ceil((Date.now() + 4000) / 1000) * 1000;
    expect(run(['insert', '-'], JSON.stringify({ name: 'skew', cmd: 'sleep 5', trigger_times: hms(due), timezone: 'UTC', run_on_host: 'host-b' })).code).toBe(0);
    const started = await eventually(async () => (await store.runs.list({ task: 'skew' })).find((r) => r.state === 'RUNNING'), 'the slot to start', 15_000);
    expect(started.triggered_at! - due).toBeGreaterThanOrEqual(0); // never early
    expect(started.triggered_at! - due).toBeLessThan(3000); // and not 10 minutes late either
    const done = await eventually(async () => {
      const r = await store.runs.get(started.id);
      return r && ['SUCCESS', 'FAILED'].includes(r.state) && r;
    }, 'the run to end', 20_000);
    expect(done).toMatchObject({ state: 'SUCCESS', attempt: 1 }); // not recovered as lost mid-run
    await b.stop();
  });

  it('the listening connection killed (pg_terminate_backend): work goes on by polling, and the listener comes back', async () => {
    const url = await freshDatabase();
    const { run, store } = await open(url);
    const a = await startHost(url, 'host-a');
    await leads(a);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const listeners = async () => (await admin.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE '%:listen' AND datname = current_database()`)).rows as { pid: number }[];
      await eventually(async () => (await listeners()).length === 1 || undefined, 'the listener');
      const [{ pid }] = (await listeners()) as [{ pid: number }];
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(run(['insert', '-'], JSON.stringify({ name: 'polled', cmd: 'true', trigger_times: '00:00', timezone: 'UTC' })).code).toBe(0);
      expect(run(['force-run', 'polled']).code).toBe(0);
      await eventually(async () => (await store.runs.list({ task: 'polled' })).some((r) => r.state === 'SUCCESS') || undefined, 'the run, with the listener down');
      await eventually(async () => {
        const now = await listeners();
        return now.length === 1 && now[0]!.pid !== pid;
      }, 'a new listener', 15_000);
    } finally {
      await admin.end();
    }
  });

  it('a connection pooler in transaction mode is refused with a clear message; one in session mode is fine', async () => {
    if (!has('pgbouncer')) throw new Error('pgbouncer is not installed (Debian package pgbouncer; .ci/run installs it)');
    const url = await freshDatabase();
    const through = async (mode: 'transaction' | 'session') => {
      const u = new URL(url);
      const dir = tempHome();
      const port = await freePort();
      const db = u.pathname.slice(1);
      writeFileSync(join(dir, 'pgbouncer.ini'), [
        '[databases]', `${db} = host=127.0.0.1 port=${u.port} dbname=${db}`,
        '[pgbouncer]', `listen_addr = 127.0.0.1`, `listen_port = ${port}`, 'auth_type = trust', `auth_file = ${join(dir, 'users.txt')}`,
        `pool_mode = ${mode}`, 'default_pool_size = 4', `unix_socket_dir = ${dir}`, `logfile = ${join(dir, 'pgbouncer.log')}`, `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      ].join('\n'));
      writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
      const { spawn } = await import('node:child_process');
      const root = process.getuid?.() === 0;
      if (root) execFileSync('chown', ['-R', 'postgres', dir]);
      const bin = execFileSync('sh', ['-c', 'command -v pgbouncer || echo /usr/sbin/pgbouncer']).toString().trim();
      const bouncer = spawn(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, join(dir, 'pgbouncer.ini')] : [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
      try {
        await eventually(async () => spawnSync(join(postgresBin(), 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0 || undefined, 'pgbouncer');
        u.port = String(port);
        return cli(tempHome(), ['list'], { env: { EASYTASK_STORE: u.toString() } });
      } finally {
        bouncer.kill('SIGKILL');
        if (root) spawnSync('pkill', ['-f', join(dir, 'pgbouncer.ini')]);
      }
    };
    const refused = await through('transaction');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not keep a session between statements \(a connection pooler in transaction mode/);
    const fine = await through('session');
    expect(fine.stderr).toBe('');
    expect(fine.code).toBe(0);
  });
});

describe('the database away for 30 s', () => {
  it('loses nothing and doubles nothing once it returns', { timeout: 180_000 }, async () => {
    const server = await startPostgres();
    try {
      const url = server.url;
      const { run, store } = await open(url);
      const a = await startHost(url, 'host-a');
      await leads(a);
      expect(run(['insert', '-'], JSON.stringify({ name: 'sec', cmd: 'true', cron: '* * * * * *', timezone: 'UTC', catch_up: 'all' })).code).toBe(0);
      await eventually(async () => (await store.runs.list({ task: 'sec' })).filter((r) => r.state === 'SUCCESS').length >= 2 || undefined, 'a few runs');
      await store.close();
      stores.length = 0;
      const downAt = Date.now();
      await server.halt();
      await new Promise((r) => setTimeout(r, 30_000));
      await server.restart();
      const upAt = Date.now();
      const { store: again } = await open(url);
      // The 30 missed slots run first, one after another (catch_up all), on a machine busy with other test files.
      await eventually(async () => (await again.runs.list({ task: 'sec', sinceSlot: upAt })).some((r) => r.state === 'SUCCESS') || undefined, 'runs after the database came back', 90_000).catch(async (err: Error) => {
        const runs = await again.runs.list({ task: 'sec', limit: 100_000 });
        const count = new Map<string, number>();
        for (const r of runs) count.set(r.state, (count.get(r.state) ?? 0) + 1);
        const states = [...count].map(([k, n]) => `${k} ${n}`).join(', ');
        throw new Error(`${err.message}; runs: ${states}\n--- host-a (last 3000 characters) ---\n${a.output().slice(-3000)}`);
      });
      const runs = await again.runs.list({ task: 'sec', limit: 100_000 });
      const slots = runs.map((r) => r.slot);
      expect(new Set(slots).size).toBe(slots.length); // nothing doubled
      // Nothing lost: every second of the outage has its slot (catch_up all), run or skipped as missed.
      for (let t = Math.ceil(downAt / 1000) * 1000; t < upAt - 1000; t += 1000) expect(slots).toContain(t);
      expect(runs.filter((r) => !['SUCCESS', 'SKIPPED'].includes(r.state) && r.slot < upAt - 5000)).toEqual([]);
      expect(a.child.exitCode).toBeNull(); // the daemon lived through it
    } finally {
      await server.stop();
    }
  });
});

// Several hosts on PostgreSQL, each figure beside the SQLite single-host one measured in the same run:
// fire lateness across 2 agent processes, a burst shared by 4 agents, leader fail-over time, and the
// recovery time of a dead host's run. Starts its own PostgreSQL server (initdb, own port).
// Run after `npm run build`: node --import tsx test/bench/fleet.bench.mjs   (about 5 minutes; BENCH_QUICK=1 shortens it)
import Database from 'better-sqlite3';
import pg from 'pg';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../helpers/postgres-server.ts';
import { BIN, fmt, measure, percentile, printTable } from './lib.mjs';

const QUICK = !!process.env.BENCH_QUICK;
const root = mkdtempSync(join(tmpdir(), 'easytask-bench-fleet-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);
const server = await startPostgres();
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
let dbs = 0;
async function database() {
  const name = `bench_${++dbs}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
}

const procs = [];
function start(args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const waitFor = (re, ms = 60_000) =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const t = setInterval(() => {
        if (re.test(out)) return clearInterval(t), resolve(performance.now());
        if (performance.now() - t0 > ms) return clearInterval(t), reject(new Error(`timed out waiting for ${re}: ${out.slice(-400)}`));
      }, 5);
    });
  return { child, waitFor, output: () => out, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.on('exit', r), child.kill('SIGTERM')))) };
}

/** A host of a shared store: a daemon (may lead) or an agent, with its own home. */
function host(url, name, role, args = []) {
  const home = mkdtempSync(join(root, `${name}-`));
  return start([role, '--store', url, ...args], { EASYTASK_HOME: home, EASYTASK_HOSTNAME: name });
}

async function insert(env, tasks) {
  const r = await measure(process.execPath, [BIN, 'insert', '-', '--json'], { env: { ...process.env, ...env }, input: JSON.stringify(tasks) });
  if (r.code !== 0) throw new Error(r.out.slice(0, 400));
}

const pgQuery = async (url, sql) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
};

async function pgUntil(url, sql, want, ms) {
  const deadline = performance.now() + ms;
  for (;;) {
    const [{ n }] = await pgQuery(url, sql);
    if (Number(n) >= want) return;
    if (performance.now() > deadline) throw new Error(`timed out: ${sql} = ${n}, wanted ${want}`);
    await sleep(100);
  }
}

async function sqliteUntil(home, sql, want, ms) {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const deadline = performance.now() + ms;
  try {
    for (;;) {
      if (db.prepare(sql).get().n >= want) return;
      if (performance.now() > deadline) throw new Error(`timed out: ${sql}`);
      await sleep(100);
    }
  } finally {
    db.close();
  }
}

const latePlan = () => {
  const n = QUICK ? 40 : 200;
  const spread = QUICK ? 10 : 60;
  const startAt = Math.ceil(Date.now() / 1000) * 1000 + 10_000;
  return { n, spread, at: Array.from({ length: n }, (_, i) => startAt + Math.floor((i * spread) / n) * 1000) };
};
const lateTasks = (at, queue) => at.map((t, i) => ({ name: `late-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(t), run_on_host: queue }));
const lateness = (rows) => rows.map((r) => Date.parse(r.spawned) - Number(r.slot));

// 1. Lateness: SQLite, one daemon; then PostgreSQL, a leader and 2 agent processes serving the queue.
async function latenessSqlite() {
  const home = mkdtempSync(join(root, 'late-sqlite-'));
  const { n, spread, at } = latePlan();
  await insert({ EASYTASK_HOME: home }, lateTasks(at, 'localhost'));
  const d = start(['daemon'], { EASYTASK_HOME: home });
  await d.waitFor(/Scheduler service started/);
  await sqliteUntil(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, (spread + 40) * 1000);
  await d.stop();
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const rows = db.prepare(`SELECT r.slot, json_extract(s.data, '$.spawned_at') AS spawned FROM runs r JOIN events s ON s.run_id = r.id AND s.type = 'run.started'`).all();
  db.close();
  return lateness(rows);
}

async function latenessPg() {
  const url = await database();
  const { n, spread, at } = latePlan();
  const leader = host(url, 'lead', 'daemon', ['--queue', 'none']);
  await leader.waitFor(/leading \(term/);
  const agents = ['a1', 'a2'].map((h) => host(url, h, 'agent', ['--queue', 'work']));
  for (const a of agents) await a.waitFor(/Agent started/);
  await insert({ EASYTASK_HOME: mkdtempSync(join(root, 'cli-')), EASYTASK_STORE: url }, lateTasks(at, 'work'));
  await pgUntil(url, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, (spread + 40) * 1000);
  const rows = await pgQuery(url, `SELECT r.slot, s.data->>'spawned_at' AS spawned, r.host FROM runs r JOIN events s ON s.run_id = r.id AND s.type = 'run.started'`);
  for (const p of [...agents, leader]) await p.stop();
  return { late: lateness(rows), hosts: new Set(rows.map((r) => r.host)).size };
}

// 2. Burst: 1000 runs due at one instant; SQLite one daemon (concurrency 8) against 4 agents × 250 (concurrency 2 each: 8 in all).
async function burstSqlite(n) {
  const home = mkdtempSync(join(root, 'burst-sqlite-'));
  const due = Math.ceil(Date.now() / 1000) * 1000 + 8000;
  await insert({ EASYTASK_HOME: home }, Array.from({ length: n }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due) })));
  const d = start(['daemon', '--concurrency', '8'], { EASYTASK_HOME: home });
  await d.waitFor(/Scheduler service started/);
  await sqliteUntil(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, 300_000);
  await d.stop();
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const { first, last } = db.prepare(`SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`).get();
  db.close();
  return (last - first) / 1000;
}

async function burstPg(n, agentsN) {
  const url = await database();
  const leader = host(url, 'lead', 'daemon', ['--queue', 'none']);
  await leader.waitFor(/leading \(term/);
  const agents = Array.from({ length: agentsN }, (_, i) => host(url, `w${i + 1}`, 'agent', ['--queue', 'work', '--concurrency', String(8 / agentsN)]));
  for (const a of agents) await a.waitFor(/Agent started/);
  const due = Math.ceil(Date.now() / 1000) * 1000 + 8000;
  await insert({ EASYTASK_HOME: mkdtempSync(join(root, 'cli-')), EASYTASK_STORE: url }, Array.from({ length: n }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due), run_on_host: 'work' })));
  await pgUntil(url, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, 300_000);
  const [{ first, last }] = await pgQuery(url, `SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`);
  const [{ doubles }] = await pgQuery(url, `SELECT COUNT(*) - COUNT(DISTINCT run_id) AS doubles FROM events WHERE type = 'run.accepted'`);
  for (const p of [...agents, leader]) await p.stop();
  return { seconds: (Number(last) - Number(first)) / 1000, doubles: Number(doubles) };
}

// 3. Fail-over: the leader killed (SIGKILL) → another daemon leads. Default leader lease (10 s).
async function failover(extra = []) {
  const url = await database();
  const a = host(url, 'fa', 'daemon', extra);
  await a.waitFor(/leading \(term/);
  const b = host(url, 'fb', 'daemon', extra);
  await b.waitFor(/Scheduler service started/);
  await sleep(1500);
  const t0 = performance.now();
  a.child.kill('SIGKILL');
  const t1 = await b.waitFor(/leading \(term/, 60_000);
  await b.stop();
  return (t1 - t0) / 1000;
}

// 4. Recovery of a dead host's run: the agent killed (SIGKILL) mid-run → the run recovered (RESTARTING). Default lease (30 s) and grace (10 s).
async function recovery(extra = []) {
  const url = await database();
  const a = host(url, 'ra', 'daemon', extra);
  await a.waitFor(/leading \(term/);
  const b = host(url, 'rb', 'agent', extra);
  await b.waitFor(/Agent started/);
  const env = { EASYTASK_HOME: mkdtempSync(join(root, 'cli-')), EASYTASK_STORE: url };
  await insert(env, [{ name: 'long', cmd: 'sleep 300', trigger_times: '00:00', timezone: 'UTC', run_on_host: 'rb', retry_attempts: 1 }]);
  const fr = await measure(process.execPath, [BIN, 'force-run', 'long'], { env: { ...process.env, ...env } });
  if (fr.code !== 0) throw new Error(fr.out);
  await pgUntil(url, `SELECT COUNT(*) AS n FROM runs WHERE state = 'RUNNING'`, 1, 30_000);
  const t0 = performance.now();
  b.child.kill('SIGKILL');
  await pgUntil(url, `SELECT COUNT(*) AS n FROM runs WHERE state = 'RESTARTING'`, 1, 120_000);
  const t = (performance.now() - t0) / 1000;
  await a.stop();
  await pgQuery(url, `SELECT 1`);
  return t;
}

const ls = await latenessSqlite();
const lp = await latenessPg();
const n = QUICK ? 200 : 1000;
const bs = await burstSqlite(n);
const bp = await burstPg(n, 4);
const fo = await failover();
const fo3 = await failover(['--leader-lease', '3']);
const rc = await recovery();
const rc3 = await recovery(['--lease', '3', '--lease-grace', '1']);
const p = (v, q) => percentile(v, q);
printTable(`Several hosts on PostgreSQL (${QUICK ? 'quick run' : 'full run'}), each beside SQLite single-host measured in the same run`, [
  { figure: `fire lateness p50, ${ls.length} tasks, instant → process spawned, 2 agent processes (ms)`, value: fmt(p(lp.late, 50), 1), baseline: `${fmt(p(ls, 50), 1)} (SQLite, one daemon)`, ratio: fmt(p(lp.late, 50) / p(ls, 50), 2), target: '-' },
  { figure: 'fire lateness p99 (ms)', value: fmt(p(lp.late, 99), 1), baseline: `${fmt(p(ls, 99), 1)} (SQLite)`, ratio: fmt(p(lp.late, 99) / p(ls, 99), 2), target: '≤ 2×' },
  { figure: 'runs early (either store)', value: String([...lp.late, ...ls].filter((x) => x < 0).length), target: '0' },
  { figure: `burst of ${n}: runs/s, 4 agents × ${n / 4} (concurrency 2 each)`, value: fmt(n / bp.seconds, 0), baseline: `${fmt(n / bs, 0)} (SQLite, one daemon, concurrency 8)`, ratio: fmt(bs / bp.seconds, 2), target: '≥ 0.7×' },
  { figure: 'runs accepted twice in the burst', value: String(bp.doubles), target: '0' },
  { figure: 'leader fail-over after SIGKILL, default --leader-lease 10 (s)', value: fmt(fo, 1), target: '-' },
  { figure: 'leader fail-over after SIGKILL, --leader-lease 3 (s)', value: fmt(fo3, 1), target: '-' },
  { figure: "a dead host's run recovered (RESTARTING) after SIGKILL, default --lease 30 --lease-grace 10 (s)", value: fmt(rc, 1), target: '-' },
  { figure: "a dead host's run recovered, --lease 3 --lease-grace 1 (s)", value: fmt(rc3, 1), target: '-' },
]);
for (const c of procs) if (c.exitCode === null) c.kill('SIGKILL');
await admin.end();
await server.stop();
rmSync(root, { recursive: true, force: true });

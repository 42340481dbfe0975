// The HTTP API of a daemon over a home of 1,000 tasks and 200,000 runs: /metrics scrape time beside
// /healthz (the baseline: the same server, no store read), the latency of the event stream (commit →
// client), and the idle daemon's CPU and memory with and without --http.
// Run: npm run build && node --import tsx test/bench/http.bench.mjs
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.ts';
import { openStore, storePath } from '../../src/store/index.ts';
import { task } from '../helpers/defs.ts';
import { BIN, ROOT, fmt, percentile, printTable } from './lib.mjs';

const TASKS = 1000;
const RUNS = 200_000;
const SCRAPES = 50;
const STREAM_EVENTS = 200;
const IDLE_S = Number(process.env.IDLE_S ?? 20);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const home = mkdtempSync(join(tmpdir(), 'easytask-bench-http-'));

async function seed() {
  const store = await openStore(home, systemClock);
  // A fire time half a day away: nothing fires while the bench runs.
  const hour = String((new Date().getUTCHours() + 12) % 24).padStart(2, '0');
  const write = Array.from({ length: TASKS }, (_, i) => ({ kind: 'task', def: task({ name: `task${i}`, cmd: 'true', trigger_times: `${hour}:00` }) }));
  await store.defs.apply({ write, replace: false });
  await store.close();
  // The runs in one transaction from outside (a bench's seeding): finished runs over 30 days, 1 in 10 failed.
  const db = new Database(storePath(home));
  db.pragma('busy_timeout = 5000');
  const ins = db.prepare(`INSERT INTO runs (task_id, task_name, instance, slot, state, attempt, max_attempts, exit_code, host, created_at, started_at, ended_at)
    VALUES (?, ?, 'default', ?, ?, 1, 1, ?, 'bench', ?, ?, ?)`);
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const slot = now - 30 * 86_400_000 + Math.floor((i / RUNS) * 30 * 86_400_000);
      const failed = i % 10 === 9;
      ins.run(1_000_000 + (i % TASKS) + 1, `task${i % TASKS}`, slot, failed ? 'FAILED' : 'SUCCESS', failed ? 1 : 0, slot, slot, slot + 1234);
    }
  }).immediate();
  db.close();
}

function startDaemon(args) {
  const child = spawn(process.execPath, [BIN, 'daemon', '--quiet', ...args], { cwd: ROOT, env: { ...process.env, EASYTASK_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const started = new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (out.includes('Scheduler service started')) (clearInterval(t), resolve());
      if (child.exitCode !== null) (clearInterval(t), reject(new Error(out)));
    }, 20);
  });
  const stop = () => new Promise((resolve) => (child.on('exit', resolve), child.kill('SIGTERM')));
  return { child, started, stop, output: () => out };
}

const procStat = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, s (USER_HZ 100)
};
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function idle(args) {
  const d = startDaemon(args);
  await d.started;
  await sleep(3000); // past the start
  const cpu0 = procStat(d.child.pid);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const cpu = ((procStat(d.child.pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
  const rss = rssMiB(d.child.pid);
  await d.stop();
  return { cpu, rss };
}

async function timed(url, opts) {
  const t0 = performance.now();
  const r = await fetch(url, opts);
  const body = await r.text();
  if (!r.ok) throw new Error(`${url}: ${r.status} ${body}`);
  return { ms: performance.now() - t0, body };
}

async function main() {
  let t0 = performance.now();
  await seed();
  console.log(`seeded ${TASKS} tasks and ${RUNS} runs in ${fmt((performance.now() - t0) / 1000)} s`);
  const d = startDaemon(['--http', '127.0.0.1:0', '--poll', '200']);
  t0 = performance.now();
  await d.started;
  const startMs = performance.now() - t0;
  const base = `http://127.0.0.1:${/HTTP API and metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.output())[1]}`;
  const token = readFileSync(join(home, 'http-tokens'), 'utf8').split('\n').find((l) => l.startsWith('default ')).split(' ')[1];

  // Scrapes beside health checks, interleaved (warm both first).
  await timed(`${base}/metrics`);
  await timed(`${base}/healthz`);
  const scrape = [];
  const health = [];
  let text = '';
  for (let i = 0; i < SCRAPES; i++) {
    const s = await timed(`${base}/metrics`);
    scrape.push(s.ms);
    text = s.body;
    health.push((await timed(`${base}/healthz`)).ms);
  }
  const finished = [...text.matchAll(/^easytask_runs_finished_total\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
  if (finished !== RUNS) throw new Error(`the scrape counts ${finished} finished runs, not ${RUNS}`);

  // The event stream: each disable/enable through the API is an event; latency = arrival - its commit time.
  const ac = new AbortController();
  const res = await fetch(`${base}/api/events/stream`, { signal: ac.signal });
  const latencies = [];
  const reading = (async () => {
    const dec = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      const arrived = Date.now();
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) latencies.push(arrived - Date.parse(JSON.parse(data.slice(6)).time));
      }
      if (latencies.length >= STREAM_EVENTS) break;
    }
  })();
  await sleep(200);
  for (let i = 0; i < STREAM_EVENTS; i++) {
    await timed(`${base}/api/tasks/task${Math.floor(i / 2)}/${i % 2 === 0 ? 'disable' : 'enable'}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    await sleep(20);
  }
  await Promise.race([reading, sleep(10_000)]);
  ac.abort();
  await d.stop();

  const withHttp = await idle(['--http', '127.0.0.1:0']);
  const without = await idle([]);

  printTable(`HTTP API: ${TASKS} tasks, ${RUNS} runs (daemon started in ${fmt(startMs)} ms with --http)`, [
    { figure: `/metrics scrape p50 (${SCRAPES} scrapes)`, value: `${fmt(percentile(scrape, 50))} ms`, baseline: `${fmt(percentile(health, 50))} ms (/healthz)`, ratio: `${fmt(percentile(scrape, 50) / percentile(health, 50), 2)}×`, target: '< 50 ms' },
    { figure: '/metrics scrape p99', value: `${fmt(percentile(scrape, 99))} ms`, baseline: `${fmt(percentile(health, 99))} ms (/healthz)`, ratio: `${fmt(percentile(scrape, 99) / percentile(health, 99), 2)}×`, target: '< 50 ms' },
    { figure: '/metrics size', value: `${fmt(text.length / 1024)} KiB` },
    { figure: `event stream latency p50 (${latencies.length} events)`, value: `${fmt(percentile(latencies, 50))} ms`, target: '-' },
    { figure: 'event stream latency p99', value: `${fmt(percentile(latencies, 99))} ms`, target: '≤ 250 ms' },
    { figure: `idle CPU over ${IDLE_S} s`, value: `${fmt(withHttp.cpu, 2)} % (--http)`, baseline: `${fmt(without.cpu, 2)} %`, ratio: `${fmt(withHttp.cpu / without.cpu, 2)}×` },
    { figure: 'idle RSS', value: `${fmt(withHttp.rss)} MiB (--http)`, baseline: `${fmt(without.rss)} MiB`, ratio: `${fmt(withHttp.rss / without.rss, 2)}×` },
  ]);
}

try {
  await main();
} finally {
  rmSync(home, { recursive: true, force: true });
}

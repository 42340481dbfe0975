// Daemon figures: fire lateness, burst throughput against a bare spawn loop, idle CPU and memory.
// Run after `npm run build`: node test/bench/daemon.bench.mjs   (about 3 minutes)
// BENCH_QUICK=1 shortens every phase (for a smoke run; the figures are then rougher).
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, fmt, measure, percentile, printTable } from './lib.mjs';

const QUICK = !!process.env.BENCH_QUICK;
const root = mkdtempSync(join(tmpdir(), 'easytask-bench-daemon-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);

async function insert(home, tasks) {
  const r = await measure(process.execPath, [BIN, 'insert', '-', '--json'], { env: { ...process.env, EASYTASK_HOME: home }, input: JSON.stringify(tasks) });
  if (r.code !== 0) throw new Error(r.out.slice(0, 400));
}

function startDaemon(home, args = []) {
  const child = spawn(process.execPath, [BIN, 'daemon', ...args], { env: { ...process.env, EASYTASK_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const ready = new Promise((resolve) => {
    const t = setInterval(() => out.includes('Scheduler service started') && (clearInterval(t), resolve()), 10);
  });
  return { child, ready, stop: () => new Promise((r) => (child.on('exit', r), child.kill('SIGTERM'))) };
}

async function until(home, sql, want, timeoutMs) {
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      const n = db.prepare(sql).get().n;
      if (n >= want) return;
      if (performance.now() > deadline) throw new Error(`timed out: ${sql} = ${n}, wanted ${want}`);
      await sleep(100);
    }
  } finally {
    db.close();
  }
}

// 1. Lateness: N tasks spread over a window, each due once at its own second (3 or 4 share each
// second). "Spawned" is the instant the process started (spawned_at in run.started); "recorded"
// is the time of the run.started event itself, committed a moment later.
const latePlan = () => {
  const n = QUICK ? 40 : 200;
  const spread = QUICK ? 10 : 60;
  const start = Math.ceil(Date.now() / 1000) * 1000 + 8000;
  return { n, spread, at: Array.from({ length: n }, (_, i) => start + Math.floor((i * spread) / n) * 1000) };
};

async function lateness(label, args = []) {
  const home = join(root, `lateness-${label}`);
  const { n, spread, at } = latePlan();
  const tasks = at.map((t, i) => ({ name: `late-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(t) }));
  await insert(home, tasks);
  const d = startDaemon(home, args);
  await d.ready;
  await until(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, (spread + 30) * 1000);
  await d.stop();
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const rows = db.prepare(`SELECT r.slot, t.time AS triggered, s.time AS recorded, json_extract(s.data, '$.spawned_at') AS spawned FROM runs r
    JOIN events t ON t.run_id = r.id AND t.type = 'run.triggered' JOIN events s ON s.run_id = r.id AND s.type = 'run.started'`).all();
  db.close();
  const late = rows.map((r) => Date.parse(r.spawned) - r.slot);
  const recorded = rows.map((r) => r.recorded - r.slot);
  const early = rows.filter((r) => r.triggered < r.slot || Date.parse(r.spawned) < r.slot).length;
  return { n: rows.length, p50: percentile(late, 50), p99: percentile(late, 99), max: Math.max(...late), recordedP99: percentile(recorded, 99), early };
}

/** Start `bash -c true` as the agent does: through execa, own process group, piped output. */
function execaTrue() {
  const c = execa('bash', ['-c', 'true'], { detached: true, buffer: false, reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  c.stdout.resume();
  c.stderr.resume();
  return c;
}

// Baselines: a bare Node process that sleeps until each of the same instants and spawns
// `bash -c true` (pipes, own process group) for every task due then, with node:child_process or,
// as the agent does, through execa.
async function bareLateness(viaExeca = false) {
  const { at } = latePlan();
  const late = [];
  const exits = [];
  for (const instant of [...new Set(at)]) {
    await sleep(instant - Date.now());
    for (const t of at.filter((x) => x === instant)) {
      if (viaExeca) {
        const c = execaTrue();
        late.push(Date.now() - t);
        exits.push(c);
        continue;
      }
      const c = spawn('bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      late.push(Date.now() - t);
      c.stdout.resume();
      c.stderr.resume();
      exits.push(new Promise((r) => c.on('close', r)));
    }
  }
  await Promise.all(exits);
  return { p50: percentile(late, 50), p99: percentile(late, 99), max: Math.max(...late) };
}

// 2. Burst: 1,000 runs due at the same instant, trigger → SUCCESS, against a bare spawn loop.
async function burst(concurrency, label, args = []) {
  const home = join(root, `burst-${label}`);
  const n = QUICK ? 200 : 1000;
  const due = Math.ceil(Date.now() / 1000) * 1000 + 6000;
  await insert(home, Array.from({ length: n }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due) })));
  const d = startDaemon(home, ['--concurrency', String(concurrency), ...args]);
  await d.ready;
  await until(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, n, 300_000);
  await d.stop();
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const { first, last } = db.prepare(`SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`).get();
  db.close();
  return { n, seconds: (last - first) / 1000 };
}

function bareLoop(n, concurrency, viaExeca = false) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let started = 0;
    let done = 0;
    const next = () => {
      if (started >= n) return;
      started++;
      const ended = () => {
        if (++done === n) resolve((performance.now() - t0) / 1000);
        else next();
      };
      if (viaExeca) void execaTrue().then(ended);
      else spawn('bash', ['-c', 'true'], { stdio: 'ignore' }).on('exit', ended);
    };
    for (let i = 0; i < concurrency; i++) next();
  });
}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Spawner processes of a daemon: its children started with the __spawner argument. */
function spawnersOf(daemonPid) {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      return ppid === daemonPid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('__spawner');
    } catch {
      return false;
    }
  });
}

// 3. Idle: a daemon with 1,000 tasks defined (none due), CPU over a window and RSS.
async function idle(extra = []) {
  const home = join(root, extra.length ? 'idle-http' : 'idle');
  await insert(home, Array.from({ length: 1000 }, (_, i) => ({ name: `idle-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: '03:33', day_of_week: '1111111', ...(i % 2 ? { cron: undefined } : {}) })));
  const d = startDaemon(home, extra);
  await d.ready;
  await sleep(2000);
  const ticks = () => {
    const f = readFileSync(`/proc/${d.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 Hz)
  };
  const window = QUICK ? 10 : 60;
  const a = ticks();
  await sleep(window * 1000);
  const b = ticks();
  const rss = rssOf(d.child.pid);
  const idleSpawners = spawnersOf(d.child.pid).length;
  // A run makes the spawners come up: their memory while up.
  const fr = await measure(process.execPath, [BIN, 'force-run', 'idle-0'], { env: { ...process.env, EASYTASK_HOME: home } });
  if (fr.code !== 0) throw new Error(fr.out);
  await until(home, `SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`, 1, 30_000);
  const up = spawnersOf(d.child.pid);
  const spawnerRss = up.length ? up.reduce((sum, pid) => sum + rssOf(pid), 0) / up.length : NaN;
  await d.stop();
  return { cpu: ((b - a) / 100 / window) * 100, rss, window, idleSpawners, spawnerRss };
}

const concurrency = 8;
const l = await lateness('spawners');
const l0 = await lateness('in-daemon', ['--spawners', '0']);
const lb = await bareLateness();
const lbx = await bareLateness(true);
const b = await burst(concurrency, 'spawners');
const b0 = await burst(concurrency, 'in-daemon', ['--spawners', '0']);
const bare = await bareLoop(b.n, concurrency);
const bareExeca = await bareLoop(b.n, concurrency, true);
const i = await idle();
const ih = await idle(['--http', '127.0.0.1:0']);
const vsBare = (v) => `${fmt(v, 1)} (bare Node spawn loop)`;
const vsInDaemon = (v) => `${fmt(v, 1)} (--spawners 0)`;
printTable(`Daemon (${QUICK ? 'quick run' : 'full run'}; concurrency ${concurrency}; 2 spawner processes unless noted)`, [
  { figure: `fire lateness p50, ${l.n} tasks over a window, instant → process spawned (ms)`, value: fmt(l.p50, 1), baseline: vsBare(lb.p50), ratio: fmt(l.p50 / lb.p50, 2), target: '-' },
  { figure: 'fire lateness p99 (ms)', value: fmt(l.p99, 1), baseline: vsBare(lb.p99), ratio: fmt(l.p99 / lb.p99, 2), target: '≤ 20' },
  { figure: 'fire lateness max (ms)', value: fmt(l.max, 1), baseline: vsBare(lb.max), ratio: fmt(l.max / lb.max, 2), target: '-' },
  { figure: 'fire lateness p99, instant → run.started recorded (ms)', value: fmt(l.recordedP99, 1), target: '-' },
  { figure: 'fire lateness p50 / p99, the daemon spawning itself (ms)', value: `${fmt(l0.p50, 1)} / ${fmt(l0.p99, 1)}`, baseline: vsInDaemon(l0.p99), ratio: fmt(l.p99 / l0.p99, 2), target: '-' },
  { figure: 'context: the same instants spawned by a bare Node process through execa, p50 / p99 (ms)', value: `${fmt(lbx.p50, 1)} / ${fmt(lbx.p99, 1)}`, baseline: vsBare(lb.p99), ratio: fmt(lbx.p99 / lb.p99, 2), target: '-' },
  { figure: 'runs triggered or spawned before their instant', value: String(l.early + l0.early), target: '0' },
  { figure: `burst of ${b.n}: runs/s, trigger → SUCCESS`, value: fmt(b.n / b.seconds, 0), baseline: `${fmt(b.n / bare, 0)} (bare spawn loop of bash -c true)`, ratio: fmt(bare / b.seconds, 2), target: '≥ 0.6' },
  { figure: `burst of ${b.n}, the daemon spawning itself: runs/s`, value: fmt(b0.n / b0.seconds, 0), baseline: `${fmt(b.n / bare, 0)} (same)`, ratio: fmt(bare / b0.seconds, 2), target: '-' },
  { figure: `context: bare loop through execa (the agent's spawn call), runs/s`, value: fmt(b.n / bareExeca, 0), baseline: `${fmt(b.n / bare, 0)} (bare spawn loop)`, ratio: fmt(bare / bareExeca, 2), target: '-' },
  { figure: `burst of ${b.n}: runs/s as a ratio to the bare execa loop`, value: fmt(b.n / b.seconds, 0), baseline: `${fmt(b.n / bareExeca, 0)} (bare execa loop)`, ratio: fmt(bareExeca / b.seconds, 2), target: '-' },
  { figure: `idle CPU, 1,000 tasks, ${i.window} s (%)`, value: fmt(i.cpu, 2), target: '≤ 0.5' },
  { figure: 'idle RSS (MB)', value: fmt(i.rss, 0), target: '≤ 80' },
  { figure: `idle CPU with --http, 1,000 tasks, ${ih.window} s (%)`, value: fmt(ih.cpu, 2), baseline: `${fmt(i.cpu, 2)} (without)`, ratio: fmt(ih.cpu / i.cpu, 2), target: '≤ 0.5' },
  { figure: 'idle RSS with --http (MB)', value: fmt(ih.rss, 0), baseline: `${fmt(i.rss, 0)} (without)`, ratio: fmt(ih.rss / i.rss, 2), target: '≤ 80' },
  { figure: 'spawner processes up while idle (nothing due within 10 s)', value: String(i.idleSpawners), target: '0' },
  { figure: 'spawner RSS while up, each (MB)', value: fmt(i.spawnerRss, 0), target: '-' },
]);
rmSync(root, { recursive: true, force: true });

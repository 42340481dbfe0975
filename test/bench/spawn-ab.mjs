// A/B of how attempts start: the burst of daemon.bench.mjs (1,000 runs of `bash -c true` due at
// once, trigger → SUCCESS, concurrency 8, 2 spawners) with node:child_process (A, the default) and
// through execa (B, EASYTASK_SPAWN_VIA=execa), alternated A, B, A, B, each round next to a bare
// node:child_process loop measured just before it. Not part of `npm run bench`; run after
// `npm run build`: node test/bench/spawn-ab.mjs   (BENCH_ROUNDS=N rounds, default 2; BENCH_RUNS=N)
// CPU per run counts each process's whole life (start-up included), read before the daemon stops.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, fmt, measure } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const N = Number(process.env.BENCH_RUNS ?? 1000);
const CONCURRENCY = 8;
const root = mkdtempSync(join(tmpdir(), 'easytask-bench-spawn-ab-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);
const WAYS = { A: { label: 'node:child_process', env: {} }, B: { label: 'execa', env: { EASYTASK_SPAWN_VIA: 'execa' } } };

/** utime + stime of a process, ms (clock ticks of 10 ms), and its parent. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 };
}

/** CPU time so far of the daemon and of its spawner processes (start-up included), ms. */
function cpuOfDaemon(daemonPid) {
  let spawners = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const c = cpuOf(Number(e));
      if (c.ppid === daemonPid && readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('__spawner')) spawners += c.ms;
    } catch {}
  }
  return { daemon: cpuOf(daemonPid).ms, spawners };
}

/** The burst as daemon.bench.mjs measures it: first run.triggered to last run.succeeded. */
async function burst(label, extraEnv) {
  const home = join(root, label);
  const env = { ...process.env, EASYTASK_HOME: home, ...extraEnv };
  const due = Math.ceil(Date.now() / 1000) * 1000 + 6000;
  const tasks = Array.from({ length: N }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due) }));
  const ins = await measure(process.execPath, [BIN, 'insert', '-', '--json'], { env, input: JSON.stringify(tasks) });
  if (ins.code !== 0) throw new Error(ins.out.slice(0, 400));
  const daemon = spawn(process.execPath, [BIN, 'daemon', '--concurrency', String(CONCURRENCY)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const deadline = performance.now() + 300_000;
  while (db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).get().n < N) {
    if (performance.now() > deadline) throw new Error(`burst ${label} timed out`);
    await sleep(100);
  }
  const { first, last } = db.prepare(`SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`).get();
  db.close();
  const cpu = cpuOfDaemon(daemon.pid);
  await new Promise((r) => (daemon.on('exit', r), daemon.kill('SIGTERM')));
  rmSync(home, { recursive: true, force: true });
  return { value: N / ((last - first) / 1000), cpu };
}

/** The bare loop of daemon.bench.mjs: `bash -c true` through node:child_process, same concurrency. */
function bareLoop() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let started = 0;
    let done = 0;
    const next = () => {
      if (started >= N) return;
      started++;
      spawn('bash', ['-c', 'true'], { stdio: 'ignore' }).on('exit', () => {
        if (++done === N) resolve(N / ((performance.now() - t0) / 1000));
        else next();
      });
    };
    for (let i = 0; i < CONCURRENCY; i++) next();
  });
}

const rows = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const way of ['A', 'B']) {
    const bare = await bareLoop();
    const { value, cpu } = await burst(`r${round}-${way}`, WAYS[way].env);
    rows.push({ round, way, value, bare, cpu });
    console.error(`round ${round} ${way} (${WAYS[way].label}): ${fmt(value, 0)} runs/s, bare loop ${fmt(bare, 0)} runs/s, ratio ${fmt(value / bare, 2)}`);
  }
}
console.log(`\n### Burst of ${N}, A/B: attempts started with node:child_process (A) or execa (B); concurrency ${CONCURRENCY}, 2 spawners\n`);
console.log('| round | way | burst (runs/s) | bare child_process loop just before (runs/s) | ratio | CPU per run: spawners / daemon (ms) |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const perRun = `${fmt(r.cpu.spawners / N, 2)} / ${fmt(r.cpu.daemon / N, 2)}`;
  console.log(`| ${r.round} | ${r.way} (${WAYS[r.way].label}) | ${fmt(r.value, 0)} | ${fmt(r.bare, 0)} | ${fmt(r.value / r.bare, 2)} | ${perRun} |`);
}
const mean = (way) => rows.filter((r) => r.way === way).reduce((s, r) => s + r.value / r.bare, 0) / ROUNDS;
console.log(`\nmean ratio to the bare loop: A ${fmt(mean('A'), 2)}, B ${fmt(mean('B'), 2)}; A / B ${fmt(mean('A') / mean('B'), 2)}`);
rmSync(root, { recursive: true, force: true });

// Group figures: a 500-member chain and a 500-member fan-out of trivial commands; the time from the
// upstream SUCCESS to the dependant's spawn (p50, p99), read from the event log. The fan-out runs
// BENCH_FAN_CYCLES cycles (default 12) so its first-wave figure rests on enough samples.
// Run after `npm run build`: node test/bench/groups.bench.mjs
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, fmt, measure, percentile, printTable } from './lib.mjs';

const N = Number(process.env.BENCH_GROUP_SIZE ?? 500);
const root = mkdtempSync(join(tmpdir(), 'easytask-bench-groups-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const FAN_CYCLES = Number(process.env.BENCH_FAN_CYCLES ?? 12);

/** Run `cycles` cycles of a group one after another (force-run); per cycle, when each member's run spawned and succeeded. */
async function runGroup(name, tasks, cycles = 1) {
  const home = join(root, name);
  const env = { ...process.env, EASYTASK_HOME: home };
  const doc = { groups: [{ name, trigger_times: '03:00', timezone: 'UTC' }], tasks };
  const ins = await measure(process.execPath, [BIN, 'insert', '-', '--json'], { env, input: JSON.stringify(doc) });
  if (ins.code !== 0) throw new Error(ins.out.slice(0, 400));
  const daemon = spawn(process.execPath, [BIN, 'daemon', '--poll', '20'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  daemon.stdout.on('data', (d) => (out += d));
  while (!out.includes('Scheduler service started')) await sleep(10);
  const db = new Database(join(home, 'easytask.db'), { readonly: true });
  const walls = [];
  for (let c = 1; c <= cycles; c++) {
    const t0 = performance.now();
    const fr = await measure(process.execPath, [BIN, 'force-run', name], { env });
    if (fr.code !== 0) throw new Error(fr.out);
    while (db.prepare(`SELECT COUNT(*) AS n FROM group_runs WHERE state IN ('SUCCESS', 'FAILED')`).get().n < c) await sleep(50);
    walls.push((performance.now() - t0) / 1000);
  }
  // A dependant's start is when its process spawned (spawned_at in run.started), not when the event was committed.
  const ev = db.prepare(`SELECT e.type, e.task, r.group_run_id AS cycle, CASE e.type WHEN 'run.started' THEN CAST(strftime('%s', json_extract(e.data, '$.spawned_at')) AS INTEGER) * 1000 + CAST(substr(json_extract(e.data, '$.spawned_at'), 21, 3) AS INTEGER) ELSE e.time END AS time, e.time AS recorded
    FROM events e JOIN runs r ON r.id = e.run_id WHERE e.type IN ('run.succeeded', 'run.started')`).all();
  db.close();
  await new Promise((r) => (daemon.on('exit', r), daemon.kill('SIGTERM')));
  const byKey = new Map(ev.map((e) => [`${e.cycle} ${e.type} ${e.task}`, e]));
  const ids = [...new Set(ev.map((e) => e.cycle))].sort((a, b) => a - b);
  return ids.map((id, i) => ({
    at: (type, task) => byKey.get(`${id} ${type} ${task}`)?.time,
    recorded: (type, task) => byKey.get(`${id} ${type} ${task}`)?.recorded,
    wall: walls[i],
  }));
}

// Chain: m0 → m1 → … ; each link's gap is upstream succeeded → dependant started.
const [chain] = await runGroup('chain', Array.from({ length: N }, (_, i) => ({ name: `m${i}`, task_group: 'chain', cmd: 'true', ...(i ? { dependency: `S:m${i - 1}` } : {}) })));
const chainGaps = Array.from({ length: N - 1 }, (_, i) => chain.at('run.started', `m${i + 1}`) - chain.at('run.succeeded', `m${i}`));
const chainRecorded = Array.from({ length: N - 1 }, (_, i) => chain.recorded('run.started', `m${i + 1}`) - chain.recorded('run.succeeded', `m${i}`));

// Fan-out: root, then N-1 members that all depend on it; the gap is root succeeded → each started.
// With concurrency 8, only the first 8 dependants can start at once (the rest wait for a slot), so
// the figure is those 8, over FAN_CYCLES cycles for enough samples.
const fans = await runGroup('fan', [{ name: 'root', task_group: 'fan', cmd: 'true' }, ...Array.from({ length: N - 1 }, (_, i) => ({ name: `f${i}`, task_group: 'fan', cmd: 'true', dependency: 'S:root' }))], FAN_CYCLES);
const fanGaps = fans.map((fan) => Array.from({ length: N - 1 }, (_, i) => fan.at('run.started', `f${i}`) - fan.at('run.succeeded', 'root')).sort((a, b) => a - b));
const firstWave = fanGaps.flatMap((g) => g.slice(0, 8));
const firstWaveMax = fanGaps.map((g) => g[7]);
const fanRecorded = fans.flatMap((fan) => Array.from({ length: N - 1 }, (_, i) => fan.recorded('run.started', `f${i}`) - fan.recorded('run.succeeded', 'root')).sort((a, b) => a - b).slice(0, 8));
const lastSpawned = fanGaps.map((g) => g.at(-1));

// Baseline: what spawning `bash -c true` costs a bare Node process (the floor of any dependant's start).
const spawnCosts = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  const c = spawn('bash', ['-c', 'true'], { stdio: 'ignore' });
  spawnCosts.push(performance.now() - t);
  await new Promise((r) => c.on('exit', r));
}
const floor = `${fmt(percentile(spawnCosts, 50), 1)} (bare spawn, p50)`;

printTable(`Groups (${N} members each; concurrency 8)`, [
  { figure: 'chain: upstream SUCCESS → dependant spawned, p50 (ms)', value: fmt(percentile(chainGaps, 50), 1), baseline: floor, ratio: fmt(percentile(chainGaps, 50) / percentile(spawnCosts, 50), 1), target: '-' },
  { figure: 'chain: p99 (ms)', value: fmt(percentile(chainGaps, 99), 1), target: '< 50' },
  { figure: 'chain: p99 to run.started recorded (ms)', value: fmt(percentile(chainRecorded, 99), 1), target: '-' },
  { figure: `chain: whole cycle of ${N} (s)`, value: fmt(chain.wall, 1), target: '-' },
  { figure: `fan-out: root SUCCESS → first 8 dependants spawned, p50 (ms; ${fans.length} cycles, ${firstWave.length} samples)`, value: fmt(percentile(firstWave, 50), 1), target: '-' },
  { figure: 'fan-out: first 8, p99 (ms)', value: fmt(percentile(firstWave, 99), 1), target: '< 50' },
  { figure: 'fan-out: the 8th of a cycle, median over cycles / best / worst (ms)', value: `${fmt(percentile(firstWaveMax, 50), 0)} / ${fmt(Math.min(...firstWaveMax), 0)} / ${fmt(Math.max(...firstWaveMax), 0)}`, target: '-' },
  { figure: 'fan-out: first 8, p99 to run.started recorded (ms)', value: fmt(percentile(fanRecorded, 99), 1), target: '-' },
  { figure: `fan-out: root SUCCESS → last of ${N - 1} spawned, median over cycles (ms; bounded by concurrency)`, value: fmt(percentile(lastSpawned, 50), 0), target: '-' },
  { figure: `fan-out: whole cycle of ${N}, median (s)`, value: fmt(percentile(fans.map((f) => f.wall), 50), 1), target: '-' },
]);
rmSync(root, { recursive: true, force: true });

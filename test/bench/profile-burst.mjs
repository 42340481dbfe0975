// Where the CPU goes in a burst: a daemon (and, through its execArgv, its spawners) run under
// node --cpu-prof while 1,000 trivial runs due at once go through; prints runs/s and, for each
// process, its busy time and the functions with the most self time. Not part of `npm run bench`
// (profiling slows everything down); run after `npm run build`: node test/bench/profile-burst.mjs
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './lib.mjs';

const N = Number(process.env.BENCH_RUNS ?? 1000);
const root = mkdtempSync(join(tmpdir(), 'easytask-profile-'));
const home = join(root, 'home');
const profiles = join(root, 'profiles');
const env = { ...process.env, EASYTASK_HOME: home };
const due = Math.ceil(Date.now() / 1000) * 1000 + 6000;
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);
const tasks = Array.from({ length: N }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due) }));
execFileSync(process.execPath, [BIN, 'insert', '-', '--json'], { env, input: JSON.stringify(tasks) });

const daemon = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profiles}`, BIN, 'daemon', '--concurrency', '8'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const db = new Database(join(home, 'easytask.db'), { readonly: true });
while (db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).get().n < N) await new Promise((r) => setTimeout(r, 200));
const { first, last } = db.prepare(`SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`).get();
db.close();
daemon.kill('SIGTERM');
await new Promise((r) => daemon.on('exit', r));
console.log(`burst of ${N} under the profiler: ${(N / ((last - first) / 1000)).toFixed(0)} runs/s`);

for (const file of readdirSync(profiles)) {
  const p = JSON.parse(readFileSync(join(profiles, file), 'utf8'));
  const sampled = new Map();
  p.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const self = new Map();
  let busy = 0;
  for (const node of p.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const ms = (sampled.get(node.id) ?? 0) / 1000;
    const key = `${functionName || '(anonymous)'} ${url.split('/').at(-1)}:${lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + ms);
    busy += ms;
  }
  console.log(`\n${file}: busy ${busy.toFixed(0)} ms`);
  for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${(100 * ms / busy).toFixed(0).padStart(3)} %  ${key}`);
}

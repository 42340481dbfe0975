// Foundation figures: inserting 10,000 tasks from one file, and cold start of --version and list.
// Run after `npm run build`: node test/bench/foundation.bench.mjs
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, fmt, measure, median, printTable } from './lib.mjs';

const N = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'easytask-bench-'));
const zones = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'US/Eastern'];
const tasks = Array.from({ length: N }, (_, i) => ({
  name: `task-${i}`,
  cmd: `echo ${i}`,
  timezone: zones[i % zones.length],
  ...(i % 3 === 0 ? { trigger_times: `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}, 12:00` } : i % 3 === 1 ? { run_frequency: '08:00-18:00-15' } : { cron: '*/5 * * * *' }),
  day_of_week: i % 2 ? '1111100' : '1111111',
  max_run_time: 300,
  retry_attempts: i % 4,
}));
const file = join(dir, 'tasks.json');
writeFileSync(file, JSON.stringify(tasks));

// Baseline: the same rows inserted by a bare better-sqlite3 loop in one transaction.
const t0 = performance.now();
const db = new Database(join(dir, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.exec('CREATE TABLE definitions (id INTEGER PRIMARY KEY, name TEXT UNIQUE, body TEXT)');
const ins = db.prepare('INSERT INTO definitions (name, body) VALUES (?, ?)');
db.transaction(() => tasks.forEach((t) => ins.run(t.name, JSON.stringify(t))))();
db.close();
const baselineMs = performance.now() - t0;

const home = join(dir, 'home');
const insert = await measure(process.execPath, [BIN, 'insert', file, '--json'], { env: { ...process.env, EASYTASK_HOME: home } });
if (insert.code !== 0) throw new Error(`insert failed: ${insert.out.slice(0, 500)}`);

async function coldStart(args, runs = 15) {
  const times = [];
  const empty = join(dir, `empty-${args.join('-')}`);
  for (let i = 0; i < runs; i++) times.push((await measure(process.execPath, args, { env: { ...process.env, EASYTASK_HOME: empty } })).ms);
  return median(times);
}
const bare = await coldStart(['-e', '0']);
const version = await coldStart([BIN, '--version']);
const list = await coldStart([BIN, 'list']);
const bare2 = await coldStart(['-e', '0']);
const node = Math.min(bare, bare2);

printTable('Foundation (median of 15 cold starts; insert of 10,000 tasks from one file)', [
  { figure: 'insert 10,000 tasks (s)', value: fmt(insert.ms / 1000, 2), baseline: `${fmt(baselineMs / 1000, 2)} (bare INSERT loop)`, ratio: fmt(insert.ms / baselineMs, 1), target: '< 2 s' },
  { figure: 'insert peak RSS (MiB)', value: fmt(insert.peakMiB, 0), baseline: '-', ratio: '-', target: '-' },
  { figure: '`easytask --version` (ms)', value: fmt(version, 0), baseline: `${fmt(node, 0)} (node -e 0)`, ratio: fmt(version / node, 2), target: '≤ 1.3×' },
  { figure: '`easytask list`, empty home (ms)', value: fmt(list, 0), baseline: `${fmt(node, 0)} (node -e 0)`, ratio: fmt(list / node, 2), target: '-' },
]);
rmSync(dir, { recursive: true, force: true });

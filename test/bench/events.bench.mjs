// Event-log throughput and query times on a store of 1,000,000 events, each against a plain
// INSERT/SELECT on the same table measured in the same run.
// Run: node --import tsx test/bench/events.bench.mjs   (needs `npm run build` for the CLI rows)

import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, systemClock } from '../../src/core/clock.ts';
import { formatEvent } from '../../src/events/format.ts';
import { readPage } from '../../src/events/query.ts';
import { openStore, storePath } from '../../src/store/index.ts';

const EVENTS = 1_000_000;
const PER_TX = 100;
const RUNS = 200_000;
const TRANSITIONS = 20_000;
const TASKS = 100;
const DAY = 86_400_000;
const NOW = systemClock.now();
const TYPES = ['run.created', 'run.triggered', 'run.accepted', 'run.started', 'run.succeeded'];

const homes = [];
const home = () => {
  const h = mkdtempSync(join(tmpdir(), 'easytask-bench-'));
  homes.push(h);
  return h;
};
const ms = (t0) => performance.now() - t0;
/** Median of `n` timings of fn (awaited: the store's reads return promises), in ms. */
async function median(fn, n = 7) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(ms(t0));
  }
  return xs.sort((a, b) => a - b)[Math.floor(n / 2)];
}

/**
 * A bare better-sqlite3 connection to a home's store file, set up as the store sets up its own
 * (src/store/sqlite/open.ts): the baselines and the bulk fill of runs go through it, from outside.
 */
function bareDb(h) {
  const db = new Database(storePath(h));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** The i-th event as the daemon writes it: 5 per run, 30 days of history. */
function event(i) {
  const run = Math.floor(i / 5) + 1;
  return {
    key: `run:${run}:v${i % 5}`, type: TYPES[i % 5], time: NOW - 30 * DAY + Math.floor((i / EVENTS) * 30 * DAY), instance: 'default',
    run_id: run, attempt: 1, task: `task${run % TASKS}`, task_id: 1_000_000 + (run % TASKS), group: null, group_run_id: null,
    data: { from: 'RUNNING', to: 'SUCCESS', exit_code: 0, duration_ms: 1234 },
  };
}

/** Through the store contract: one appendAll (one unit) per batch of PER_TX. */
async function appendOurs(store) {
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += PER_TX) {
    const batch = [];
    for (let k = i; k < i + PER_TX; k++) batch.push(event(k));
    await store.events.appendAll(batch);
  }
  return EVENTS / (ms(t0) / 1000);
}

const PLAIN_INSERT = `INSERT INTO events (key, type, time, instance, run_id, attempt, task, task_id, group_name, group_run_id, data)
  VALUES (@key, @type, @time, @instance, @run_id, @attempt, @task, @task_id, @group, @group_run_id, @data)`;

function appendPlain(db) {
  const ins = db.prepare(PLAIN_INSERT);
  const batch = db.transaction((i) => { for (let k = i; k < i + PER_TX; k++) { const e = event(k); ins.run({ ...e, data: JSON.stringify(e.data) }); } });
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += PER_TX) batch.immediate(i);
  return EVENTS / (ms(t0) / 1000);
}

/** One run transition per transaction (state row + its event), as the agent settles attempts. */
async function transitionsOurs(store, clock) {
  const ids = [];
  for (let i = 0; i < TRANSITIONS / 4; i++) ids.push((await store.runs.create({ task_id: 1, task_name: 't', instance: 'bench', slot: NOW + i, max_attempts: 1, queue: 'localhost' })).id);
  const t0 = performance.now();
  for (const id of ids) {
    await store.runs.transition({ runId: id, event: 'run.triggered', to: 'TRIGGER' });
    await store.runs.transition({ runId: id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1, started_at: clock.now() } });
    await store.runs.transition({ runId: id, event: 'run.started', to: 'RUNNING', patch: { pid: 1 } });
    await store.runs.transition({ runId: id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } });
  }
  return TRANSITIONS / (ms(t0) / 1000);
}

function transitionsPlain(db) {
  const ins = db.prepare(PLAIN_INSERT);
  const one = db.transaction((i) => { const e = event(i); ins.run({ ...e, key: `plain:${i}`, data: JSON.stringify(e.data) }); });
  const t0 = performance.now();
  for (let i = 0; i < TRANSITIONS; i++) one.immediate(i);
  return TRANSITIONS / (ms(t0) / 1000);
}

function fillRuns(db) {
  const ins = db.prepare(`INSERT INTO runs (task_id, task_name, instance, slot, state, attempt, max_attempts, exit_code, host, created_at, started_at, ended_at)
    VALUES (?, ?, 'default', ?, 'SUCCESS', 1, 1, 0, 'bench', ?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < RUNS; i++) {
      const slot = NOW - 30 * DAY + Math.floor((i / RUNS) * 30 * DAY);
      ins.run(1_000_000 + (i % TASKS), `task${i % TASKS}`, slot, slot, slot, slot + 1234);
    }
  }).immediate();
}

const rows = [];
const row = (figure, value, baseline, target, unit, higherIsBetter) => {
  const ratio = higherIsBetter ? value / baseline : baseline / value;
  rows.push({ figure, value: `${fmt(value)} ${unit}`, baseline: `${fmt(baseline)} ${unit}`, ratio: `${ratio.toFixed(2)}×`, target });
};
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2));

// 1. Appending 1,000,000 events, 100 per transaction.
// EasyTask's rows go through the store contract; the baselines through a bare connection to a
// second home's file (made by the store, so the schema and indexes are the same).
const oursHome = home();
const clock = new FakeClock(NOW);
const store = await openStore(oursHome, clock);
const plainHome = home();
await (await openStore(plainHome)).close();
const plain = bareDb(plainHome);
const oursRate = await appendOurs(store);
const plainRate = appendPlain(plain);
row(`append ${EVENTS.toLocaleString('en-US')} events, ${PER_TX}/tx (natural-key dedupe)`, oursRate, plainRate, '≥ 0.5× baseline', 'ev/s', true);
row(`run transitions, 1/tx (state row + event), ${TRANSITIONS.toLocaleString('en-US')}`, await transitionsOurs(store, clock), transitionsPlain(plain), '≥ 1,000/s', 'ev/s', true);
plain.close();
// From here on the baselines read the same file as the store, on their own connection.
const bare = bareDb(oursHome);
fillRuns(bare);

// 2. events --after on the 1M store: the reader's page query (+ row mapping) against a plain SELECT.
const lastSeq = await store.events.lastSeq();
const plainAfter = bare.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT 1000');
row('events --after (last 1,000 of 1M), read + format', await median(async () => (await readPage(store, {}, lastSeq - 1000)).events.map(formatEvent)), await median(() => plainAfter.all(lastSeq - 1000)), '< 50 ms', 'ms', false);
row('events --after (100,000 events), read + format', await median(async () => { for (let a = lastSeq - 100_000; a < lastSeq;) a = (await readPage(store, {}, a)).events.map(formatEvent).length ? a + 1000 : lastSeq; }, 3),
  await median(() => bare.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq').all(lastSeq - 100_000), 3), '< 2,000 ms', 'ms', false);
row('events --task (one of 100 tasks, last 1,000)', await median(() => readPage(store, { task: 'task7' }, lastSeq - 100_000)),
  await median(() => bare.prepare('SELECT * FROM events WHERE task = ? AND seq > ? ORDER BY seq LIMIT 1000').all('task7', lastSeq - 100_000)), '< 50 ms', 'ms', false);

// 3. runs --since 24h on 200,000 runs (~6,700 in the window).
const since = NOW - DAY;
const plainRuns = (limit) => bare.prepare(`SELECT * FROM runs NOT INDEXED WHERE slot >= ? ORDER BY slot DESC, id DESC LIMIT ${limit}`).all(since);
row('runs --since 24h (newest 50 of 200k runs)', await median(() => store.runs.list({ sinceSlot: since, limit: 50 })), await median(() => plainRuns(50)), '< 20 ms', 'ms', false);
row('runs --since 24h (all ~6,700 in the window)', await median(() => store.runs.list({ sinceSlot: since, limit: 1_000_000 })), await median(() => plainRuns(1_000_000)), '< 250 ms', 'ms', false);
bare.close();
await store.close();

// 4. The built CLI end to end (process start included) against the sqlite3 shell on the same file.
const bin = new URL('../../bin/easytask', import.meta.url).pathname;
const db = join(oursHome, 'easytask.db');
const wall = (file, args, n = 5) => median(() => execFileSync(file, args, { env: { ...process.env, EASYTASK_HOME: oursHome }, stdio: ['ignore', 'ignore', 'inherit'] }), n);
if (existsSync(new URL('../../dist/easytask.cjs', import.meta.url)) && existsSync('/usr/bin/sqlite3')) {
  row('CLI `events --after N` (1,000 lines)', await wall(process.execPath, [bin, 'events', '--after', String(lastSeq - 1000)]),
    await wall('/usr/bin/sqlite3', [db, `SELECT * FROM events WHERE seq > ${lastSeq - 1000} ORDER BY seq`]), '< 500 ms', 'ms', false);
  row('CLI `runs --since 24h`', await wall(process.execPath, [bin, 'runs', '--since', '24h']),
    await wall('/usr/bin/sqlite3', [db, `SELECT * FROM runs WHERE slot >= ${since} ORDER BY slot DESC, id DESC LIMIT 50`]), '< 500 ms', 'ms', false);
} else {
  console.error('(CLI rows skipped: run `npm run build` first; the sqlite3 shell is the baseline)');
}

for (const h of homes) rmSync(h, { recursive: true, force: true });
console.log('| figure | value | baseline | ratio | target |\n|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.figure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} |`);
console.log('\nratio: ours against the baseline, >1 means faster. Baselines: plain INSERT/SELECT on the same table (SELECT without the runs_by_slot index for runs), the sqlite3 shell for CLI rows.');

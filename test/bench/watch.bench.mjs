// Dashboard figures with 1,000 tasks: commit → frame latency (p50, p99), render time per frame, the start-up
// snapshot, and the CPU an idle dashboard takes, each beside a baseline measured in the same run.
// Run after `npm run build`: node --import tsx test/bench/watch.bench.mjs   (about a minute; BENCH_QUICK=1 shorter)
process.env.NODE_ENV = 'production'; // React's production build, as in the bundle
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { BIN, fmt, percentile, printTable, ROOT } from './lib.mjs';

const QUICK = !!process.env.BENCH_QUICK;
const TASKS = 1000;
const SAMPLES = QUICK ? 60 : 250;
const IDLE_S = QUICK ? 4 : 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const wall = () => performance.timeOrigin + performance.now();

class FakeTty extends Writable {
  constructor(onChunk) {
    super();
    Object.assign(this, { isTTY: true, columns: 120, rows: 50, onChunk });
  }
  _write(chunk, _enc, done) {
    this.onChunk(chunk.toString());
    done();
  }
}

function fakeStdin() {
  const s = new PassThrough();
  return Object.assign(s, { isTTY: true, setRawMode() {}, ref() {}, unref() {} });
}

async function seed(home) {
  const { openStore } = await import('../../src/store/index.ts');
  const store = await openStore(home);
  const write = [];
  for (let g = 0; g < 20; g++) {
    write.push({ kind: 'group', def: { name: `g${g}`, active: true, instance: 'default', timezone: 'UTC', trigger_times: '03:00', day_of_week: '1111111', catch_up: 'latest' } });
  }
  for (let i = 0; i < TASKS; i++) {
    const def = { name: `t${String(i).padStart(4, '0')}`, task_owner: 'bench', cmd: 'true', run_on_host: 'localhost', active: true, instance: 'default', task_group: i < 40 ? undefined : `g${i % 20}`, timezone: i < 40 ? 'UTC' : undefined, trigger_times: i < 40 ? '03:00' : undefined, retry_attempts: 0, retry_delay: 10, catch_up: 'latest', overlap: 'skip', max_run_time: 60 };
    write.push({ kind: 'task', def });
  }
  await store.defs.apply({ write, replace: false });
  return store;
}

/** Commit → the first frame written that shows the event (its `#seq` in the tail), and the bare poll's detection. */
async function latency(home, store) {
  const { runDashboard } = await import('../../src/ui/dashboard.tsx');
  const { systemClock } = await import('../../src/core/clock.ts');
  const { storePath } = await import('../../src/store/index.ts');
  const { default: Database } = await import('better-sqlite3');
  const waiting = new Map();
  const frameMs = [];
  const renderMs = [];
  let sampling = false;
  let frames = '';
  const stdout = new FakeTty((chunk) => {
    frames = (frames + chunk).slice(-100_000);
    for (const [seq, w] of waiting) if (chunk.includes(`#${seq} `)) (frameMs.push(wall() - w.t), waiting.delete(seq));
  });
  const stdin = fakeStdin();
  const done = runDashboard({ store, clock: systemClock, filter: { text: '', states: [] }, nextFireAt: () => () => undefined, stdout, stdin, onRender: (m) => sampling && renderMs.push(m.renderTime) });
  for (let waited = 0; !frames.includes('1000 tasks'); waited += 20) {
    if (waited > 20_000) throw new Error(`no first frame; last write:\n${frames}`);
    await sleep(20);
  }

  // Baseline: a bare data_version poll at the same 50 ms on its own connection: when could anyone notice the commit?
  // (better-sqlite3 straight on the store file, from outside EasyTask.)
  const probe = new Database(storePath(home), { readonly: true });
  const dataVersion = () => probe.pragma('data_version', { simple: true });
  const newSeqs = probe.prepare('SELECT seq FROM events WHERE seq > ? ORDER BY seq').pluck();
  let version = dataVersion();
  let seen = probe.prepare('SELECT COALESCE(MAX(seq), 0) FROM events').pluck().get();
  const detectMs = [];
  const commits = new Map();
  const timer = setInterval(() => {
    const v = dataVersion();
    if (v === version) return;
    version = v;
    for (const seq of newSeqs.all(seen)) {
      const c = commits.get(seq);
      if (c && sampling) detectMs.push(wall() - c);
      seen = seq;
    }
  }, 50);

  const writer = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--writer', home], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((r) => writer.once('message', r));
  const commit = (i) => new Promise((resolve) => {
    writer.once('message', (m) => {
      commits.set(m.seq, m.t);
      if (sampling) waiting.set(m.seq, m);
      resolve();
    });
    const n = i % 20; // the standalone tasks on the first screen
    writer.send({ task: `t${String(n).padStart(4, '0')}`, tid: 1000001 + n });
  });
  for (let i = 0; i < 10; i++) await commit(i), await sleep(30);
  sampling = true;
  for (let i = 0; i < SAMPLES; i++) await commit(i), await sleep(40 + ((i * 37) % 120));
  await sleep(400);
  sampling = false;
  clearInterval(timer);
  writer.kill();
  probe.close();
  stdin.write('q');
  await done;
  return { frameMs, detectMs, renderMs, lost: waiting.size };
}

/** Baseline for render time: Ink re-rendering a static tree of the same size (no view-model, no data). */
async function bareInk() {
  const React = await import('react');
  const { render, Box, Text } = await import('ink');
  const h = React.createElement;
  const times = [];
  const lines = Array.from({ length: 49 }, (_, i) => `  ▸ t${String(i).padStart(4, '0')}`.padEnd(118, ' x'));
  const tree = (n) => h(Box, { flexDirection: 'column' }, lines.map((l, i) => h(Text, { key: i, wrap: 'truncate-end' }, i === 0 ? `${l} ${n}` : l)));
  const ink = render(tree(0), { stdout: new FakeTty(() => {}), stdin: fakeStdin(), onRender: (m) => times.push(m.renderTime), patchConsole: false, maxFps: 1000 });
  for (let i = 1; i <= SAMPLES; i++) (ink.rerender(tree(i)), await sleep(2));
  ink.unmount();
  return times.slice(5);
}

async function snapshotCost(store) {
  const { loadSnapshot } = await import('../../src/ui/feed/snapshot.ts');
  const snap = [];
  const defs = [];
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    await loadSnapshot(store, 0, () => () => undefined);
    snap.push(performance.now() - t);
    t = performance.now();
    await store.defs.all();
    defs.push(performance.now() - t);
  }
  return { snap: percentile(snap, 50), defs: percentile(defs, 50) };
}

/** CPU of the built dashboard and of `watch --plain` (the same feed, no Ink) side by side, daemon up, nothing firing. */
async function idleCpu(home) {
  if (spawnSync('tmux', ['-V']).status !== 0) return undefined;
  const sock = `easytask-bench-${process.pid}`;
  const tmux = (...a) => spawnSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  const env = { ...process.env, EASYTASK_HOME: home };
  const daemon = spawn(process.execPath, [BIN, 'daemon'], { env, stdio: 'ignore' });
  const cmd = (args) => `cd ${ROOT} && EASYTASK_HOME=${home} exec ${process.execPath} ${BIN} ${args}`;
  tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '50', cmd('watch'));
  tmux('new-window', '-d', '-t', 'b', cmd('watch --plain'));
  await sleep(3000);
  const pids = ['b:0', 'b:1'].map((t) => Number(tmux('display-message', '-p', '-t', t, '#{pane_pid}').stdout.trim()));
  const ticks = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
  const before = pids.map(ticks);
  const t0 = performance.now();
  await sleep(IDLE_S * 1000);
  const secs = (performance.now() - t0) / 1000;
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const pct = pids.map((p, i) => ((ticks(p) - before[i]) / hz / secs) * 100);
  const screen = tmux('capture-pane', '-p', '-t', 'b:0').stdout;
  tmux('kill-server');
  daemon.kill('SIGTERM');
  if (!screen.includes('daemon up')) throw new Error(`the dashboard did not come up:\n${screen}`);
  return { watch: pct[0], plain: pct[1] };
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'easytask-bench-watch-'));
  try {
    const store = await seed(home);
    const snap = await snapshotCost(store);
    const lat = await latency(home, store);
    const bare = await bareInk();
    await store.close();
    const idle = await idleCpu(home);
    const p = (v, q) => percentile(v, q);
    const ratio = (a, b) => `${fmt(a / b, 2)}×`;
    console.log(`\nwatch with ${TASKS} tasks (20 groups): ${lat.frameMs.length} events timed from commit to frame, ${lat.lost} never shown`);
    printTable('easytask watch', [
      { figure: 'commit → frame p50', value: `${fmt(p(lat.frameMs, 50))} ms`, baseline: `${fmt(p(lat.detectMs, 50))} ms (bare 50 ms data_version poll notices it)`, ratio: ratio(p(lat.frameMs, 50), p(lat.detectMs, 50)), target: '-' },
      { figure: 'commit → frame p99', value: `${fmt(p(lat.frameMs, 99))} ms`, baseline: `${fmt(p(lat.detectMs, 99))} ms (same)`, ratio: ratio(p(lat.frameMs, 99), p(lat.detectMs, 99)), target: '≤ 250 ms' },
      { figure: 'render time per frame p50 / p99', value: `${fmt(p(lat.renderMs, 50), 2)} / ${fmt(p(lat.renderMs, 99), 2)} ms`, baseline: `${fmt(p(bare, 50), 2)} / ${fmt(p(bare, 99), 2)} ms (bare Ink, static tree, same size)`, ratio: ratio(p(lat.renderMs, 50), p(bare, 50)), target: '≤ 50 ms (the 20 fps frame budget)' },
      { figure: `start-up snapshot of ${TASKS} tasks`, value: `${fmt(snap.snap)} ms`, baseline: `${fmt(snap.defs)} ms (reading the definitions alone)`, ratio: ratio(snap.snap, snap.defs), target: '≤ 250 ms' },
      idle
        ? { figure: `idle CPU over ${IDLE_S} s (daemon up, nothing firing)`, value: `${fmt(idle.watch, 2)} %`, baseline: `${fmt(idle.plain, 2)} % (watch --plain: same feed, no Ink)`, ratio: idle.plain > 0 ? ratio(idle.watch, idle.plain) : '-', target: '≤ 2 %' }
        : { figure: 'idle CPU', value: 'n/a (tmux missing)', baseline: '-', ratio: '-', target: '≤ 2 %' },
    ]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// The writer process: its own connection commits one transition per request, like the daemon would.
if (process.argv[2] === '--writer') {
  const { openStore } = await import('../../src/store/index.ts');
  const store = await openStore(process.argv[3]);
  const runs = new Map();
  const STEPS = [['run.triggered', 'TRIGGER'], ['run.accepted', 'STARTED'], ['run.started', 'RUNNING'], ['run.succeeded', 'SUCCESS']];
  let slot = 1;
  const commit = async ({ task, tid }) => {
    const cur = runs.get(task);
    if (!cur || cur.step === STEPS.length) {
      const run = await store.runs.create({ task_id: tid, task_name: task, instance: 'default', slot: slot++, max_attempts: 1, queue: 'localhost' });
      runs.set(task, { id: run.id, step: 0 });
    } else {
      const [event, to] = STEPS[cur.step++];
      await store.runs.transition({ runId: cur.id, event, to, patch: event === 'run.accepted' ? { attempt: 1, started_at: Math.round(wall()) } : {} });
    }
    process.send({ seq: await store.events.lastSeq(), t: wall() });
  };
  // One request at a time, in order (the parent waits for each answer anyway).
  let queue = Promise.resolve();
  process.on('message', (m) => {
    queue = queue.then(() => commit(m)).catch((err) => {
      console.error(err);
      process.exit(1);
    });
  });
  process.send({ ready: true });
} else {
  await main();
}

// Side by side with Debian cron on this machine: for a job due every minute in both, the lateness from
// the minute boundary to the job's process start (it records `date +%s.%N`), over 3 minutes.
// Run as root after `npm run build`: node test/bench/cron-compare.bench.mjs   (about 4 minutes;
// installs the Debian package cron when it is missing and starts `cron -f` unless cron already runs).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, fmt, median, percentile, printTable } from './lib.mjs';

const MINUTES = process.env.BENCH_QUICK ? 1 : 3;
const TITLE = `Lateness at the minute boundary: EasyTask vs Debian cron (${MINUTES} minute${MINUTES === 1 ? '' : 's'}, one job each)`;

function skip(reason) {
  process.stderr.write(`cron-compare: skipped: ${reason}\n`);
  printTable(TITLE, [{ figure: 'lateness vs cron', value: `skipped: ${reason}` }]);
  process.exit(0);
}

/** `cron` from Debian's package, installed with apt-get when missing; false when it cannot be had. */
function ensureCron() {
  const has = () => spawnSync('sh', ['-c', 'command -v cron'], { stdio: 'ignore' }).status === 0;
  if (has()) return true;
  process.stderr.write('cron-compare: installing the Debian package cron…\n');
  const apt = (...a) => spawnSync('apt-get', a, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!apt('install', '-y', '-qq', 'cron')) apt('update', '-qq') && apt('install', '-y', '-qq', 'cron');
  return has();
}

/** A running cron daemon's pid from /run/crond.pid, if it is alive. */
function runningCron() {
  try {
    const pid = Number(readFileSync('/run/crond.pid', 'utf8').trim());
    return pid > 0 && existsSync(`/proc/${pid}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function startDaemon(home) {
  const child = spawn(process.execPath, [BIN, 'daemon', '--home', home], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  while (!out.includes('Scheduler service started')) {
    if (child.exitCode !== null) throw new Error(`the daemon exited: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return child;
}

/** Lateness in ms of each recorded start whose minute is one of `minutes` (epoch minutes). */
function lateness(file, minutes) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((t) => minutes.includes(Math.floor(t / 60)))
    .map((t) => (t - Math.floor(t / 60) * 60) * 1000);
}

const sleepUntil = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

async function measure(dir) {
  const cronFile = `/etc/cron.d/easytask-bench-${process.pid}`;
  writeFileSync(cronFile, `* * * * * root date +\\%s.\\%N >> ${join(dir, 'cron.txt')}\n`);
  chmodSync(cronFile, 0o644);
  const ownCron = runningCron() === undefined ? spawn('cron', ['-f'], { stdio: 'ignore' }) : undefined;
  const home = join(dir, 'home');
  const def = { name: 'cron-compare', cmd: `date +%s.%N >> ${join(dir, 'easytask.txt')}`, cron: '* * * * *', timezone: 'UTC', overlap: 'allow', catch_up: 'none' };
  spawnSync(process.execPath, [BIN, 'insert', '-', '--home', home], { input: JSON.stringify(def), stdio: ['pipe', 'ignore', 'inherit'] });
  const daemon = await startDaemon(home);
  try {
    // cron reads /etc/cron.d once a minute: count from the second boundary after both are up.
    const first = Math.floor(Date.now() / 60_000) + 2;
    const minutes = Array.from({ length: MINUTES }, (_, i) => first + i);
    process.stderr.write(`cron-compare: measuring ${MINUTES} minute boundaries from ${new Date(first * 60_000).toISOString()}…\n`);
    await sleepUntil((first + MINUTES - 1) * 60_000 + 5_000);
    return { minutes, cron: lateness(join(dir, 'cron.txt'), minutes), easytask: lateness(join(dir, 'easytask.txt'), minutes) };
  } finally {
    daemon.kill('SIGTERM');
    ownCron?.kill('SIGTERM');
    rmSync(cronFile, { force: true });
  }
}

if (process.getuid?.() !== 0) skip('not root (cron jobs in /etc/cron.d and starting cron need root)');
if (!ensureCron()) skip('the Debian package cron could not be installed');
const dir = mkdtempSync(join(tmpdir(), 'easytask-cron-compare-'));
chmodSync(dir, 0o755);
try {
  const r = await measure(dir);
  const row = (what, pick, target = '≤ cron') => {
    const ours = pick(r.easytask);
    const theirs = pick(r.cron);
    return { figure: what, value: fmt(ours, 0), baseline: `${fmt(theirs, 0)} (cron)`, ratio: fmt(ours / theirs, 2), target };
  };
  printTable(TITLE, [
    row('starts recorded', (v) => v.length, `${MINUTES} each`),
    row('lateness p50 (ms)', (v) => median(v)),
    row('lateness max (ms)', (v) => percentile(v, 100)),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

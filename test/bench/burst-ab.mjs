// A/B of burst throughput between two builds: node test/bench/burst-ab.mjs BIN_A BIN_B [daemon args…]
// Each round runs 1,000 runs due at the same instant (`true`, concurrency 8) through build A, then B,
// and prints trigger → SUCCESS runs/s; ROUNDS=N for more rounds, N=… for another burst size.
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [binA, binB, ...daemonArgs] = process.argv.slice(2);
if (!binA || !binB) {
  console.error('usage: node test/bench/burst-ab.mjs BIN_A BIN_B [daemon args…]   (BIN: a bin/easytask of a built tree)');
  process.exit(2);
}
const N = Number(process.env.N ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hms = (ms) => new Date(ms).toISOString().slice(11, 19);

async function burst(bin) {
  const home = mkdtempSync(join(tmpdir(), 'easytask-burst-ab-'));
  const env = { ...process.env, EASYTASK_HOME: home };
  const due = Math.ceil(Date.now() / 1000) * 1000 + 6000;
  const tasks = Array.from({ length: N }, (_, i) => ({ name: `b-${i}`, cmd: 'true', timezone: 'UTC', trigger_times: hms(due) }));
  const ins = spawnSync(process.execPath, [bin, 'insert', '-'], { env, input: JSON.stringify(tasks) });
  if (ins.status !== 0) throw new Error(String(ins.stderr));
  const daemon = spawn(process.execPath, [bin, 'daemon', '--quiet', '--concurrency', '8', ...daemonArgs], { env, stdio: 'ignore' });
  const file = join(home, 'easytask.db');
  const count = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state = 'SUCCESS'`).get().n;
    } finally {
      db.close();
    }
  };
  while ((await sleep(200), count()) < N);
  await new Promise((r) => (daemon.on('exit', r), daemon.kill('SIGTERM')));
  const db = new Database(file, { readonly: true });
  const { first, last } = db.prepare(`SELECT MIN(time) AS first, MAX(time) AS last FROM events WHERE type IN ('run.triggered', 'run.succeeded')`).get();
  db.close();
  rmSync(home, { recursive: true, force: true });
  return N / ((last - first) / 1000);
}

for (let round = 1; round <= ROUNDS; round++) {
  const a = await burst(binA);
  const b = await burst(binB);
  console.log(`round ${round}: A ${a.toFixed(0)} runs/s, B ${b.toFixed(0)} runs/s (B/A ${(b / a).toFixed(2)})`);
}

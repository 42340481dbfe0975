import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { openStore, type Store } from '../../src/store/index.js';
import { BIN, ROOT } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

/** A running easytask process whose complete stdout lines can be awaited. */
class Proc {
  readonly child: ChildProcess;
  private buf = '';
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private checks: (() => void)[] = [];

  constructor(home: string, args: string[], shell?: string) {
    const env = { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' };
    this.child = shell ? spawn('bash', ['-c', shell], { cwd: ROOT, env }) : spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    this.child.stdout!.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      const parts = this.buf.split('\n');
      this.buf = parts.pop()!;
      this.lines.push(...parts);
      for (const check of [...this.checks]) check();
    });
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
    procs.push(this);
  }

  until(cond: (lines: string[]) => boolean, ms = 15_000): Promise<void> {
    if (cond(this.lines)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out with ${this.lines.length} lines; exit ${this.child.exitCode} ${this.child.signalCode}; stderr: ${this.stderr}`)), ms);
      const check = () => {
        if (!cond(this.lines)) return;
        clearTimeout(t);
        this.checks = this.checks.filter((c) => c !== check);
        resolve();
      };
      this.checks.push(check);
    });
  }
}

const procs: Proc[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const s of stores.splice(0)) await s.close();
});

type Append = (n: number) => Promise<void>;

async function writer(): Promise<{ home: string; store: Store; append: Append }> {
  const home = tempHome();
  const store = await openStore(home, systemClock);
  stores.push(store);
  let i = await store.events.lastSeq();
  const append = async (n: number) => {
    const batch = Array.from({ length: n }, () => i++).map((k) => ({ key: `w${k}`, type: 'run.output' as const, time: systemClock.now(), instance: 'default', task: 'w', run_id: 1, attempt: 1, data: { i: k } }));
    await store.events.appendAll(batch);
  };
  return { home, store, append };
}

/** Append `total` events in small transactions every few ms, like a busy daemon. */
async function writeFor(append: Append, total: number, per = 5): Promise<void> {
  for (let left = total; left > 0; left -= per) {
    await new Promise((resolve) => setTimeout(resolve, 3));
    await append(Math.min(per, left));
  }
}

const seqOf = (line: string) => JSON.parse(line).seq as number;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('events -f', () => {
  it('a follower killed mid-stream and resumed with --after misses nothing and repeats nothing', async () => {
    const { home, append } = await writer();
    await append(100);
    const first = new Proc(home, ['events', '-f', '--format', 'json']);
    const writing = writeFor(append, 500);
    await first.until((l) => l.length >= 250);
    first.child.kill('SIGKILL');
    await first.exited;
    await writing;
    const seen = first.lines.map(seqOf);
    expect(seen.length).toBeGreaterThanOrEqual(250);
    const last = seen.at(-1)!;

    // Resumed: what it missed while down, then what commits while it follows.
    const second = new Proc(home, ['events', '-f', '--after', String(last), '--format', 'json']);
    await writeFor(append, 100);
    await second.until((l) => l.length > 0 && seqOf(l.at(-1)!) === 700);
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stderr).toBe('');
    expect([...seen, ...second.lines.map(seqOf)]).toEqual(range(1, 700));
  });

  it('shows a committed event within 250 ms (median over 10)', async () => {
    const { home, append } = await writer();
    await append(1);
    const p = new Proc(home, ['events', '-f', '--format', 'json']);
    await p.until((l) => l.length === 1);
    const latencies: number[] = [];
    for (let n = 2; n <= 11; n++) {
      const t0 = performance.now();
      await append(1);
      await p.until((l) => l.length >= n);
      latencies.push(performance.now() - t0);
    }
    expect(p.lines.map(seqOf)).toEqual(range(1, 11));
    latencies.sort((a, b) => a - b);
    expect(latencies[5]).toBeLessThan(250);
    expect(latencies.at(-1)).toBeLessThan(1000);
  });

  it('ends cleanly when the reader goes away (| head), following or not', async () => {
    const { home, append } = await writer();
    await append(5000);
    const once = new Proc(home, [], `node ${BIN} events | head -n 2; echo "rc=\${PIPESTATUS[0]}" >&2`);
    await once.exited;
    expect(once.lines).toHaveLength(2);
    expect(once.stderr).toBe('rc=0\n');

    // head holds its output until it exits, so keep committing until the pipeline ends.
    const follow = new Proc(home, [], `node ${BIN} events -f --after 4999 | head -n 2; echo "rc=\${PIPESTATUS[0]}" >&2`);
    const more = setInterval(() => void append(1), 50);
    try {
      await follow.exited;
    } finally {
      clearInterval(more);
    }
    expect(follow.lines).toHaveLength(2);
    expect(follow.stderr).toBe('rc=0\n');
  });
});

describe('logs -f', () => {
  it('waits for the run to start, follows its output across a retry, and stops when it ends', async () => {
    const home = tempHome();
    const store = await openStore(home, systemClock);
    stores.push(store);
    const run = (await store.runs.create({ task_id: 1, task_name: 'job', instance: 'default', slot: systemClock.now(), max_attempts: 2, queue: 'localhost' }))!;
    await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
    const out = join(home, 'logs', 'job', `${run.id}.out`);
    const p = new Proc(home, ['logs', 'job', '-f']);
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, 'one\n');
    await store.runs.transition({ runId: run.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 1 } });
    await store.runs.transition({ runId: run.id, event: 'run.started', to: 'RUNNING', patch: { pid: 1234, stdout_path: out, stderr_path: out + '.err' } });
    await p.until((l) => l.includes('one'));
    appendFileSync(out, 'two\n');
    await p.until((l) => l.includes('two'));
    await store.runs.transition({ runId: run.id, event: 'run.retrying', to: 'RESTARTING', patch: { exit_code: 1 } });
    appendFileSync(out, '--- attempt 2 ---\nthree\n');
    await p.until((l) => l.includes('three'));
    await store.runs.transition({ runId: run.id, event: 'run.accepted', to: 'STARTED', patch: { attempt: 2 } });
    await store.runs.transition({ runId: run.id, event: 'run.started', to: 'RUNNING', patch: { pid: 1235 } });
    appendFileSync(out, 'four\n');
    await store.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: systemClock.now() } });
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.lines).toEqual(['one', 'two', '--- attempt 2 ---', 'three', 'four']);
    expect(p.stderr).toBe('');
  });
});

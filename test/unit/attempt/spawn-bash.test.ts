// The attempt's process start with node:child_process against execa, which it replaced: the same
// process set-up, and spawn failures worded as execa worded them (they are recorded on the run).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttemptSpec } from '../../../src/attempt/index.js';
import { spawnBash, type Spawned } from '../../../src/attempt/spawn-bash.js';
import { spawnBashViaExeca } from '../../../src/attempt/spawn-bash-execa.js';
import { readStat } from '../../../src/attempt/process-group.js';
import { spec, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function failure(spawned: Spawned): Promise<string> {
  if (!('failed' in spawned)) throw new Error(`started pid ${spawned.child.pid}`);
  return spawned.failed;
}

/** What the process printed and how it ended. */
async function outcome(spawned: Spawned): Promise<{ out: string; err: string; code: number | null; pgid: number; pid: number }> {
  if ('failed' in spawned) throw new Error(await spawned.failed);
  const { child } = spawned;
  const pgid = readStat(child.pid)?.pgrp ?? -1;
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  await new Promise((r) => setTimeout(r, 50));
  return { out, err, code, pgid, pid: child.pid };
}

describe('spawnBash', () => {
  it('starts bash -c cmd in its own process group, with exactly the env and cwd given, stdin closed', async () => {
    const s: AttemptSpec = spec(dir, 'echo "$ONLY-${HOME:-nohome}"; pwd; read x || echo no-stdin; echo e >&2; exit 4', { cwd: dir, env: { ONLY: 'x' } });
    for (const start of [spawnBash, spawnBashViaExeca]) {
      const r = await outcome(start(s));
      expect(r).toMatchObject({ out: `x-nohome\n${dir}\nno-stdin\n`, err: 'e\n', code: 4 });
      expect(r.pgid).toBe(r.pid);
    }
  });

  it('words spawn failures as execa did', async () => {
    writeFileSync(join(dir, 'file'), '');
    const failing = [
      spec(dir, 'true', { cwd: join(dir, 'gone') }),
      spec(dir, 'true', { cwd: join(dir, 'file') }),
      spec(dir, 'x'.repeat(200_000)),
    ];
    for (const s of failing) {
      const direct = await failure(spawnBash(s));
      expect(direct).toBe(await failure(spawnBashViaExeca(s)));
      expect(direct).toMatch(/^(The "cwd" option|spawn )/);
    }
  });
});

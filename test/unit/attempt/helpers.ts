// Shared helpers for the agent tests: temp folders, specs, and /proc checks for leftover processes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttemptSpec } from '../../../src/attempt/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/attempt');

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'easytask-agent-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function spec(dir: string, cmd: string, extra: Partial<AttemptSpec> = {}): AttemptSpec {
  return {
    cmd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    shell: 'bash',
    stdoutPath: join(dir, 'run.out'),
    stderrPath: join(dir, 'run.err'),
    killGraceSeconds: 1,
    maxOutputBytes: 1024 * 1024,
    attempt: 1,
    ...extra,
  };
}

export const read = (path: string): string => readFileSync(path, 'utf8');

/**
 * Is the process gone? A zombie counts as gone: it has exited, only its parent has not reaped it
 * (here PID 1 does not reap orphans, so killed grandchildren stay zombies until the VM ends).
 */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Poll until `check` holds or `ms` passes. */
export async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 25) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, isProcessGroupAlive, killGroupGracefully, killProcessGroup } from '../../../src/attempt/index.js';
import { eventually, processGone, tempDir } from './helpers.js';

/** Above the kernel's largest pid_max (2^22), so never a live process. */
const NO_SUCH_PID = 2 ** 22 + 1;

/** A detached group like one a crashed daemon leaves behind: bash plus a background sleep. */
function orphanGroup(script: string): number {
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid!;
}

describe('process groups', () => {
  it('sees a live process and a live group, and kills the whole group', async () => {
    const pgid = orphanGroup('sleep 300 & sleep 300');
    expect(isProcessAlive(pgid)).toBe(true);
    expect(isProcessGroupAlive(pgid)).toBe(true);
    expect(killProcessGroup(pgid, 'SIGTERM')).toBe(true);
    expect(await eventually(() => !isProcessGroupAlive(pgid))).toBe(true);
    expect(processGone(pgid)).toBe(true);
    expect(isProcessAlive(pgid)).toBe(false);
  });

  it('says false for a group or process that does not exist', () => {
    expect(killProcessGroup(NO_SUCH_PID, 'SIGTERM')).toBe(false);
    expect(isProcessAlive(NO_SUCH_PID)).toBe(false);
    expect(isProcessGroupAlive(NO_SUCH_PID)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
  });

  it('refuses to signal group 0 or 1', () => {
    expect(() => killProcessGroup(0, 'SIGTERM')).toThrow('refusing to signal process group 0');
    expect(() => killProcessGroup(1, 'SIGKILL')).toThrow('refusing to signal process group 1');
  });

  it('escalates to SIGKILL for a group that ignores SIGTERM', async () => {
    const { dir, cleanup } = tempDir();
    const ready = join(dir, 'ready');
    const pgid = orphanGroup(`trap '' TERM; sleep 300 & touch ${ready}; sleep 300`);
    await eventually(() => existsSync(ready));
    cleanup();
    expect(await killGroupGracefully(pgid, 300)).toBe('killed');
    expect(isProcessGroupAlive(pgid)).toBe(false);
  });

  it('reports gone at once for a group that already ended', async () => {
    expect(await killGroupGracefully(NO_SUCH_PID, 1000)).toBe('gone');
  });
});

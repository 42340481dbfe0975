import { closeSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attemptHeader, resolveOutputPaths, truncationMarker } from '../../../src/attempt/index.js';
import { openOutputFile } from '../../../src/attempt/output-files.js';
import { read, tempDir } from './helpers.js';

describe('resolveOutputPaths', () => {
  const base = { home: '/var/lib/easytask', taskName: 'backup', runId: 17 };

  it('defaults to <home>/logs/<task>/<run>.out and .err', () => {
    expect(resolveOutputPaths(base)).toEqual({
      stdoutPath: '/var/lib/easytask/logs/backup/17.out',
      stderrPath: '/var/lib/easytask/logs/backup/17.err',
    });
  });

  it('puts a relative path under <home>/logs/ and keeps an absolute one', () => {
    expect(resolveOutputPaths({ ...base, stdout: 'backup/today.log', stderr: '/tmp/backup.err' })).toEqual({
      stdoutPath: '/var/lib/easytask/logs/backup/today.log',
      stderrPath: '/tmp/backup.err',
    });
  });
});

describe('output file helpers', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('formats the attempt header and the truncation marker', () => {
    expect(attemptHeader(3, Date.parse('2026-01-02T03:04:05.678Z'))).toBe('--- attempt 3 started 2026-01-02T03:04:05.678Z ---\n');
    expect(truncationMarker(1024)).toBe('[easytask: output truncated at 1024 bytes]\n');
  });

  it('creates parent folders (0700) and opens for append, readable by its owner only (0600)', () => {
    const path = join(dir, 'a', 'b', 'run.out');
    const first = openOutputFile(path, 'stdout');
    if (!first.ok) throw new Error(first.message);
    writeSync(first.fd, 'x');
    closeSync(first.fd);
    const second = openOutputFile(path, 'stdout', '--- h ---\n');
    if (!second.ok) throw new Error(second.message);
    closeSync(second.fd);
    expect(read(path)).toBe('x\n--- h ---\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect([statSync(join(dir, 'a')).mode & 0o777, statSync(join(dir, 'a', 'b')).mode & 0o777]).toEqual([0o700, 0o700]);
  });

  it('makes a folder again when it was removed after an earlier attempt (prune drops empty ones)', () => {
    const path = join(dir, 'logs', 'task', '1.out');
    const first = openOutputFile(path, 'stdout');
    if (!first.ok) throw new Error(first.message);
    closeSync(first.fd);
    rmSync(join(dir, 'logs', 'task'), { recursive: true });
    const again = openOutputFile(join(dir, 'logs', 'task', '2.out'), 'stdout');
    if (!again.ok) throw new Error(again.message);
    closeSync(again.fd);
    expect(statSync(join(dir, 'logs', 'task', '2.out')).isFile()).toBe(true);
  });
});

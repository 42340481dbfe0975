import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { checkRunAsUser, lookupUser, resolveRunAsUser, runAttempt } from '../../../src/attempt/index.js';
import { findInPasswd } from '../../../src/attempt/run-as-user.js';
import { FIXTURES, read, spec, tempDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const passwd = [
  'root:x:0:0:root:/root:/bin/bash',
  '# a comment',
  'bob:x:1000:1000:Bob,,,:/home/bob:/bin/bash',
  'broken:line',
].join('\n');
const bob = { name: 'bob', uid: 1000, gid: 1000, home: '/home/bob', shell: '/bin/bash' };

describe('run_as_user resolution', () => {
  it('finds a user by name or numeric uid in passwd text', () => {
    expect(findInPasswd(passwd, 'bob')).toEqual(bob);
    expect(findInPasswd(passwd, '1000')).toEqual(bob);
    expect(findInPasswd(passwd, 'alice')).toBeUndefined();
  });

  it('looks up real users', async () => {
    expect(await lookupUser('nobody')).toMatchObject({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(await lookupUser('no-such-user-here')).toBeUndefined();
  });

  it('lets root switch to anyone, and a user run only as itself', () => {
    expect(checkRunAsUser(bob, 0)).toEqual({ ok: true, user: bob, runAs: { uid: 1000, gid: 1000, name: 'bob' } });
    expect(checkRunAsUser(bob, 1000)).toEqual({ ok: true, user: bob });
    expect(checkRunAsUser(bob, 1001)).toEqual({
      ok: false,
      reason: 'user_error',
      message: 'run_as_user "bob" needs the daemon to run as root (it runs as uid 1001)',
    });
  });

  it('fails for an unknown user', async () => {
    expect(await resolveRunAsUser('no-such-user-here', 0)).toEqual({
      ok: false,
      reason: 'user_error',
      message: 'run_as_user "no-such-user-here" is not a known user on this host',
    });
  });
});

describe.skipIf(!isRoot)('run_as_user with real processes (needs root)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    chmodSync(dir, 0o755);
  });
  afterEach(() => cleanup());

  it('runs as nobody, with supplementary groups dropped, writing output the daemon owns', async () => {
    const cmd = 'id -u; id -g; id -G; touch /root/easytask-must-not-exist || echo denied >&2';
    const r = await runAttempt(spec(dir, cmd, { runAsUser: { uid: 65534, gid: 65534, name: 'nobody' } }), {
      clock: systemClock,
    });
    expect(r.outcome).toBe('success');
    expect(read(join(dir, 'run.out'))).toBe('65534\n65534\n65534\n');
    expect(read(join(dir, 'run.err'))).toContain('denied');
    const file = statSync(join(dir, 'run.out'));
    expect([file.uid, file.mode & 0o777]).toEqual([0, 0o600]);
  });

  it('as a non-root daemon: refuses another user, runs as itself', async () => {
    chmodSync(dir, 0o777);
    const child = await execa(
      process.execPath,
      ['--import', 'tsx', join(FIXTURES, 'run-as-other-user.ts'), dir, '1000'],
      { uid: 65534, gid: 65534, cwd: join(FIXTURES, '../../..') },
    );
    const { other, same } = JSON.parse(child.stdout);
    expect(other).toMatchObject({
      outcome: 'failed',
      reason: 'user_error',
      error: 'run_as_user "bob" needs the daemon to run as root (it runs as uid 65534)',
    });
    expect(same).toMatchObject({ outcome: 'success' });
    expect(read(join(dir, 'same.out'))).toBe('65534\n');
  });
});

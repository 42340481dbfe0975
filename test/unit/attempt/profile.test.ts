import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnvironment, sourceProfile } from '../../../src/attempt/index.js';
import { parseEnv0 } from '../../../src/attempt/profile.js';
import { FIXTURES } from './helpers.js';

const input = { PATH: process.env.PATH ?? '/usr/bin:/bin', TASK_VALUE: '42', SHLVL: '7' };

describe('sourceProfile', () => {
  it('returns the environment after sourcing, assignments exported', async () => {
    const r = await sourceProfile(join(FIXTURES, 'profile.sh'), { env: input });
    if (!r.ok) throw new Error(r.message);
    expect(r.env).toMatchObject({
      PATH: input.PATH,
      TASK_VALUE: '42',
      GREETING: 'hello from profile',
      DATA_DIR: '/srv/data',
      FROM_TASK: 'task said: 42',
    });
    expect(r.env.SHLVL).toBe('7');
    expect(r.env).not.toHaveProperty('_');
    expect(r.env).not.toHaveProperty('OLDPWD');
  });

  it('resolves a relative profile path against cwd', async () => {
    const r = await sourceProfile('profile.sh', { env: input, cwd: FIXTURES });
    expect(r.ok && r.env.GREETING).toBe('hello from profile');
  });

  it('fails for a missing file', async () => {
    expect(await sourceProfile('/nonexistent/profile.sh', { env: input })).toEqual({
      ok: false,
      message: 'profile "/nonexistent/profile.sh" is not a readable file',
    });
  });

  it('fails on a syntax error with bash’s own first line', async () => {
    const file = join(FIXTURES, 'profile-syntax-error.sh');
    expect(await sourceProfile(file, { env: input })).toEqual({
      ok: false,
      message: `profile "${file}" failed with status 2: ${file}: line 2: syntax error near unexpected token \`then'`,
    });
  });

  it('fails when the profile exits', async () => {
    const file = join(FIXTURES, 'profile-exit.sh');
    expect(await sourceProfile(file, { env: input })).toEqual({ ok: false, message: `profile "${file}" failed with status 4` });
  });

  it('parses env -0 output with = and newlines inside values', () => {
    expect(parseEnv0(Buffer.from('A=1\0B=x=y\0C=two\nlines\0'))).toEqual({ A: '1', B: 'x=y', C: 'two\nlines' });
  });
});

describe('baseEnvironment', () => {
  it('layers process env, run_as_user identity, then task env', () => {
    const user = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' };
    const env = baseEnvironment({
      processEnv: { HOME: '/root', USER: 'root', KEEP: 'k', GONE: undefined, OVER: 'process' },
      taskEnv: { OVER: 'task' },
      user,
    });
    expect(env).toEqual({ HOME: '/nonexistent', USER: 'nobody', LOGNAME: 'nobody', KEEP: 'k', OVER: 'task' });
  });
});

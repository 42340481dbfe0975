import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { DEFAULTS } from '../../../src/core/defaults.js';
import type { TaskDef } from '../../../src/core/task.js';
import { prepareAttempt, runAttempt, type PrepareInput } from '../../../src/attempt/index.js';
import { FIXTURES, read, tempDir } from './helpers.js';

const task: TaskDef = {
  tid: 1000007,
  name: 'daily-export',
  task_owner: 'ops',
  cmd: 'echo "$GREETING" ${E:GREETING} ${T:task_id} ${E:YYYYMMDD}',
  run_on_host: 'localhost',
  active: true,
  instance: 'default',
  retry_attempts: 0,
  retry_delay: 10,
  catch_up: 'latest',
  overlap: 'skip',
  timezone: 'Europe/Paris',
  profile: join(FIXTURES, 'profile.sh'),
  env: { TASK_VALUE: 'from task' },
  stdout: '${T:task_name}/${E:YYYYMMDD}.log',
  max_run_time: 60,
};

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const input = (over: Partial<TaskDef> = {}): PrepareInput => ({
  task: { ...task, ...over },
  runId: 12,
  attempt: 1,
  triggerAt: Date.parse('2026-06-30T22:30:00Z'), // 00:30 on 1 July in Paris
  timezone: 'Europe/Paris',
  home: dir,
  processEnv: { PATH: process.env.PATH, SECRET_OF_DAEMON: 'visible' },
});

describe('prepareAttempt', () => {
  it('builds a spec from profile, env, placeholders and output paths, and it runs', async () => {
    const r = await prepareAttempt(input());
    if (!r.ok) throw new Error(r.message);
    expect(r.spec).toMatchObject({
      cmd: 'echo "$GREETING" "${EASYTASK_VALUE_1}" "${EASYTASK_VALUE_2}" "${EASYTASK_VALUE_3}"',
      shell: 'bash',
      stdoutPath: join(dir, 'logs/daily-export/20260701.log'),
      stderrPath: join(dir, 'logs/daily-export/12.err'),
      maxRunTimeSeconds: 60,
      killGraceSeconds: DEFAULTS.killGraceSeconds,
      maxOutputBytes: DEFAULTS.maxOutputBytes,
      attempt: 1,
    });
    expect(r.spec.env).toMatchObject({
      SECRET_OF_DAEMON: 'visible',
      FROM_TASK: 'task said: from task',
      EASYTASK_VALUE_1: 'hello from profile',
      EASYTASK_VALUE_2: '1000007',
      EASYTASK_VALUE_3: '20260701',
    });
    expect(r.spec).not.toHaveProperty('runAsUser');
    const result = await runAttempt(r.spec, { clock: systemClock });
    expect(result.outcome).toBe('success');
    expect(read(r.spec.stdoutPath)).toBe('hello from profile hello from profile 1000007 20260701\n');
  });

  it('fails with placeholder_error naming the placeholder and field', async () => {
    expect(await prepareAttempt(input({ cmd: 'run ${E:NOPE}' }))).toEqual({
      ok: false,
      reason: 'placeholder_error',
      message: 'unknown placeholder ${E:NOPE} in cmd',
    });
    expect(await prepareAttempt(input({ stderr: '${T:owner}.err' }))).toEqual({
      ok: false,
      reason: 'placeholder_error',
      message: 'unknown placeholder ${T:owner} in stderr',
    });
  });

  it('fails with spawn_error when the profile fails', async () => {
    const profile = join(FIXTURES, 'profile-exit.sh');
    expect(await prepareAttempt(input({ profile }))).toEqual({
      ok: false,
      reason: 'spawn_error',
      message: `profile "${profile}" failed with status 4`,
    });
  });

  it('fails with user_error for an unknown user or a non-root daemon', async () => {
    expect(await prepareAttempt(input({ run_as_user: 'no-such-user-here' }))).toEqual({
      ok: false,
      reason: 'user_error',
      message: 'run_as_user "no-such-user-here" is not a known user on this host',
    });
    expect(await prepareAttempt({ ...input({ run_as_user: 'nobody' }), daemonUid: 1000 })).toEqual({
      ok: false,
      reason: 'user_error',
      message: 'run_as_user "nobody" needs the daemon to run as root (it runs as uid 1000)',
    });
  });

  it.skipIf(process.getuid?.() !== 0)('switches to the user, sourcing the profile as that user (needs root)', async () => {
    const r = await prepareAttempt({ ...input({ run_as_user: 'nobody', cmd: 'echo "$PROFILE_UID"' }), daemonUid: 0 });
    if (!r.ok) throw new Error(r.message);
    expect(r.spec.runAsUser).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
    expect(r.spec.env).toMatchObject({ HOME: '/nonexistent', USER: 'nobody', LOGNAME: 'nobody', PROFILE_UID: '65534' });
    expect(r.spec.cwd).toBe('/'); // nobody's home does not exist
  });
});

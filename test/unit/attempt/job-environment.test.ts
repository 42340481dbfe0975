// The environment and working directory a job starts with: cron-like defaults, in a fixed precedence.
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { TaskDef } from '../../../src/core/task.js';
import { bashPath } from '../../../src/attempt/bash.js';
import { baseEnvironment, prepareAttempt, runAttempt, type OsUser, type PrepareInput } from '../../../src/attempt/index.js';
import { read, tempDir } from './helpers.js';

const task: TaskDef = {
  tid: 1000001,
  name: 'job',
  task_owner: 'ops',
  cmd: 'pwd; echo "$TZ|$HOME|$USER|$LOGNAME|$SHELL|$KEPT"',
  run_on_host: 'localhost',
  active: true,
  instance: 'default',
  retry_attempts: 0,
  retry_delay: 10,
  catch_up: 'latest',
  overlap: 'skip',
  timezone: 'Asia/Tokyo',
};

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const input = (over: Partial<TaskDef> = {}, extra: Partial<PrepareInput> = {}): PrepareInput => ({
  task: { ...task, ...over },
  runId: 3,
  attempt: 1,
  triggerAt: Date.parse('2026-06-30T22:30:00Z'),
  timezone: 'Asia/Tokyo',
  home: dir,
  // What a daemon started from a login shell somewhere else, in another zone, would pass on.
  processEnv: { PATH: process.env.PATH, TZ: 'UTC', HOME: '/elsewhere', USER: '', LOGNAME: 'someone', SHELL: '/bin/zsh', KEPT: 'inherited', PWD: '/tmp' },
  ...extra,
});

async function run(i: PrepareInput): Promise<string[]> {
  const r = await prepareAttempt(i);
  if (!r.ok) throw new Error(r.message);
  const result = await runAttempt(r.spec, { clock: systemClock });
  expect(result.outcome).toBe('success');
  return read(r.spec.stdoutPath).trimEnd().split('\n');
}

describe('a job environment', () => {
  it("runs in the daemon user's home with its identity, bash as SHELL and the task's zone as TZ; other daemon variables are kept", async () => {
    const me = userInfo();
    expect(await run(input())).toEqual([me.homedir, `Asia/Tokyo|${me.homedir}|${me.username}|${me.username}|${bashPath()}|inherited`]);
  });

  it("TZ is the zone it is given (a group member's is its group's), not the task's own field", async () => {
    const member = input({ timezone: undefined, task_group: 'etl' }, { timezone: 'Europe/London' });
    expect((await run(member))[1]).toMatch(/^Europe\/London\|/);
  });

  it('the task env overrides the defaults, and the profile overrides the task env', async () => {
    const profile = join(dir, 'profile.sh');
    writeFileSync(profile, 'export SHELL=/from/profile\n');
    const lines = await run(input({ env: { TZ: 'America/New_York', HOME: '/task/home', SHELL: '/from/task' }, profile }));
    expect(lines[1]).toBe(`America/New_York|/task/home|${userInfo().username}|${userInfo().username}|/from/profile|inherited`);
  });

  it('a task cwd is used instead of the home; a relative profile path is resolved against the working directory', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'p.sh'), 'export KEPT=from-relative-profile\n');
    const lines = await run(input({ cwd: work, profile: 'p.sh' }));
    expect(lines).toEqual([work, expect.stringMatching(/\|from-relative-profile$/)]);
  });

  it('a user whose home folder is missing starts in /', async () => {
    const ghost: OsUser = { name: 'ghost', uid: process.getuid!(), gid: process.getgid!(), home: join(dir, 'missing'), shell: '/usr/sbin/nologin' };
    const lines = await run(input({}, { daemonUser: ghost }));
    expect(lines).toEqual(['/', `Asia/Tokyo|${ghost.home}|ghost|ghost|${bashPath()}|inherited`]);
  });

  it('a task cwd that does not exist fails the attempt with spawn_error, naming it', async () => {
    const r = await prepareAttempt(input({ cwd: join(dir, 'nope') }));
    if (!r.ok) throw new Error(r.message);
    const result = await runAttempt(r.spec, { clock: systemClock });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'spawn_error', error: `cwd "${join(dir, 'nope')}" does not exist` });
  });
});

describe('baseEnvironment', () => {
  it('layers daemon env < identity, SHELL and TZ < task env', () => {
    const user = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' };
    const env = baseEnvironment({
      processEnv: { HOME: '/root', USER: 'root', TZ: 'UTC', SHELL: '/bin/zsh', KEEP: 'k', GONE: undefined },
      taskEnv: { TZ: 'Asia/Tokyo' },
      user,
      timezone: 'Europe/Paris',
      shell: '/bin/bash',
    });
    expect(env).toEqual({ HOME: '/nonexistent', USER: 'nobody', LOGNAME: 'nobody', SHELL: '/bin/bash', TZ: 'Asia/Tokyo', KEEP: 'k' });
  });
});

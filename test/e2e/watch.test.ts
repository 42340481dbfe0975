// End to end: the built executable's dashboard under tmux, against a live daemon running real tasks.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cli, ROOT } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.warn('SKIPPED test/e2e/watch.test.ts: tmux is not installed (apt-get install -y tmux)');

const SOCKET = `easytask-e2e-${process.pid}`;
const PROMPT = 'e2e-shell$';
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = (): string => tmux('capture-pane', '-p', '-t', 'w').stdout;
const keys = (...k: string[]) => tmux('send-keys', '-t', 'w', ...k);

/** Poll the pane until it shows what we wait for; fail with the last screen. */
async function waitFor(what: string, ok: (s: string) => boolean, ms = 15_000): Promise<string> {
  const end = performance.now() + ms;
  for (;;) {
    const s = screen();
    if (ok(s)) return s;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}; the screen was:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const row = (s: string, task: string): string => s.split('\n').find((l) => new RegExp(`^\\s*[▸▾ ] ${task}\\s`).test(l)) ?? '';

let daemon: ChildProcess | undefined;
afterEach(() => {
  tmux('kill-server');
  daemon?.kill('SIGTERM');
  daemon = undefined;
});

function startDaemon(home: string): Promise<void> {
  daemon = spawn(process.execPath, [BIN, 'daemon', '--poll', '50'], { cwd: ROOT, env: { ...process.env, EASYTASK_HOME: home, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    daemon!.stdout!.on('data', (d) => ((out += d), out.includes('Scheduler service started') && resolve()));
    daemon!.on('exit', (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
  });
}

describe.skipIf(!hasTmux)('easytask watch under tmux', () => {
  it('shows runs as they happen, follows their output, force-runs with r and restores the terminal on q', async () => {
    const home = tempHome();
    const file = join(home, 'tasks.json');
    const far = { trigger_times: '03:00', timezone: 'UTC', max_run_time: 60 };
    writeFileSync(file, JSON.stringify([
      { name: 'alpha', cmd: 'echo alpha-line-1; sleep 2; echo alpha-line-2', ...far },
      { name: 'beta', cmd: 'echo beta-was-here', ...far },
    ]));
    expect(cli(home, ['insert', file]).code).toBe(0);
    await startDaemon(home);

    const shell = `env EASYTASK_HOME=${home} TZ=UTC PS1='${PROMPT} ' bash --norc --noprofile`;
    expect(tmux('new-session', '-d', '-s', 'w', '-x', '120', '-y', '40', '-c', ROOT, shell).status).toBe(0);
    await waitFor('the shell prompt', (s) => s.includes(PROMPT));
    keys(`node ${BIN} watch`, 'Enter');
    await waitFor('the dashboard with the daemon up', (s) => s.includes('● daemon up') && /ACTIVE/.test(row(s, 'alpha')));

    expect(cli(home, ['force-run', 'alpha']).code).toBe(0);
    await waitFor('alpha RUNNING', (s) => /RUNNING +1\/1/.test(row(s, 'alpha')));
    keys('j', 'l'); // the cursor starts on the instance row; alpha is next
    await waitFor('alpha output in the log pane', (s) => s.includes('─ logs alpha run') && s.includes('alpha-line-1'));
    const done = await waitFor('alpha SUCCESS', (s) => /SUCCESS +1\/1 .*exit 0/.test(row(s, 'alpha')));
    expect(done).toMatch(/run\.succeeded task alpha run \d+ attempt 1 RUNNING→SUCCESS/);
    await waitFor('the rest of alpha output', (s) => s.includes('alpha-line-2'));

    keys('j', 'r');
    await waitFor('the daemon acknowledging the force-run', (s) => /Force run triggered for task \d+ \(beta\)/.test(s));
    await waitFor('beta SUCCESS and its output', (s) => /SUCCESS/.test(row(s, 'beta')) && s.includes('beta-was-here'));

    keys('q');
    const after = await waitFor('the shell again', (s) => !s.includes('EasyTask watch') && s.trimEnd().endsWith(PROMPT));
    expect(after).toContain(`node ${BIN} watch`);
    expect(tmux('display-message', '-p', '-t', 'w', '#{alternate_on}').stdout.trim()).toBe('0');
    keys('echo back-$((40+2))', 'Enter');
    await waitFor('the shell to answer', (s) => s.includes('back-42'));
  }, 60_000);

  it('r on a group row force-runs the group: the daemon starts a cycle and its task runs', async () => {
    const home = tempHome();
    const doc = {
      groups: [{ name: 'nightly', trigger_times: '03:00', timezone: 'UTC' }],
      tasks: [{ name: 'member', task_group: 'nightly', cmd: 'echo member-ran', max_run_time: 60 }],
    };
    expect(cli(home, ['insert', '-'], { input: JSON.stringify(doc) }).code).toBe(0);
    await startDaemon(home);
    const shell = `env EASYTASK_HOME=${home} TZ=UTC PS1='${PROMPT} ' bash --norc --noprofile`;
    expect(tmux('new-session', '-d', '-s', 'w', '-x', '120', '-y', '40', '-c', ROOT, shell).status).toBe(0);
    await waitFor('the shell prompt', (s) => s.includes(PROMPT));
    keys(`node ${BIN} watch`, 'Enter');
    await waitFor('the dashboard with the daemon up', (s) => s.includes('● daemon up') && /ACTIVE/.test(row(s, 'member')));
    keys('j', 'r'); // the cursor starts on the instance row; the nightly group row is next
    await waitFor('the daemon acknowledging the group force-run', (s) => /Force run triggered for group \d+ \(nightly\)/.test(s));
    await waitFor('member SUCCESS', (s) => /SUCCESS/.test(row(s, 'member')));
    const cycles = JSON.parse(cli(home, ['runs', '--json']).stdout) as { task: string; state: string }[];
    expect(cycles.map((r) => `${r.task} ${r.state}`)).toEqual(['member SUCCESS']);
    keys('q');
    await waitFor('the shell again', (s) => !s.includes('EasyTask watch') && s.trimEnd().endsWith(PROMPT));
  }, 60_000);
});

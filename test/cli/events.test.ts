import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { openStore, type Outcome } from '../../src/store/index.js';
import { cli } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

// Earlier than any real clock, so events written by the CLI itself (task.created) come after these.
const T0 = Date.UTC(2021, 2, 1, 12);

/** A home with task `report` (New York) and two finished runs with output, written through the store as the agent writes them. */
async function home(): Promise<{ home: string; runs: number[] }> {
  const dir = tempHome();
  const ins = cli(dir, ['insert', '-'], { input: JSON.stringify({ name: 'report', cmd: 'true', trigger_times: '07:00', timezone: 'America/New_York', retry_attempts: 1 }) });
  expect(ins.code).toBe(0);
  const clock = new FakeClock(T0);
  const store = await openStore(dir, clock);
  const runs: number[] = [];
  try {
    for (const [i, ok] of [true, false].entries()) {
      const run = (await store.runs.create({ task_id: 1000001, task_name: 'report', instance: 'default', slot: T0 + i * 86_400_000, max_attempts: 2, queue: 'localhost', origin: 'force' }))!;
      const out = join(dir, 'logs', 'report', `${run.id}.out`);
      mkdirSync(join(out, '..'), { recursive: true });
      writeFileSync(out, `hello from run ${run.id}\n`);
      writeFileSync(out.replace('.out', '.err'), ok ? '' : 'it broke\n');
      const triggered = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
      valueOf(await store.attempts.accept([{ run: triggered, host: 'vm', at: clock.now(), token: 't', leaseMs: 60_000 }]));
      valueOf(await store.attempts.started([{ runId: run.id, attempt: 1, pid: 99, at: clock.now(), stdoutPath: out, stderrPath: out.replace('.out', '.err'), token: 't' }]));
      // Its process ran 1.1 s.
      clock.advance(1100);
      const end = { runId: run.id, n: 1, endedAt: clock.now(), durationMs: 1100, exitCode: ok ? 0 : 3, signal: null, reason: ok ? null : 'exit_code', stdoutBytes: 0, stderrBytes: 0, outputError: null };
      await store.attempts.ended({
        token: 't',
        end,
        transition: ok
          ? { runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() }, data: { duration_ms: 1100 } }
          : { runId: run.id, event: 'run.failed', to: 'FAILED', patch: { exit_code: 3, reason: 'exit_code', ended_at: clock.now() }, data: { exit_code: 3, duration_ms: 1100 } },
      });
      runs.push(run.id);
    }
  } finally {
    await store.close();
  }
  return { home: dir, runs };
}

/** The value of a batch of one, or its error. */
function valueOf<T>([o]: Outcome<T>[]): T {
  if (!o!.ok) throw o!.error;
  return o!.value;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('easytask events', () => {
  it('prints the log oldest first, one line per event, in the three formats', async () => {
    const { home: h, runs } = await home();
    const text = lines(cli(h, ['events']).stdout);
    expect(text).toHaveLength(11);
    expect(text[0]).toMatch(/^#1 \S+Z task\.created task report version 1 tid 1000001$/);
    expect(text.at(-1)).toBe(`#11 2021-03-01T12:00:02.200Z run.failed task report run ${runs[1]} attempt 1 RUNNING→FAILED reason exit_code exit_code 3 (1.1s)`);

    const json = lines(cli(h, ['events', '--json']).stdout).map((l) => JSON.parse(l));
    expect(json.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(json[10]).toMatchObject({ type: 'run.failed', task: 'report', run_id: runs[1], attempt: 1, data: { from: 'RUNNING', to: 'FAILED', exit_code: 3 } });

    const ces = lines(cli(h, ['events', '--format', 'cloudevents']).stdout).map((l) => JSON.parse(l));
    expect(ces.map((c) => c.id)).toEqual(json.map((e) => String(e.seq)));
    for (const ce of ces) expect(new CloudEvent(ce, true).validate()).toBe(true);
    expect(ces[10]).toMatchObject({ type: 'io.easytask.run.failed.v1', subject: `tasks/report/runs/${runs[1]}`, time: '2021-03-01T12:00:02.200Z', datacontenttype: 'application/json' });
    expect(ces[10].source).toMatch(/^easytask:\/\/[^/]+\/default$/);
  });

  it('filters by --after, --since, --task, --run and --type', async () => {
    const { home: h, runs } = await home();
    const seqs = (args: string[]) => lines(cli(h, ['events', '--json', ...args]).stdout).map((l) => JSON.parse(l).seq as number);
    expect(seqs(['--after', '8'])).toEqual([9, 10, 11]);
    expect(seqs(['--type', '*.failed,*.succeeded'])).toEqual([6, 11]);
    expect(seqs(['--type', 'task.*'])).toEqual([1]);
    expect(seqs(['--run', String(runs[0]), '--after', '3'])).toEqual([4, 5, 6]);
    expect(seqs(['--since', '2021-03-01T12:00:01.100Z', '--task', 'report'])).toEqual([1, 6, 7, 8, 9, 10, 11]);
    expect(seqs(['--since', '2021-03-01T12:00:01.100Z', '--type', 'run.*'])).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it('refuses bad options with exit 2 and a message naming the option', () => {
    const h = tempHome();
    expect(cli(h, ['events', '--format', 'xml'])).toMatchObject({ code: 2, stderr: 'error: --format must be one of text, json, cloudevents; got "xml"\n' });
    expect(cli(h, ['events', '--after', 'x']).code).toBe(2);
    expect(cli(h, ['events', '--since', 'yesterday']).stderr).toContain('--since must be a duration like 24h');
    expect(cli(h, ['events', '--type', 'runs.*']).code).toBe(2);
  });
});

describe('easytask runs', () => {
  it('shows slot in UTC and in the task zone, attempts, exit code, duration and host; JSON keeps its field names', async () => {
    const { home: h, runs } = await home();
    const text = lines(cli(h, ['runs']).stdout);
    expect(text[0]).toMatch(/^RUN +TASK +SLOT \(UTC\) +SLOT \(LOCAL\) +STATE +REASON +ATTEMPTS +EXIT +DURATION +HOST$/);
    expect(text[1]).toMatch(new RegExp(`^${runs[1]} +report +2021-03-02 12:00:00Z +2021-03-02 07:00:00 EST +FAILED +exit_code +1/2 +3 +1.1s +vm$`));
    const json = JSON.parse(cli(h, ['runs', '--json']).stdout);
    expect(json[1]).toMatchObject({ id: runs[0], task: 'report', slot: '2021-03-01T12:00:00.000Z', state: 'SUCCESS', reason: null, attempt: 1, exit_code: 0, slot_local: '2021-03-01 07:00:00 EST', timezone: 'America/New_York' });
    expect(Object.keys(json[1])).toEqual(expect.arrayContaining(['id', 'task', 'slot', 'state', 'reason', 'attempt', 'exit_code', 'started_at', 'ended_at']));
  });
});

describe('easytask logs', () => {
  it('prints a run by id, a task by its latest run, and either stream', async () => {
    const { home: h, runs } = await home();
    expect(cli(h, ['logs', String(runs[0])])).toMatchObject({ code: 0, stdout: `hello from run ${runs[0]}\n` });
    expect(cli(h, ['logs', 'report'])).toMatchObject({ code: 0, stdout: `hello from run ${runs[1]}\n` });
    expect(cli(h, ['logs', '1000001', '--stream', 'stderr'])).toMatchObject({ code: 0, stdout: 'it broke\n' });
  });

  it('says why there is nothing to print', async () => {
    const { home: h, runs } = await home();
    rmSync(join(h, 'logs', 'report', `${runs[0]}.out`));
    const gone = cli(h, ['logs', String(runs[0])]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/its stdout file .* does not exist \(removed or pruned\)/);
    expect(cli(h, ['logs', 'nope'])).toMatchObject({ code: 2, stderr: 'error: no run or task named "nope" has any runs\n' });
    expect(cli(h, ['logs', 'report', '--stream', 'both']).code).toBe(2);
  });
});

describe('easytask prune', () => {
  it('reports what it would remove and what it removed', async () => {
    const { home: h } = await home();
    const dry = JSON.parse(cli(h, ['prune', '--older-than', '1d', '--dry-run', '--json']).stdout);
    expect(dry).toMatchObject({ dry_run: true, runs: 2, attempts: 2, events: 10, files: 4, log_bytes: 43 });
    const done = cli(h, ['prune', '--older-than', '1d']);
    expect(done.stdout).toMatch(/^Removed 2 run\(s\), 2 attempt\(s\), 10 event\(s\) and 4 log file\(s\) from before \S+Z\.\nFreed 43 B of log files and [\d.]+ (B|KiB) of database pages \(reused by new rows\)\.\n$/);
    // The task's definition event is recent: only run events went.
    expect(lines(cli(h, ['events', '--json']).stdout).map((l) => JSON.parse(l).type)).toEqual(['task.created']);
    expect(cli(h, ['prune', '--older-than', '3x'])).toMatchObject({ code: 2, stderr: 'error: --older-than must be a duration like 30d, 12h, 2w; got "3x"\n' });
  });
});

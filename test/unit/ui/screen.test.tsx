// A few rendered frames (ink-testing-library): the layout of the header, tree, panes and footer, and keys driving the app.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlRequest } from '../../../src/ui/commands.js';
import { App } from '../../../src/ui/components/App.js';
import { Screen } from '../../../src/ui/components/Screen.js';
import type { ViewState, WatchAction } from '../../../src/ui/model/types.js';
import { initialUi, type UiState } from '../../../src/ui/ui-state.js';
import { ViewStore } from '../../../src/ui/view-store.js';
import { apply, build, events, group, runEvent, runLifecycle, T0, task, today } from './fixtures.js';

const unmounts: (() => void)[] = [];
afterEach(() => unmounts.splice(0).forEach((u) => u()));

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const lines = (frame: string | undefined) => strip(frame ?? '').split('\n');

function fleet(extra: WatchAction[] = []): ViewState {
  const s = build([
    today(),
    { type: 'daemon', daemon: { up: true, pid: 4321, host: 'box', startedAt: T0 - 125_000, heartbeatAt: T0 - 2000, stale: false } },
    { type: 'group', group: group('etl') },
    { type: 'task', task: task('load', { group: 'etl', maxRunTime: 100 }) },
    { type: 'task', task: task('clean', { group: 'etl' }) },
    { type: 'task', task: task('report') },
    ...events(runLifecycle('clean', 1, 'FAILED')),
    ...events(runLifecycle('load', 2, 'RUNNING')),
    ...extra,
  ]);
  return apply(s, { type: 'tick', now: s.nodes.size && (s.tail.at(-1)!.time + 30_000) });
}

function screen(state: ViewState, ui: UiState = initialUi, width = 100, height = 30, logLines: string[] = []) {
  const r = render(<Screen state={state} ui={ui} width={width} height={height} logLines={logLines} />);
  unmounts.push(r.unmount);
  return lines(r.lastFrame());
}

async function until(read: () => string | undefined, ok: (frame: string) => boolean, ms = 3000): Promise<string> {
  const end = performance.now() + ms;
  for (;;) {
    const f = strip(read() ?? '');
    if (ok(f)) return f;
    if (performance.now() > end) throw new Error(`screen never matched; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('dashboard frame', () => {
  it('fills the terminal less one row: header, tree with counts, event tail, key hints', () => {
    const l = screen(fleet());
    expect(l).toHaveLength(29);
    expect(l[0]).toMatch(/^EasyTask watch +● daemon up pid 4321 · up \dm · heartbeat < 5s ago +· +instance default +\d\d:\d\d$/);
    expect(l[1]).toMatch(/^today +1 RUNNING +1 FAILED/);
    expect(l[2]).toMatch(/^NAME +STATE +TRY +STARTED +TOOK +PROGRESS +RESULT +NEXT/);
    expect(l[3]).toMatch(/^▾ default +3 tasks +1 RUNNING +1 FAILED +1 ACTIVE/);
    expect(l[4]).toMatch(/^ {2}▾ etl +at 04:00 +1 RUNNING +1 FAILED/);
    expect(l[5]).toMatch(/^ {4}▸ load +RUNNING +1\/2 +\d\d:\d\d:\d\d +3\ds +███░░░░░░░ 3\d%/);
    expect(l[6]).toMatch(/^ {4}▸ clean +FAILED +1\/2 .* 900ms +exit 3/);
    expect(l[7]).toMatch(/^ {4}report +ACTIVE/);
    expect(l.find((x) => x.startsWith('─ events'))).toBeDefined();
    expect(l.some((x) => /#\d+ \d\d:\d\d:\d\d run\.started task load run 2/.test(x))).toBe(true);
    expect(l[28]).toMatch(/^↑↓\/jk move/);
  });

  it('cuts every line at a narrow width instead of wrapping, keeping the clock visible', () => {
    const l = screen(fleet(), initialUi, 48, 16);
    expect(l).toHaveLength(15);
    for (const line of l) expect(line.length).toBeLessThanOrEqual(48);
    expect(l[0]).toMatch(/^\d\d:\d\d {2}● daemon up/);
  });

  it('a state filter keeps the ancestors of matching rows and says so in the header', () => {
    const s = apply(fleet(), { type: 'filter', states: ['FAILED'] });
    const l = screen(s);
    expect(l[1]).toContain('filter: state FAILED (1 tasks)');
    expect(l.slice(3, 7).map((x) => x.trim().split(/ +/).slice(0, 3).join(' '))).toEqual(['▾ default 3', '▾ etl at', '▸ clean FAILED', '']);
  });

  it('shows the daemon down, the log pane and the terminate question', () => {
    const s = apply(fleet(), { type: 'daemon', daemon: { up: false, pid: 4321, host: 'box', startedAt: null, heartbeatAt: T0, stale: false } }, { type: 'move', delta: 2 });
    const ui: UiState = { ...initialUi, logs: true, mode: 'confirm', confirm: { task: 'load', instance: 'default', runId: 2, state: 'RUNNING' } };
    const l = screen(s, ui, 100, 30, ['first line', 'second line']);
    expect(l[0]).toContain('○ daemon down (history only; start it with: easytask daemon)');
    const title = l.findIndex((x) => x.startsWith('─ logs load run 2 stdout /logs/load/2.out'));
    expect(title).toBeGreaterThan(8);
    expect(l.slice(title + 1, title + 3)).toEqual(['first line', 'second line']);
    expect(l[28]).toBe('Terminate run 2 of load (RUNNING)? y/n');
  });
});

describe('dashboard keys', () => {
  function app(state: ViewState) {
    const view = new ViewStore(state);
    const sent: ControlRequest[] = [];
    let poll = () => {};
    const control = async (req: ControlRequest) => (sent.push(req), { ok: true, message: `done: ${req.kind} ${req.task}` });
    const r = render(<App view={view} control={control} polls={(fn) => ((poll = fn), () => {})} size={{ columns: 100, rows: 30 }} />);
    unmounts.push(r.unmount);
    return { r, view, sent, poll: () => poll() };
  }

  it('moves with j, force-runs with r and shows the daemon answer', async () => {
    const { r, sent } = app(fleet());
    r.stdin.write('jjjjj');
    r.stdin.write('r');
    await until(r.lastFrame, (f) => f.includes('done: force-run report'));
    expect(sent).toEqual([{ kind: 'force-run', task: 'report', instance: 'default' }]);
  });

  it('force-runs the group on a group row with r, as force-run <group> does', async () => {
    const { r, sent } = app(fleet());
    r.stdin.write('j'); // the etl group row
    r.stdin.write('r');
    await until(r.lastFrame, (f) => f.includes('done: force-run etl'));
    expect(sent).toEqual([{ kind: 'force-run', task: 'etl', instance: 'default' }]);
  });

  it('r on an instance row or on a group without a definition sends nothing and says why', async () => {
    const { r, sent } = app(fleet([{ type: 'task', task: task('orphan', { group: 'ghost' }) }]));
    r.stdin.write('r'); // the instance row
    await until(r.lastFrame, (f) => f.includes('select a task or group row first'));
    r.stdin.write('G'); // the last row: ghost's only task
    r.stdin.write('k'); // the ghost group row, known only from its member
    r.stdin.write('r');
    await until(r.lastFrame, (f) => f.includes('group ghost has no definition (only tasks name it); nothing to force-run'));
    expect(sent).toEqual([]);
  });

  it('esc in the tree clears the state and text filters', async () => {
    const { r } = app(fleet());
    r.stdin.write('/zzz');
    r.stdin.write('\r');
    r.stdin.write('f');
    await until(r.lastFrame, (f) => f.includes('nothing matches the filter (esc clears it; /, s or f changes it)'));
    r.stdin.write('\x1b');
    const f = await until(r.lastFrame, (x) => /report +ACTIVE/.test(x));
    expect(f).not.toContain('filter:');
  });

  it('s opens the state picker; a state\'s letter filters by it at once, x shows every state, esc leaves it as it was', async () => {
    const { r } = app(fleet());
    r.stdin.write('s');
    const picker = await until(r.lastFrame, (f) => f.includes('state: f FAILED r RUNNING s SUCCESS'));
    expect(lines(picker).at(-1)).toMatch(/^state: f FAILED r RUNNING s SUCCESS t TERMINATED/);
    r.stdin.write('f');
    let f = await until(r.lastFrame, (x) => x.includes('filter: state FAILED (1 tasks)'));
    expect(f).not.toMatch(/report +ACTIVE/);
    expect(lines(f).at(-1)).toMatch(/^↑↓\/jk move/);
    r.stdin.write('sR'); // letters in either case
    f = await until(r.lastFrame, (x) => x.includes('filter: state RUNNING (1 tasks)'));
    r.stdin.write('s');
    await until(r.lastFrame, (x) => lines(x).at(-1)!.startsWith('state:'));
    r.stdin.write('\x1b');
    f = await until(r.lastFrame, (x) => lines(x).at(-1)!.startsWith('↑↓/jk move'));
    expect(f).toContain('filter: state RUNNING (1 tasks)');
    r.stdin.write('sx');
    f = await until(r.lastFrame, (x) => /report +ACTIVE/.test(x));
    expect(f).not.toContain('filter:');
  });

  it('asks before terminating, and sends the live run on y', async () => {
    const { r, sent } = app(fleet());
    r.stdin.write('jj');
    r.stdin.write('t');
    await until(r.lastFrame, (f) => f.includes('Terminate run 2 of load (RUNNING)? y/n'));
    r.stdin.write('y');
    await until(r.lastFrame, (f) => f.includes('done: terminate load'));
    expect(sent).toEqual([{ kind: 'terminate', task: 'load', instance: 'default', runId: 2 }]);
  });

  it('filters by typed text and follows the selected run in the log pane', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'easytask-ui-'));
    const out = join(dir, 'load.out');
    writeFileSync(out, 'hello from load\n');
    const started = runEvent('run.started', 'load', 3, { from: 'STARTED', to: 'RUNNING', pid: 1, stdout: out });
    const { r, poll } = app(fleet([...events(runLifecycle('load', 3, 'RUNNING').slice(0, 3)), { type: 'event', event: started }]));
    r.stdin.write('/loa');
    await until(r.lastFrame, (f) => f.includes('filter: loa▌'));
    r.stdin.write('\r');
    r.stdin.write('jj');
    r.stdin.write('l');
    await until(r.lastFrame, (f) => f.includes('hello from load'));
    writeFileSync(out, 'hello from load\nand more\n');
    poll();
    const f = await until(r.lastFrame, (x) => x.includes('and more'));
    expect(f).not.toMatch(/ clean /);
  });
});

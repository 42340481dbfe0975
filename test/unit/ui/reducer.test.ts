// The dashboard view-model without rendering: tree order, counts up the tree, filters, purity, scale.
import { describe, expect, it } from 'vitest';
import { reduce } from '../../../src/ui/model/reducer.js';
import { cursorIndex, visibleRows } from '../../../src/ui/model/rows.js';
import { groupId, instanceId, taskId } from '../../../src/ui/model/tree.js';
import { TAIL_MAX, type TaskNode, type ViewState } from '../../../src/ui/model/types.js';
import { apply, build, events, group, runEvent, runLifecycle, task, today } from './fixtures.js';

const names = (s: ViewState) => visibleRows(s).map((r) => (r.kind === 'run' ? `run:${r.node.name}` : r.node.name));
const node = (s: ViewState, id: string) => s.nodes.get(id)!;
const taskNode = (s: ViewState, name: string, instance = 'default') => s.nodes.get(taskId(instance, name)) as TaskNode;

describe('tree order', () => {
  it('keeps insertion order, not name order, and puts members under their group', () => {
    const s = build([
      { type: 'task', task: task('zeta') },
      { type: 'group', group: group('etl') },
      { type: 'task', task: task('beta', { group: 'etl' }) },
      { type: 'task', task: task('alpha') },
      { type: 'task', task: task('alpha2', { group: 'etl' }) },
    ]);
    expect(names(s)).toEqual(['default', 'zeta', 'etl', 'beta', 'alpha2', 'alpha']);
  });

  it('an update or a state change does not move a row; a change of group does', () => {
    let s = build([{ type: 'task', task: task('a') }, { type: 'task', task: task('b') }, { type: 'task', task: task('c') }]);
    s = apply(s, { type: 'task', task: task('a', { maxRunTime: 5 }) }, ...events(runLifecycle('a', 1, 'FAILED')));
    expect(names(s)).toEqual(['default', 'a', 'b', 'c']);
    s = apply(s, { type: 'task', task: task('a', { group: 'g' }) });
    expect(names(s)).toEqual(['default', 'b', 'c', 'g', 'a']);
    expect((node(s, groupId('default', 'g')) as { group: unknown }).group).toBeNull();
  });

  it('a member that arrives before its group gets a placeholder group, filled in later', () => {
    let s = build([{ type: 'task', task: task('m', { group: 'late' }) }]);
    expect(names(s)).toEqual(['default', 'late', 'm']);
    s = apply(s, { type: 'group', group: group('late') });
    expect(node(s, groupId('default', 'late'))).toMatchObject({ group: { schedule: 'at 04:00' } });
  });

  it('removing the last member drops a placeholder group and an empty instance', () => {
    let s = build([{ type: 'task', task: task('m', { group: 'g', instance: 'ops' }) }, { type: 'task', task: task('x') }]);
    s = apply(s, { type: 'removed', kind: 'task', instance: 'ops', name: 'm' });
    expect(names(s)).toEqual(['default', 'x']);
    expect(s.nodes.has(instanceId('ops'))).toBe(false);
  });
});

describe('counts up the tree', () => {
  const base = () =>
    build([
      today(),
      { type: 'group', group: group('etl') },
      { type: 'task', task: task('load', { group: 'etl' }) },
      { type: 'task', task: task('clean', { group: 'etl' }) },
      { type: 'task', task: task('solo') },
      { type: 'task', task: task('off', { active: false }) },
    ]);

  it('counts each task once at its group and its instance, by status', () => {
    const s = base();
    expect(node(s, groupId('default', 'etl')).counts).toEqual({ ACTIVE: 2 });
    expect(node(s, instanceId('default')).counts).toEqual({ ACTIVE: 3, IDLE: 1 });
  });

  it('moves a count at every ancestor as a run goes through its states', () => {
    let s = apply(base(), ...events(runLifecycle('load', 1, 'RUNNING')));
    expect(node(s, groupId('default', 'etl')).counts).toEqual({ ACTIVE: 1, RUNNING: 1 });
    expect(node(s, instanceId('default')).counts).toEqual({ ACTIVE: 2, RUNNING: 1, IDLE: 1 });
    s = apply(s, { type: 'event', event: runEvent('run.failed', 'load', 1, { from: 'RUNNING', to: 'FAILED', exit_code: 1, reason: 'exit_code' }) });
    expect(node(s, groupId('default', 'etl')).counts).toEqual({ ACTIVE: 1, FAILED: 1 });
    expect(s.today.counts).toEqual({ FAILED: 1 });
    expect(taskNode(s, 'load').run).toMatchObject({ state: 'FAILED', exitCode: 1, attempt: 1, maxAttempts: 2, pid: 4242 });
  });

  it('a task moved to another group takes its count with it', () => {
    let s = apply(base(), ...events(runLifecycle('load', 1, 'SUCCESS')));
    s = apply(s, { type: 'task', task: task('load') });
    expect(node(s, groupId('default', 'etl')).counts).toEqual({ ACTIVE: 1 });
    expect(node(s, instanceId('default')).counts).toEqual({ ACTIVE: 2, SUCCESS: 1, IDLE: 1 });
  });

  it('a newer run replaces the shown one; events of an older run are ignored', () => {
    let s = apply(base(), ...events(runLifecycle('solo', 1, 'RUNNING')), ...events(runLifecycle('solo', 2, 'SUCCESS')));
    expect(taskNode(s, 'solo').run).toMatchObject({ id: 2, state: 'SUCCESS' });
    s = apply(s, { type: 'event', event: runEvent('run.failed', 'solo', 1, { from: 'RUNNING', to: 'FAILED' }) });
    expect(taskNode(s, 'solo').status).toBe('SUCCESS');
    expect(s.today.counts).toEqual({ FAILED: 1, SUCCESS: 1 });
  });

  it('does not change the state it was given, and shares every untouched node', () => {
    const before = apply(base(), ...events(runLifecycle('solo', 1, 'RUNNING')));
    const snapshot = JSON.stringify([...before.nodes.values()]);
    const after = reduce(before, { type: 'event', event: runEvent('run.succeeded', 'solo', 1, { from: 'RUNNING', to: 'SUCCESS', exit_code: 0 }) });
    expect(JSON.stringify([...before.nodes.values()])).toBe(snapshot);
    expect(after.nodes.get(groupId('default', 'etl'))).toBe(before.nodes.get(groupId('default', 'etl')));
    expect(after.nodes.get(taskId('default', 'load'))).toBe(before.nodes.get(taskId('default', 'load')));
    expect(after.nodes.get(taskId('default', 'solo'))).not.toBe(before.nodes.get(taskId('default', 'solo')));
  });
});

describe('filter visibility', () => {
  const fleet = () =>
    build([
      { type: 'group', group: group('etl') },
      { type: 'task', task: task('load', { group: 'etl' }) },
      { type: 'task', task: task('clean', { group: 'etl' }) },
      { type: 'group', group: group('web') },
      { type: 'task', task: task('deploy', { group: 'web' }) },
      { type: 'task', task: task('backup') },
      ...events(runLifecycle('load', 1, 'FAILED')),
      ...events(runLifecycle('backup', 2, 'RUNNING')),
    ]);

  it('a state filter keeps the ancestors of matching rows and nothing else', () => {
    const s = apply(fleet(), { type: 'filter', states: ['FAILED'] });
    expect(names(s)).toEqual(['default', 'etl', 'load']);
    expect(node(s, instanceId('default')).matching).toBe(1);
  });

  it('text matches a task, its group or its instance', () => {
    expect(names(apply(fleet(), { type: 'filter', text: 'DEP' }))).toEqual(['default', 'web', 'deploy']);
    expect(names(apply(fleet(), { type: 'filter', text: 'etl' }))).toEqual(['default', 'etl', 'load', 'clean']);
    expect(names(apply(fleet(), { type: 'filter', text: 'etl', states: ['ACTIVE'] }))).toEqual(['default', 'etl', 'clean']);
    expect(names(apply(fleet(), { type: 'filter', text: 'nothing' }))).toEqual([]);
  });

  it('a row leaves the filter when its state changes, taking ancestors with no other match along', () => {
    let s = apply(fleet(), { type: 'filter', states: ['FAILED'] });
    s = apply(s, ...events(runLifecycle('load', 3, 'RUNNING')));
    expect(names(s)).toEqual([]);
    s = apply(s, { type: 'event', event: runEvent('run.failed', 'load', 3, { from: 'RUNNING', to: 'FAILED', exit_code: 2 }) });
    expect(names(s)).toEqual(['default', 'etl', 'load']);
  });

  it('a row enters the filter when it starts to match, under its ancestors', () => {
    let s = apply(fleet(), { type: 'filter', states: ['RUNNING'] });
    expect(names(s)).toEqual(['default', 'backup']);
    s = apply(s, ...events(runLifecycle('deploy', 4, 'RUNNING')));
    expect(names(s)).toEqual(['default', 'web', 'deploy', 'backup']);
  });

  it('clearing the filter shows everything again; a collapsed group hides its members only', () => {
    let s = apply(fleet(), { type: 'filter', states: ['FAILED'] }, { type: 'filter', states: [] });
    expect(names(s)).toEqual(['default', 'etl', 'load', 'clean', 'web', 'deploy', 'backup']);
    s = apply(s, { type: 'toggle', id: groupId('default', 'etl') }, { type: 'toggle', id: taskId('default', 'backup') });
    expect(names(s)).toEqual(['default', 'etl', 'web', 'deploy', 'backup', 'run:backup']);
  });
});

describe('cursor, tail and today', () => {
  it('keeps the cursor on its row, and on the same line when that row vanishes', () => {
    let s = build(['a', 'b', 'c', 'd'].map((n) => ({ type: 'task' as const, task: task(n) })));
    s = apply(s, { type: 'move', delta: 2 });
    expect(s.selected).toBe(taskId('default', 'b'));
    s = apply(s, { type: 'task', task: task('zz') });
    expect(visibleRows(s)[cursorIndex(s, visibleRows(s))]!.node.name).toBe('b');
    s = apply(s, { type: 'filter', text: 'c' });
    expect(visibleRows(s)[cursorIndex(s, visibleRows(s))]!.node.name).toBe('c');
    s = apply(s, { type: 'move', delta: Infinity });
    expect(s.selected).toBe(taskId('default', 'c'));
  });

  it('tails every event but run.output, up to its cap', () => {
    let s = build([{ type: 'task', task: task('a') }]);
    s = apply(s, ...events(runLifecycle('a', 1, 'RUNNING')));
    const running = taskNode(s, 'a');
    s = apply(s, { type: 'event', event: runEvent('run.output', 'a', 1, { stdout_lines: 3, stderr_lines: 0 }) });
    expect(s.tail.map((e) => e.type)).toEqual(['run.created', 'run.triggered', 'run.accepted', 'run.started']);
    expect(taskNode(s, 'a')).toBe(running); // output progress redraws nothing in the tree
    for (let i = 0; i < TAIL_MAX + 5; i++) s = apply(s, { type: 'event', event: runEvent('daemon.started', 'a', 1) });
    expect(s.tail).toHaveLength(TAIL_MAX);
    expect(s.lastSeq).toBe(s.tail.at(-1)!.seq);
  });

  it("counts only today's runs, from each transition's from and to", () => {
    let s = build([{ type: 'task', task: task('a') }, { type: 'today', today: { dayStart: 0, dayEnd: 1, firstRunId: 5, counts: { SUCCESS: 2 } } }]);
    s = apply(s, ...events(runLifecycle('a', 4, 'FAILED')));
    expect(s.today.counts).toEqual({ SUCCESS: 2 });
    s = apply(s, ...events(runLifecycle('a', 5, 'SUCCESS')));
    expect(s.today.counts).toEqual({ SUCCESS: 3 });
  });
});

describe('1,000 tasks', () => {
  it('builds, counts and follows 1,000 tasks in 20 groups incrementally', () => {
    const actions = Array.from({ length: 20 }, (_, g) => ({ type: 'group' as const, group: group(`g${g}`) }));
    const tasks = Array.from({ length: 1000 }, (_, i) => ({ type: 'task' as const, task: task(`t${i}`, { group: `g${i % 20}` }) }));
    const t0 = performance.now();
    let s = build([{ type: 'batch', actions: [...actions, ...tasks] }]);
    const built = performance.now() - t0;
    expect(node(s, instanceId('default')).counts).toEqual({ ACTIVE: 1000 });
    expect(visibleRows(s)).toHaveLength(1 + 20 + 1000);
    const t1 = performance.now();
    // One batch per task, as the feed dispatches what one poll found.
    for (let i = 0; i < 1000; i++) s = apply(s, { type: 'batch', actions: events(runLifecycle(`t${i}`, i + 1, i % 10 === 0 ? 'FAILED' : 'SUCCESS')) });
    const followed = performance.now() - t1;
    expect(node(s, instanceId('default')).counts).toEqual({ FAILED: 100, SUCCESS: 900 });
    expect(node(s, groupId('default', 'g0')).counts).toEqual({ FAILED: 50 });
    expect(node(s, groupId('default', 'g1')).counts).toEqual({ SUCCESS: 50 });
    s = apply(s, { type: 'filter', states: ['FAILED'] });
    expect(visibleRows(s)).toHaveLength(1 + 2 + 100);
    expect(built).toBeLessThan(1000);
    expect(followed / 1000).toBeLessThan(2); // under 2 ms per five-event batch, with room for a slow CI machine
  });
});

// Keys to commands per input mode, the state-filter cycle, the screen layout and row texts.
import { describe, expect, it } from 'vitest';
import { keyCommand, STATE_KEYS } from '../../../src/ui/keys.js';
import { ALL_STATUSES } from '../../../src/ui/model/counts.js';
import { STATE_LETTERS } from '../../../src/core/states.js';
import { layoutFor } from '../../../src/ui/layout.js';
import { progressBar, taskSegs } from '../../../src/ui/format/row-text.js';
import { plainText } from '../../../src/ui/format/segments.js';
import { cycleStates } from '../../../src/ui/ui-state.js';
import { taskId } from '../../../src/ui/model/tree.js';
import type { TaskNode } from '../../../src/ui/model/types.js';
import { scrollTop } from '../../../src/ui/components/TreeView.js';
import { build, events, runLifecycle, T0, task } from './fixtures.js';

describe('keys', () => {
  it('maps the documented keys in normal mode', () => {
    expect(keyCommand('normal', 'j', {})).toEqual({ kind: 'move', delta: 1 });
    expect(keyCommand('normal', '', { upArrow: true })).toEqual({ kind: 'move', delta: -1 });
    expect(keyCommand('normal', '\r', { return: true })).toEqual({ kind: 'toggle' });
    expect(keyCommand('normal', '\t', { tab: true })).toEqual({ kind: 'stream' });
    expect(['/', 'f', 'l', 'r', 't', 'z', '?', 'q'].map((k) => keyCommand('normal', k, {}).kind)).toEqual([
      'filter-start', 'state-cycle', 'logs', 'force-run', 'terminate', 'freeze', 'help', 'quit',
    ]);
    expect(keyCommand('normal', 'x', {})).toEqual({ kind: 'none' });
  });

  it('types into the filter (q included), and only y confirms', () => {
    expect(keyCommand('filter', 'q', {})).toEqual({ kind: 'filter-type', text: 'q' });
    expect(keyCommand('filter', '', { escape: true })).toEqual({ kind: 'filter-done', keep: false });
    expect(keyCommand('filter', '', { backspace: true })).toEqual({ kind: 'filter-erase' });
    expect(keyCommand('confirm', 'y', {})).toEqual({ kind: 'answer', yes: true });
    expect(keyCommand('confirm', 'r', {})).toEqual({ kind: 'answer', yes: false });
  });

  it('esc in the tree clears the filters; s opens the state picker, which takes EasyTask\'s state letters', () => {
    expect(keyCommand('normal', '', { escape: true })).toEqual({ kind: 'filter-clear' });
    expect(keyCommand('normal', 's', {})).toEqual({ kind: 'state-pick-start' });
    expect(keyCommand('state', 'f', {})).toEqual({ kind: 'state-pick', state: 'FAILED' });
    expect(keyCommand('state', 'R', {})).toEqual({ kind: 'state-pick', state: 'RUNNING' });
    expect(keyCommand('state', 'i', {})).toEqual({ kind: 'state-pick', state: 'IDLE' });
    expect(keyCommand('state', 'x', {})).toEqual({ kind: 'state-pick', state: null });
    expect(keyCommand('state', '', { escape: true })).toEqual({ kind: 'state-pick-cancel' });
    expect(keyCommand('state', 'q', {})).toEqual({ kind: 'none' });
    // Every state has one letter, and they are the letters of dependency expressions.
    expect(new Set(STATE_KEYS.map(([k]) => k)).size).toBe(ALL_STATUSES.length);
    expect([...STATE_KEYS.map(([, st]) => st)].sort()).toEqual([...ALL_STATUSES].sort());
    for (const [k, st] of STATE_KEYS) expect(STATE_LETTERS[k.toUpperCase()]).toBe(st);
  });

  it('cycles the state filter through all, then each state, both ways', () => {
    expect(cycleStates([], 1)).toEqual(['ACTIVE']);
    expect(cycleStates(['ACTIVE'], -1)).toEqual([]);
    expect(cycleStates([], -1)).toEqual(['IDLE']);
    expect(cycleStates(['FAILED', 'RUNNING'], 1)).toEqual(['ACTIVE']);
  });
});

describe('layout and rows', () => {
  it('fills one row less than the terminal, and gives the tree what the panes leave', () => {
    for (const rows of [8, 12, 24, 40, 80]) {
      for (const logs of [false, true]) {
        const l = layoutFor(rows, logs);
        const used = 2 + 1 + l.tree + 1 + (l.events ? l.events + 1 : 0) + (l.logs ? l.logs + 1 : 0);
        expect(used).toBe(rows - 1);
        expect(l.logs > 0).toBe(logs);
      }
    }
    expect(layoutFor(8, false)).toEqual({ tree: 3, events: 0, logs: 0 });
    expect(layoutFor(8, true)).toEqual({ tree: 1, events: 0, logs: 1 });
    expect(layoutFor(40, false)).toEqual({ tree: 26, events: 8, logs: 0 });
  });

  it('scrolls only as far as needed to keep the cursor in view', () => {
    expect(scrollTop(0, 5, 10, 100)).toBe(0);
    expect(scrollTop(0, 12, 10, 100)).toBe(3);
    expect(scrollTop(3, 2, 10, 100)).toBe(2);
    expect(scrollTop(50, 19, 10, 20)).toBe(10);
  });

  it('shows a running attempt as a bar of elapsed time against max_run_time, with attempt n/m', () => {
    expect(progressBar(0.25, 8)).toBe('██░░░░░░');
    expect(progressBar(3, 4)).toBe('████');
    const s = build([{ type: 'task', task: task('load', { maxRunTime: 100 }) }, ...events(runLifecycle('load', 1, 'RUNNING'))]);
    const node = s.nodes.get(taskId('default', 'load')) as TaskNode;
    const started = node.run!.attemptStartedAt!;
    const text = plainText(taskSegs(node, 1, 20, started + 40_000));
    expect(text).toMatch(/load +RUNNING +1\/2 +\d\d:\d\d:\d\d +40s +████░░░░░░ 40%/);
    const done = build([{ type: 'task', task: task('load') }, ...events(runLifecycle('load', 1, 'FAILED'))]).nodes.get(taskId('default', 'load')) as TaskNode;
    expect(plainText(taskSegs(done, 1, 20, T0 + 3_600_000))).toMatch(/FAILED +1\/2 .* 900ms +exit 3/);
  });
});

// The feed against a real SQLite store: one snapshot, then only new events, woken by another connection's commits.
import { describe, expect, it, vi } from 'vitest';
import { hostName } from '../../../src/daemon/lock.js';
import { Feed } from '../../../src/ui/feed/feed.js';
import { initialState } from '../../../src/ui/model/reducer.js';
import { visibleRows } from '../../../src/ui/model/rows.js';
import { groupId, instanceId, taskId } from '../../../src/ui/model/tree.js';
import type { TaskNode } from '../../../src/ui/model/types.js';
import { runPlain } from '../../../src/ui/plain.js';
import { ViewStore } from '../../../src/ui/view-store.js';
import { tempStore } from '../../helpers/home.js';
import { addGroup, addTask, markDaemon, startRun, writerFor } from './store-fixtures.js';

const nextFireAt = (now: number) => () => now + 60_000;

async function follow(setup: Parameters<typeof tempStore>[0] = undefined) {
  const { store, clock, home } = await tempStore(setup);
  const writer = await writerFor(home, clock);
  const view = new ViewStore(initialState(clock.now()));
  const feed = new Feed({ store, clock, nextFireAt, dispatch: view.dispatch });
  // Started and its timer stopped at once: each test drives poll() itself.
  const start = async () => {
    await feed.start();
    await feed.stop();
  };
  return { store, clock, writer, view, feed, start };
}

describe('watch feed', () => {
  it('starts from the current state: definitions, latest runs with their attempt, today, the event tail', async () => {
    const { clock, writer, view, start } = await follow();
    await addGroup(writer, 'etl');
    await addTask(writer, 'load', { task_group: 'etl', timezone: undefined, trigger_times: undefined });
    await addTask(writer, 'solo');
    clock.advance(5000);
    await startRun(writer, clock, 'solo', 1000002);
    await start();
    const s = view.getState();
    expect(visibleRows(s).map((r) => r.node.name)).toEqual(['default', 'etl', 'load', 'solo']);
    const solo = s.nodes.get(taskId('default', 'solo')) as TaskNode;
    expect(solo.run).toMatchObject({ state: 'RUNNING', attempt: 1, maxAttempts: 2, pid: 4242, attemptStartedAt: clock.now(), stdoutPath: '/tmp/x.out' });
    expect(solo.next).toBe(clock.now() + 60_000);
    expect(s.nodes.get(instanceId('default'))!.counts).toEqual({ ACTIVE: 1, RUNNING: 1 });
    expect(s.today.counts).toEqual({ RUNNING: 1 });
    expect(s.tail.map((e) => e.type)).toContain('run.started');
    expect(s.daemon).toMatchObject({ up: false });
  });

  it('follows commits of another connection with only the new events, never reloading', async () => {
    const { store, clock, writer, view, feed, start } = await follow();
    await addTask(writer, 'a');
    await start();
    const all = vi.spyOn(store.defs, 'all');
    const list = vi.spyOn(store.events, 'list');
    await feed.poll();
    expect(list).not.toHaveBeenCalled(); // nothing committed: the change token is the same, no query
    const run = await startRun(writer, clock, 'a', 1000001);
    await feed.poll();
    expect((view.getState().nodes.get(taskId('default', 'a')) as TaskNode).status).toBe('RUNNING');
    await writer.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() }, data: { exit_code: 0, duration_ms: 1200 } });
    await feed.poll();
    const a = view.getState().nodes.get(taskId('default', 'a')) as TaskNode;
    expect(a.run).toMatchObject({ state: 'SUCCESS', exitCode: 0, durationMs: 1200 });
    expect(all).not.toHaveBeenCalled();
    expect(list.mock.calls.map((c) => c[0]?.afterSeq)).toEqual([1, 5]); // each read starts after the last event seen
    expect(view.getState().lastSeq).toBe(await writer.events.lastSeq());
  });

  it('polls on the clock it is given until stopped', async () => {
    const { clock, writer, view, feed } = await follow();
    await addTask(writer, 'a');
    await feed.start();
    const status = () => (view.getState().nodes.get(taskId('default', 'a')) as TaskNode).status;
    const run = await startRun(writer, clock, 'a', 1000001);
    await clock.advanceAsync(49);
    expect(status()).toBe('ACTIVE');
    await clock.advanceAsync(1);
    expect(status()).toBe('RUNNING');
    await feed.stop();
    await writer.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0, ended_at: clock.now() } });
    await clock.advanceAsync(1000);
    expect(status()).toBe('RUNNING');
    expect(clock.pendingTimers).toBe(0);
  });

  it('adds, moves and removes rows as definitions change', async () => {
    const { writer, view, feed, start } = await follow();
    await addTask(writer, 'a');
    await start();
    await addGroup(writer, 'etl');
    await addTask(writer, 'b', { task_group: 'etl', timezone: undefined, trigger_times: undefined });
    await feed.poll();
    expect(visibleRows(view.getState()).map((r) => r.node.name)).toEqual(['default', 'a', 'etl', 'b']);
    await addTask(writer, 'a', { task_group: 'etl', timezone: undefined, trigger_times: undefined });
    await writer.defs.setActive('b', false);
    await feed.poll();
    expect(view.getState().nodes.get(groupId('default', 'etl'))!.counts).toEqual({ ACTIVE: 1, IDLE: 1 });
    await writer.defs.apply({ remove: [await writer.defs.get('b')], replace: false });
    await feed.poll();
    expect(visibleRows(view.getState()).map((r) => r.node.name)).toEqual(['default', 'etl', 'a']);
  });

  it('notices the daemon start and stop on its once-a-second tick', async () => {
    const { clock, writer, view, feed, start } = await follow();
    await start();
    expect(view.getState().daemon?.up).toBe(false);
    await markDaemon(writer, clock, true);
    await feed.poll();
    expect(view.getState().daemon?.up).toBe(false); // not a second yet
    clock.advance(1000);
    await feed.poll();
    expect(view.getState().daemon).toMatchObject({ up: true, pid: process.pid, stale: false });
    clock.advance(6000); // no heartbeat for 6 s: up, but stale
    await feed.poll();
    expect(view.getState().daemon).toMatchObject({ up: true, stale: true });
    await markDaemon(writer, clock, false);
    clock.advance(1000);
    await feed.poll();
    expect(view.getState().daemon?.up).toBe(false);
  });

  it('redraws an idle screen once a minute, and every second while a run is live', async () => {
    const { clock, writer, view, feed, start } = await follow(Date.UTC(2026, 2, 1, 12, 0, 30));
    await addTask(writer, 'a');
    await start();
    const idle = view.getState();
    clock.advance(1000);
    await feed.poll();
    expect(view.getState()).toBe(idle); // nothing changed: no new state, no frame
    clock.advance(29_000);
    await feed.poll();
    expect(view.getState().now).toBe(clock.now()); // the minute turned
    await startRun(writer, clock, 'a', 1000001);
    await feed.poll();
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await feed.poll();
      expect(view.getState().now).toBe(clock.now());
    }
  });
});

describe('watch --plain', () => {
  it('prints one line per transition that passes the filter, and daemon up/down', async () => {
    const { store, clock, home } = await tempStore();
    const writer = await writerFor(home, clock);
    await addTask(writer, 'a');
    await addTask(writer, 'b');
    const out: string[] = [];
    const notes: string[] = [];
    const feed = await runPlain({ store, clock, filter: { text: '', states: ['RUNNING', 'SUCCESS'] }, nextFireAt, out: (l) => out.push(l), note: (l) => notes.push(l) });
    await feed.stop();
    expect(out).toEqual([]); // history is not replayed
    expect(notes[0]).toContain('daemon down');
    const run = await startRun(writer, clock, 'a', 1000001);
    await startRun(writer, clock, 'b', 1000002);
    await writer.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0 }, data: { exit_code: 0 } });
    await markDaemon(writer, clock, true);
    clock.advance(1000);
    await feed.poll();
    expect(out.map((l) => l.replace(/^#\d+ \S+ /, ''))).toEqual([
      'run.started task a run 1 attempt 1 STARTED→RUNNING pid 4242 stdout /tmp/x.out',
      'run.started task b run 2 attempt 1 STARTED→RUNNING pid 4242 stdout /tmp/x.out',
      'run.succeeded task a run 1 attempt 1 RUNNING→SUCCESS exit_code 0',
      `daemon up (pid ${process.pid} on ${hostName()})`,
    ]);
  });
});

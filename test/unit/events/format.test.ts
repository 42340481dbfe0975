import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/core/events.js';
import { eventJson, formatDuration, formatEvent } from '../../../src/events/format.js';

const T = Date.parse('2026-11-23T13:27:55.123Z');
const ev = (over: Partial<StoredEvent>): StoredEvent => ({ seq: 1, key: 'k', type: 'run.created', time: T, instance: 'default', data: {}, ...over });

describe('formatEvent', () => {
  it('prints a transition as one line: seq, time, type, subject, FROM→TO, details, duration', () => {
    const e = ev({ seq: 42, type: 'run.failed', task: 'fast', run_id: 3, attempt: 2, data: { from: 'RUNNING', to: 'FAILED', exit_code: 3, duration_ms: 1100 } });
    expect(formatEvent(e)).toBe('#42 2026-11-23T13:27:55.123Z run.failed task fast run 3 attempt 2 RUNNING→FAILED exit_code 3 (1.1s)');
  });

  it('shows a creation as →STATE, quotes text with spaces, skips nulls, and keeps it on one line', () => {
    const created = ev({ type: 'run.created', task: 't', run_id: 9, attempt: 0, data: { to: 'ACTIVE', slot: '2026-01-01T00:00:00.000Z', origin: 'schedule' } });
    expect(formatEvent(created)).toBe('#1 2026-11-23T13:27:55.123Z run.created task t run 9 →ACTIVE slot 2026-01-01T00:00:00.000Z origin schedule');
    const failed = ev({ type: 'run.failed', task: 't', run_id: 9, attempt: 1, data: { from: 'STARTED', to: 'FAILED', exit_code: null, error: 'unknown placeholder\n${E:X}' } });
    expect(formatEvent(failed)).toBe('#1 2026-11-23T13:27:55.123Z run.failed task t run 9 attempt 1 STARTED→FAILED error "unknown placeholder\\n${E:X}"');
  });

  it('does not repeat the attempt from the data, and names groups and daemon details', () => {
    const acc = ev({ type: 'run.accepted', task: 't', run_id: 2, attempt: 1, data: { from: 'TRIGGER', to: 'STARTED', host: 'vm', attempt: 1, max_attempts: 3 } });
    expect(formatEvent(acc)).toBe('#1 2026-11-23T13:27:55.123Z run.accepted task t run 2 attempt 1 TRIGGER→STARTED host vm max_attempts 3');
    const g = ev({ type: 'group_run.started', group: 'nightly', group_run_id: 4, data: { members: ['a', 'b'] } });
    expect(formatEvent(g)).toBe('#1 2026-11-23T13:27:55.123Z group_run.started group nightly group run 4 members a,b');
    const d = ev({ type: 'daemon.started', data: { pid: 10, queues: ['localhost'] } });
    expect(formatEvent(d)).toBe('#1 2026-11-23T13:27:55.123Z daemon.started pid 10 queues localhost');
  });

  it('cuts very long values', () => {
    const line = formatEvent(ev({ type: 'run.failed', data: { error: 'x'.repeat(500) } }));
    expect(line.length).toBeLessThan(220);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [1100, '1.1s'],
    [59_940, '59.9s'],
    [125_000, '2m05s'],
    [3_720_000, '1h02m'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('eventJson', () => {
  it('is the stored event with an RFC 3339 time and without the internal key', () => {
    const j = eventJson(ev({ seq: 7, type: 'task.created', task: 'a', task_id: 1000001, data: { version: 1 } }));
    expect(j).toEqual({ seq: 7, type: 'task.created', time: '2026-11-23T13:27:55.123Z', instance: 'default', task: 'a', task_id: 1000001, group: null, run_id: null, group_run_id: null, attempt: null, data: { version: 1 } });
  });
});

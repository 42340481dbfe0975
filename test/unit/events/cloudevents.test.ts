import { CloudEvent, ValidationError } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/core/events.js';
import { ceSubject, EVENT_TYPES, SUBJECT_KINDS, toCloudEvent } from '../../../src/events/cloudevents.js';

const T = Date.parse('2026-03-01T12:00:00.007Z');

/** A plausible stored event of each type, with the identifiers its kind carries. */
function sample(type: (typeof EVENT_TYPES)[number], seq: number): StoredEvent {
  const base: StoredEvent = { seq, key: `k${seq}`, type, time: T, instance: 'prod', data: { n: seq } };
  switch (SUBJECT_KINDS[type]) {
    case 'run':
      return { ...base, task: 'backup', task_id: 1000001, run_id: 17, attempt: 1, data: { from: 'RUNNING', to: 'FAILED', exit_code: 3 } };
    case 'task':
      return { ...base, task: 'backup', task_id: 1000001 };
    case 'group':
      return { ...base, group: 'nightly' };
    case 'group_run':
      return { ...base, group: 'nightly', group_run_id: 5 };
    case 'daemon':
    case 'calendar':
      return base;
  }
}

const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('CloudEvents mapping', () => {
  it('covers every event type, and each one passes the CloudEvents 1.0 SDK validation in strict mode', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(['run.created', 'run.output', 'run.status_modified', 'group_run.started', 'alert.failed', 'calendar.reloaded']));
    for (const [i, type] of EVENT_TYPES.entries()) {
      const ce = toCloudEvent(sample(type, i + 1), 'server-1');
      expect(() => new CloudEvent(ce, true), type).not.toThrow();
      expect(new CloudEvent(ce, true).validate()).toBe(true);
      expect(ce.type).toBe(`io.easytask.${type}.v1`);
      expect(ce.id).toBe(String(i + 1));
      expect(ce.specversion).toBe('1.0');
      expect(ce.datacontenttype).toBe('application/json');
      expect(ce.time).toMatch(RFC3339_MS_UTC);
      expect(Object.keys(ce).every((k) => /^[a-z0-9]+$/.test(k))).toBe(true);
    }
  });

  it('maps a failed run to the documented envelope', () => {
    const ce = toCloudEvent({ seq: 42, key: 'run:17:v5', type: 'run.failed', time: T, instance: 'prod', task: 'backup', run_id: 17, attempt: 2, data: { from: 'RUNNING', to: 'FAILED', exit_code: 3 } }, 'server-1');
    expect(ce).toEqual({
      specversion: '1.0',
      id: '42',
      source: 'easytask://server-1/prod',
      type: 'io.easytask.run.failed.v1',
      subject: 'tasks/backup/runs/17',
      time: '2026-03-01T12:00:00.007Z',
      datacontenttype: 'application/json',
      data: { from: 'RUNNING', to: 'FAILED', exit_code: 3 },
    });
  });

  it('gives tasks, groups, group runs, the daemon and calendars their own subjects', () => {
    expect(ceSubject(sample('task.updated', 1))).toBe('tasks/backup');
    expect(ceSubject(sample('group.created', 1))).toBe('groups/nightly');
    expect(ceSubject(sample('group_run.failed', 1))).toBe('groups/nightly/runs/5');
    expect(ceSubject(sample('daemon.recovered', 1))).toBe('daemon');
    expect(ceSubject(sample('calendar.reloaded', 1))).toBe('calendars');
    expect(ceSubject(sample('alert.failed', 1))).toBe('tasks/backup/runs/17');
  });

  it('the validator used here does reject a broken envelope', () => {
    const ce = toCloudEvent(sample('run.failed', 1), 'h');
    expect(() => new CloudEvent({ ...ce, source: '' }, true)).toThrow(ValidationError);
    expect(() => new CloudEvent({ ...ce, time: 'yesterday' }, true)).toThrow();
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_STATES } from '../../../src/core/states.js';
import { readTail, summaryTemplate } from '../../../src/events/alert-context.js';
import { alertWanted, outcomeOf } from '../../../src/events/alerts.js';
import type { RunRow } from '../../../src/store/index.js';
import { tempHome } from '../../helpers/home.js';

describe('alert_on', () => {
  it('fires on failure for FAILED, TERMINATED and REJECTED, on success for SUCCESS, never for SKIPPED or live runs', () => {
    const table = Object.fromEntries(RUN_STATES.map((s) => [s, [alertWanted('failure', s), alertWanted('success', s), alertWanted('always', s)]]));
    expect(table).toEqual({
      ACTIVE: [false, false, false],
      TRIGGER: [false, false, false],
      STARTED: [false, false, false],
      RUNNING: [false, false, false],
      RESTARTING: [false, false, false],
      SUCCESS: [false, true, true],
      FAILED: [true, false, true],
      TERMINATED: [true, false, true],
      REJECTED: [true, false, true],
      FROZEN: [false, false, false],
      SKIPPED: [false, false, false],
    });
    expect(outcomeOf('SKIPPED')).toBe('none');
  });
});

describe('readTail', () => {
  it('returns the last bytes from a line start, the whole file when small, and "" for a missing file', async () => {
    const dir = tempHome();
    const file = join(dir, 'out');
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const tail = await readTail(file, 40);
    expect(tail).toBe('line 95\nline 96\nline 97\nline 98\nline 99\n');
    expect(await readTail(file, 1_000_000)).toMatch(/^line 0\n/);
    expect(await readTail(join(dir, 'missing'), 100)).toBe('');
    expect(await readTail(null, 100)).toBe('');
  });

  it('never starts inside a multi-byte character when there is no line start to cut at', async () => {
    const file = join(tempHome(), 'utf8');
    writeFileSync(file, 'é'.repeat(50));
    const tail = await readTail(file, 7);
    expect(tail).toBe('ééé');
  });
});

describe('summaryTemplate', () => {
  it('names the run, its reason and exit code, with placeholders for status and duration', () => {
    const run = { id: 12, reason: 'exit_code', exit_code: 3, host: 'vm' } as RunRow;
    expect(summaryTemplate(run)).toBe('EasyTask: ${T:task_name} run 12 ${P:status} (exit_code, exit 3) after ${P:duration} on vm');
  });
});

describe('alert_on change and output', () => {
  it('change: fires when the outcome differs from the previous final run; a first run only when it failed', () => {
    expect(alertWanted('change', 'FAILED')).toBe(true);
    expect(alertWanted('change', 'SUCCESS')).toBe(false);
    expect(alertWanted('change', 'FAILED', { previous: 'SUCCESS' })).toBe(true);
    expect(alertWanted('change', 'TERMINATED', { previous: 'FAILED' })).toBe(false);
    expect(alertWanted('change', 'SUCCESS', { previous: 'REJECTED' })).toBe(true);
    expect(alertWanted('change', 'SUCCESS', { previous: 'SUCCESS' })).toBe(false);
    expect(alertWanted('change', 'SKIPPED', { previous: 'FAILED' })).toBe(false);
  });

  it('output: fires for a failure, and for a success only when its last attempt wrote something', () => {
    expect(alertWanted('output', 'FAILED', { outputBytes: 0 })).toBe(true);
    expect(alertWanted('output', 'SUCCESS', { outputBytes: 0 })).toBe(false);
    expect(alertWanted('output', 'SUCCESS', { outputBytes: 1 })).toBe(true);
    expect(alertWanted('output', 'SKIPPED', { outputBytes: 5 })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { AlertDef } from '../../src/core/task.js';
import { AlertRunner } from '../../src/events/alerts.js';
import { alertTask, finishedRun, type Finish } from '../helpers/finished-run.js';
import { tempStore } from '../helpers/home.js';

/** Runs one after another through a runner whose alert command appends the run's status to a file. */
async function fired(alert: Omit<AlertDef, 'actions'>, runs: Omit<Finish, 'slot'>[]) {
  const { store, clock, home } = await tempStore();
  const t = alertTask({ ...alert, actions: [{ command: 'true' }] });
  const alerts = new AlertRunner(store, clock, { home });
  const states: string[] = [];
  for (const [i, r] of runs.entries()) {
    const run = await finishedRun(store, clock, home, { ...r, slot: Date.UTC(2026, 2, 1, i) });
    await alerts.onFinal(run, t);
  }
  for (const e of await store.events.list()) if (e.type === 'alert.sent') states.push(`${String(e.data.status)}<-${'previous_status' in e.data ? String(e.data.previous_status) : '-'}`);
  return states;
}

describe('alert_on change and output, through the store', () => {
  it('change: the first failure, the recovery, and nothing while the outcome stays the same', async () => {
    const f = { outcome: 'FAILED' } as const;
    const s = { outcome: 'SUCCESS' } as const;
    expect(await fired({ alert_on: 'change' }, [s, s, f, f, s, s, f])).toEqual(['FAILED<-SUCCESS', 'SUCCESS<-FAILED', 'FAILED<-SUCCESS']);
    expect(await fired({ alert_on: 'change' }, [f, f, s])).toEqual(['FAILED<-null', 'SUCCESS<-FAILED']);
  });

  it('output: a success that printed, and every failure; a quiet success says nothing', async () => {
    const states = await fired({ alert_on: 'output' }, [{ outcome: 'SUCCESS' }, { outcome: 'SUCCESS', stdout: 'hello\n' }, { outcome: 'SUCCESS', stderr: 'warn\n' }, { outcome: 'FAILED' }]);
    expect(states).toEqual(['SUCCESS<--', 'SUCCESS<--', 'FAILED<--']);
  });
});

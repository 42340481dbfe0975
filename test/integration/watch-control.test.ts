// The dashboard's control path (storeControl) against a real daemon: the request names the instance.
import { describe, expect, it, vi } from 'vitest';
import { storeControl } from '../../src/ui/dashboard.js';
import { insertGroup, insertTask } from '../helpers/defs.js';
import { startDaemon } from '../helpers/daemon-in-process.js';

const waiting = { timeout: 15_000, interval: 20 };

describe('dashboard control requests', () => {
  it('a task or group whose name exists in two instances is acted on in the instance of its row', async () => {
    const { store } = await startDaemon();
    const blue = await insertTask(store, { name: 'twin', trigger_times: '00:00', cmd: 'sleep 300', instance: 'blue' });
    const green = await insertTask(store, { name: 'twin', trigger_times: '00:00', cmd: 'sleep 300', instance: 'green' });
    const g = await insertGroup(store, { name: 'nightly', trigger_times: '03:00', instance: 'green' });
    await insertGroup(store, { name: 'nightly', trigger_times: '03:00', instance: 'blue' });
    const control = storeControl(store);

    expect(await control({ kind: 'force-run', task: 'twin', instance: 'green' })).toEqual({ ok: true, message: `Force run triggered for task ${green.tid} (twin, instance green)` });
    const run = await vi.waitFor(async () => {
      const [r] = await store.runs.list({ state: 'RUNNING' });
      if (!r) throw new Error('waiting for the green run RUNNING');
      return r;
    }, waiting);
    expect(run.instance).toBe('green');
    expect(await control({ kind: 'freeze', task: 'twin', instance: 'blue' })).toMatchObject({ ok: true, message: expect.stringMatching(new RegExp(`^Froze task ${blue.tid} \\(twin, instance blue\\) for \\d{8}$`)) });
    expect(await control({ kind: 'terminate', task: 'twin', instance: 'green', runId: run.id })).toMatchObject({ ok: true, message: expect.stringMatching(new RegExp(`^Terminate requested for twin: run ${run.id} \\(RUNNING, pid \\d+\\)$`)) });
    await vi.waitFor(async () => expect((await store.runs.get(run.id))?.state).toBe('TERMINATED'), waiting);
    expect(await control({ kind: 'force-run', task: 'nightly', instance: 'green' })).toEqual({ ok: true, message: `Force run triggered for group ${g.gid} (nightly, instance green)` });
  });
});

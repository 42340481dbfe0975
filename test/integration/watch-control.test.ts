// The dashboard's control path (storeControl) against a real daemon: the request names the instance.
import { describe, expect, it } from 'vitest';
import { storeControl } from '../../src/ui/dashboard.js';
import { insertGroup, insertTask } from '../helpers/defs.js';
import { startDaemon } from '../helpers/daemon-in-process.js';
import { waitFor } from '../helpers/wait.js';

describe('dashboard control requests', () => {
  it('a task or group whose name exists in two instances is acted on in the instance of its row', async () => {
    const { store } = startDaemon();
    const blue = insertTask(store, { name: 'twin', trigger_times: '00:00', cmd: 'sleep 300', instance: 'blue' });
    const green = insertTask(store, { name: 'twin', trigger_times: '00:00', cmd: 'sleep 300', instance: 'green' });
    const g = insertGroup(store, { name: 'nightly', trigger_times: '03:00', instance: 'green' });
    insertGroup(store, { name: 'nightly', trigger_times: '03:00', instance: 'blue' });
    const control = storeControl(store);

    expect(await control({ kind: 'force-run', task: 'twin', instance: 'green' })).toEqual({ ok: true, message: `Force run triggered for task ${green.tid} (twin, instance green)` });
    const run = await waitFor(() => store.runs.list({ state: 'RUNNING' })[0], 'the green run RUNNING');
    expect(run.instance).toBe('green');
    expect(await control({ kind: 'freeze', task: 'twin', instance: 'blue' })).toMatchObject({ ok: true, message: expect.stringMatching(new RegExp(`^Froze task ${blue.tid} \\(twin, instance blue\\) for \\d{8}$`)) });
    expect(await control({ kind: 'terminate', task: 'twin', instance: 'green', runId: run.id })).toMatchObject({ ok: true, message: expect.stringMatching(new RegExp(`^Terminate requested for twin: run ${run.id} \\(RUNNING, pid \\d+\\)$`)) });
    await waitFor(() => store.runs.get(run.id)?.state === 'TERMINATED', 'TERMINATED');
    expect(await control({ kind: 'force-run', task: 'nightly', instance: 'green' })).toEqual({ ok: true, message: `Force run triggered for group ${g.gid} (nightly, instance green)` });
  });
});

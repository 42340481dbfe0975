import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recover } from '../../../src/daemon/recovery.js';
import { tempStore } from '../../helpers/home.js';

describe('recovery after a crash', () => {
  it('resolves a run left RUNNING without touching a process it cannot prove is its own', async () => {
    const { store, clock, home } = await tempStore();
    // A process that merely has the recorded pid (as after a reboot): it must survive recovery.
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      // Left RUNNING with that pid by a daemon that died: triggered, accepted (attempt 1), started.
      const created = (await store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1, max_attempts: 1, queue: 'localhost' }))!;
      const triggered = await store.runs.transition({ runId: created.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: clock.now() } });
      const [accepted] = await store.attempts.accept([{ run: triggered, host: 'test-host', at: clock.now(), token: 't', leaseMs: 60_000 }]);
      expect(accepted).toMatchObject({ ok: true });
      const [started] = await store.attempts.started([{ runId: created.id, attempt: 1, pid: stranger.pid!, at: clock.now(), stdoutPath: '/dev/null', stderrPath: '/dev/null', token: 't' }]);
      expect(started).toMatchObject({ ok: true, value: { state: 'RUNNING', attempt: 1, pid: stranger.pid } });
      const report = await recover(store, clock, home);
      expect(report).toEqual({ retried: [], failed: [created.id], killed: [] });
      expect(existsSync(`/proc/${stranger.pid}`)).toBe(true);
      expect(await store.runs.get(created.id)).toMatchObject({ state: 'FAILED', reason: 'lost' });
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recover } from '../../../src/daemon/recovery.js';
import { tempStore } from '../../helpers/home.js';

describe('recovery after a crash', () => {
  it('resolves a run left RUNNING without touching a process it cannot prove is its own', async () => {
    const { store, home } = tempStore();
    // A process that merely has the recorded pid (as after a reboot): it must survive recovery.
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const run = store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1, max_attempts: 1, queue: 'localhost' })!;
      store.db.prepare("UPDATE runs SET state = 'RUNNING', attempt = 1, pid = ? WHERE id = ?").run(stranger.pid, run.id);
      const report = recover(store, store.clock, home);
      expect(report).toEqual({ retried: [], failed: [run.id], killed: [] });
      expect(existsSync(`/proc/${stranger.pid}`)).toBe(true);
      expect(store.runs.get(run.id)).toMatchObject({ state: 'FAILED', reason: 'lost' });
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

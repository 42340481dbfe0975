// Temporary home folders for tests: a real SQLite file, removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { openStore, type Store } from '../../src/store/index.js';

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

export function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'easytask-test-'));
  made.push(dir);
  return dir;
}

/** A store on a fresh temporary home with a fake clock at 2026-03-01T12:00:00Z. */
export async function tempStore(start = Date.UTC(2026, 2, 1, 12)): Promise<{ store: Store; clock: FakeClock; home: string }> {
  const home = tempHome();
  const clock = new FakeClock(start);
  const store = await openStore(home, clock);
  afterEach(() => store.close());
  return { store, clock, home };
}

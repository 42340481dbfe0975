// The embedded driver: a real SQLite file in a temporary home, through the contract and its own checks.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { STORE_FILE, type Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { tempHome } from '../helpers/home.js';
import { storeContract } from './contract.js';

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function openSqlite(home: string, clock: FakeClock): Promise<SqliteStore> {
  const s = await SqliteStore.open(home, clock);
  opened.push(s);
  return s;
}

storeContract('SQLite', async () => {
  const home = tempHome();
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 12));
  const store = await openSqlite(home, clock);
  return {
    store,
    clock,
    reopen: () => openSqlite(home, new FakeClock(clock.now())),
    schema: { current: async () => store.schemaVersion(), newest: MIGRATIONS.at(-1)!.version },
  };
});

it('SQLite: a state change is rolled back when its event cannot be written', async () => {
  const home = tempHome();
  const store = await openSqlite(home, new FakeClock(Date.UTC(2026, 2, 1, 12)));
  const run = (await store.runs.create({ task_id: 1000001, task_name: 't', instance: 'default', slot: 1, max_attempts: 1, queue: 'localhost' }))!;
  // The file's own schema, changed by a second connection: an insert of the event fails as on a full disk.
  const db = new Database(join(home, STORE_FILE));
  try {
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'run.triggered' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
  } finally {
    db.close();
  }
  await expect(store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' })).rejects.toThrow('disk full');
  expect(await store.runs.get(run.id)).toMatchObject({ state: 'ACTIVE', version: run.version });
  expect((await store.events.list({ runId: run.id })).map((e) => e.type)).toEqual(['run.created']);
});

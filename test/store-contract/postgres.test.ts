// The PostgreSQL driver on a real server (started for the test run): the same contract as SQLite, unchanged.
import { afterEach } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import type { Store } from '../../src/store/index.js';
import { PgStore } from '../../src/store/postgres/store.js';
import { tempHome } from '../helpers/home.js';
import { freshDatabase } from '../helpers/postgres.js';
import { storeContract } from './contract.js';

const opened: Store[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

async function openPg(url: string, home: string, clock: FakeClock): Promise<PgStore> {
  const s = await PgStore.open(url, home, clock);
  opened.push(s);
  return s;
}

storeContract('PostgreSQL', async () => {
  const url = await freshDatabase();
  const home = tempHome();
  const clock = new FakeClock(Date.UTC(2026, 2, 1, 12));
  const store = await openPg(url, home, clock);
  return {
    store,
    clock,
    reopen: () => openPg(url, home, new FakeClock(clock.now())),
    schema: { current: () => store.schemaVersion(), newest: PgStore.newestSchema },
  };
});

// A pooled connection the server drops while a unit holds it between two statements: the unit fails
// with the reason (and the next one works on a new connection); nothing is thrown into the process.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { PgStore } from '../../src/store/postgres/store.js';
import { tempHome } from '../helpers/home.js';
import { freshDatabase } from '../helpers/postgres.js';

const stores: PgStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe('PostgreSQL: a connection lost inside a unit', () => {
  it('fails that unit, not the process, and the next unit runs on a new connection', async () => {
    const url = await freshDatabase();
    const store = await PgStore.open(url, tempHome(), new FakeClock(Date.UTC(2026, 2, 1, 12)));
    stores.push(store);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const failed = store.db.unit(async (u) => {
        const pid = (await u.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
        // The server ends this session while the unit waits between statements.
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((r) => setTimeout(r, 300));
        return u.rows('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      expect(uncaught).toEqual([]);
      expect(await store.db.unit((u) => u.rows<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
    }
  });
});

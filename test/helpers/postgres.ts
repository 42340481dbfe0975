// Databases on the test run's PostgreSQL server (test/setup/postgres.ts): one fresh database per
// call, dropped after the test file.
import pg from 'pg';
import { afterAll, inject } from 'vitest';

let admin: pg.Client | undefined;
const made: string[] = [];
let n = 0;

afterAll(async () => {
  if (!admin) return;
  for (const name of made.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  admin = undefined;
});

/** The URL of the test run's server (its `postgres` database). */
export const postgresUrl = (): string => inject('postgresUrl');

/** A new, empty database on the test server; returns its URL. */
export async function freshDatabase(): Promise<string> {
  if (!admin) {
    admin = new pg.Client({ connectionString: postgresUrl() });
    await admin.connect();
  }
  const name = `easytask_${process.pid}_${++n}`;
  await admin.query(`CREATE DATABASE ${name}`);
  made.push(name);
  const u = new URL(postgresUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

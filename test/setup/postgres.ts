// One PostgreSQL server for the whole test run, started before the first test file and stopped after
// the last; test files reach it through inject('postgresUrl') (see test/helpers/postgres.ts).
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return async () => {
    await server?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

// Test configuration; EASYTASK_TEST_JSON=<file> adds vitest's JSON report (CI derives its summary line from it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const json = process.env.EASYTASK_TEST_JSON;

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['node_modules/**', 'dist/**', 'test/bench/**'],
    pool: 'forks',
    // One PostgreSQL server for the run (the PostgreSQL driver's tests make a database each on it).
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
});

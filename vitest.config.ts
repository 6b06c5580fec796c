import { defineConfig } from 'vitest/config';

// Every suite runs on the embedded database (PGlite). When TEST_DATABASE_URL is
// set, the database suites run a second time as the "postgres" project, each
// file in a schema of its own that is dropped afterwards.
const postgresUrl = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true as const, test: { name: 'pglite', include: ['test/**/*.test.ts'], env: { BOREAL_TEST_DB: 'pglite' } } },
      ...(postgresUrl
        ? [{ extends: true as const, test: { name: 'postgres', include: ['test/**/*.db.test.ts'], env: { BOREAL_TEST_DB: 'postgres' } } }]
        : []),
    ],
  },
});

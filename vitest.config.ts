import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Every suite runs on the embedded database (PGlite): `*.test.ts`.
// When TEST_DATABASE_URL is set, the suites that touch the database
// (`*.db.test.ts`) run a second time as the "postgres" project, each test app
// on a database of its own that is dropped afterwards, together with the
// suites that need a real PostgreSQL server (`*.pg.test.ts`, e.g. the
// production build booted as a child process).
// Suites that need a real Redis (`*.redis.test.ts`) run as the "redis" project
// when TEST_REDIS_URL is set.
const postgresUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL;
// Browser suites (`*.browser.test.ts`: the web UI driven by playwright-core)
// run as the "browser" project only where Debian's Chromium is installed;
// they never download a browser.
const hasChromium = existsSync('/usr/bin/chromium');

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Files of one worker share modules: the migrated PGlite template (whose
    // WebAssembly start costs seconds) is built once per worker, not per file.
    // Every test app still gets a database of its own, so no state is shared.
    isolate: false,
    projects: [
      {
        extends: true as const,
        test: { name: 'pglite', include: ['test/**/*.test.ts'], exclude: ['test/**/*.pg.test.ts', 'test/**/*.redis.test.ts', 'test/**/*.browser.test.ts'], env: { BOREAL_TEST_DB: 'pglite' } },
      },
      ...(postgresUrl
        ? [{ extends: true as const, test: { name: 'postgres', include: ['test/**/*.db.test.ts', 'test/**/*.pg.test.ts'], env: { BOREAL_TEST_DB: 'postgres' } } }]
        : []),
      ...(redisUrl ? [{ extends: true as const, test: { name: 'redis', include: ['test/**/*.redis.test.ts'], env: { BOREAL_TEST_DB: 'pglite' } } }] : []),
      ...(hasChromium ? [{ extends: true as const, test: { name: 'browser', include: ['test/**/*.browser.test.ts'], env: { BOREAL_TEST_DB: 'pglite' } } }] : []),
    ],
  },
});

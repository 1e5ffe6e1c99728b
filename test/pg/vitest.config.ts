import { defineConfig } from 'vitest/config';

// `npm run test:pg` (scripts/test-pg.ts starts PostgreSQL 15 and sets IDESK_TEST_PG_URL): the PostgreSQL-only suites
// of test/pg and the engine-neutral domain suites of test/unit, whose makeEnv (test/helpers/env.ts) then gives every
// test its own PostgreSQL database. A suite is listed here once it passes on PostgreSQL.
export const ENGINE_NEUTRAL = [
  'test/unit/residents.test.ts',
  'test/unit/episodes.test.ts',
  'test/unit/checkins.test.ts',
  'test/unit/supplies.test.ts',
  'test/unit/dashboard.test.ts',
  'test/unit/counters.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/pg/**/*.test.ts', ...ENGINE_NEUTRAL],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/pg/global-setup.ts'],
  },
});

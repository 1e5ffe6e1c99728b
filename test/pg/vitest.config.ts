import { defineConfig } from 'vitest/config';

// `npm run test:pg` (scripts/test-pg.ts starts PostgreSQL 15 and sets IDESK_TEST_PG_URL): the PostgreSQL-only suites
// of test/pg and the engine-neutral domain suites of test/unit, whose makeEnv (test/helpers/env.ts) then gives every
// test its own PostgreSQL database. A suite is listed here once it passes on PostgreSQL and builds its database only
// through makeEnv (test/pg/setup.ts refuses a SQLite database opened by a test/unit suite during this run, so a suite
// cannot pass here by quietly running on SQLite). test/unit/counters.test.ts opens its own SQLite file and writes
// through the raw connection: test/pg/counters.pg.test.ts is its PostgreSQL counterpart.
export const ENGINE_NEUTRAL = [
  'test/unit/residents.test.ts',
  'test/unit/episodes.test.ts',
  'test/unit/checkins.test.ts',
  'test/unit/supplies.test.ts',
  'test/unit/dashboard.test.ts',
  'test/unit/checkins-due.test.ts',
  'test/unit/conflict-details.test.ts',
  'test/unit/alerts.test.ts',
  'test/unit/alert-reason.test.ts',
  'test/unit/cadres.test.ts',
  'test/unit/scope.test.ts',
  'test/unit/scope-lists.test.ts',
  'test/unit/export-reports.test.ts',
  'test/unit/messages.test.ts',
  'test/unit/day-label.test.ts',
  'test/unit/domain-helpers.test.ts',
  'test/unit/invalidation.test.ts',
  'test/unit/import-rules.test.ts',
  'test/unit/import-households.test.ts',
  // The field work of issue 14 (rounds, needs, notices, cadres' work); their command-line tests pass the open
  // environment's PostgreSQL database as --db (test/helpers/pg-db.ts cliDbArg).
  'test/unit/rounds.test.ts',
  'test/unit/round-report.test.ts',
  'test/unit/cli-rounds.test.ts',
  'test/unit/needs.test.ts',
  'test/unit/need-schedules.test.ts',
  'test/unit/import-needs.test.ts',
  'test/unit/export-needs.test.ts',
  'test/unit/notices.test.ts',
  'test/unit/cadre-role.test.ts',
  'test/unit/cadre-work-report.test.ts',
  // The acting user of each write transaction (issue 17).
  'test/unit/acting-user.test.ts',
  // The shared office over the network (issue 17): 20 PCs, conflicts, grouped commits, scope, the live feed (woken by
  // LISTEN there), retries through a reply-losing proxy; and serve as its own process killed with -9 mid-saves
  // (--db postgres://… of its own database, test/helpers/pg-db.ts createTestPgDatabase).
  'test/unit/office-server.test.ts',
  'test/unit/office-serve.test.ts',
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
    setupFiles: ['test/pg/setup.ts'],
  },
});

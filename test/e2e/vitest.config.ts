import { defineConfig } from 'vitest/config';

// End-to-end tests: Chromium (playwright-core) against browser mode on a temp database. One browser per file;
// files run one at a time so a 2-core machine is not oversubscribed. The renderer is built once, in globalSetup.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});

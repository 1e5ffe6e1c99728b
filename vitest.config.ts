import { defineConfig } from 'vitest/config';

// Unit, domain, API, Excel and shell tests. End-to-end browser tests have their own config.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000, // a shared 2-core machine under load runs worker-thread tests slowly; a hung test still fails
    hookTimeout: 60_000,
  },
});

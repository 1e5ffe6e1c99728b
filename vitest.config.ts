import { defineConfig } from 'vitest/config';

// Unit, domain, API, Excel and shell tests. End-to-end browser tests have their own config.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

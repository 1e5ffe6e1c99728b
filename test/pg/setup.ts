// In `npm run test:pg`, a test/unit suite must run on PostgreSQL: opening a SQLite database from one fails the test,
// so a suite cannot pass here by quietly running on SQLite. (The PostgreSQL-only suites of test/pg may open SQLite
// files on purpose, e.g. to compare the two engines' schemas.)
import { expect, vi } from 'vitest';

vi.mock('../../electron/db/open.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/db/open.ts')>();
  return {
    ...real,
    openDatabase: (...args: Parameters<typeof real.openDatabase>) => {
      const file = expect.getState().testPath ?? '';
      if (file.includes('/test/unit/')) throw new Error(`npm run test:pg: ${file} opened a SQLite database (${String(args[0])}); it is not engine-neutral.`);
      return real.openDatabase(...args);
    },
  };
});

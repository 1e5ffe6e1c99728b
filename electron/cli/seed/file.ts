// seed-demo's work on a file: its options checked before the file is touched, then the demo office generated in one
// bulk load as the cli user. The generator writes through the domain directly (hundreds of thousands of rows; no
// channel does this): it is demo data for a new file, not a caller of the API.
import type { OpenOptions } from '../../db/open.ts';
import { withBulkLoad } from '../../db/bulk.ts';
import { withBulkLoadPg } from '../../db/pg/bulk.ts';
import { isPostgresUrl } from '../../db/engine.ts';
import { clearChangeLog } from '../../db/change-log.ts';
import { CLI_ACTOR } from '../../domain/actor.ts';
import { fixedClock, systemClock, type Clock } from '../../domain/clock.ts';
import { isIsoDate } from '../../domain/dates.ts';
import { passwordProblem } from '../../domain/passwords.ts';
import { invalid, issue } from '../../shared/errors.ts';
import { usageError } from '../output.ts';
import { withDb } from '../context.ts';
import { seedDemo, type SeedOptions, type SeedSummary } from './index.ts';

/** The demo's clock (--today at 3 pm, else now) and password, refused before anything is created. */
export function checkSeedOptions(todayArg: string | undefined, password: string): Clock {
  if (todayArg !== undefined && !isIsoDate(todayArg)) throw usageError(`--today 应为有效日期，格式 YYYY-MM-DD，实际为“${todayArg}”`);
  const problem = passwordProblem(password);
  if (problem) throw invalid('seed.badPassword', { problem: { key: problem } }, [issue('password', problem)]);
  return todayArg ? fixedClock(`${todayArg}T15:00:00+08:00`) : systemClock();
}

/** Opens (creating) the file and fills it. */
export function seedDemoFile(file: string, open: OpenOptions, clock: Clock, opts: Omit<SeedOptions, 'bulk'>): Promise<SeedSummary> {
  return withDb(file, { ...open, create: true }, async (handle) => {
    // PostgreSQL: foreign keys stay on (the writer orders parents before children); the counters' and change log's
    // triggers are off during the load and the counters rebuilt at its end, in its transaction (db/pg/bulk.ts).
    const summary = isPostgresUrl(file)
      ? await withBulkLoadPg(handle.db, (db) => seedDemo({ db, actor: CLI_ACTOR, clock }, opts))
      : await withBulkLoad(handle.sqlite, (db) => seedDemo({ db, actor: CLI_ACTOR, clock }, { ...opts, bulk: true }));
    // A new demo file has no history for office PCs to catch up on: its fill leaves no change notices behind.
    await clearChangeLog(handle.db);
    return summary;
  });
}

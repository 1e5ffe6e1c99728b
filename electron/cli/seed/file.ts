// seed-demo's work on a file: its options checked before the file is touched, then the demo office generated in one
// bulk load as the cli user. The generator writes through the domain directly (hundreds of thousands of rows; no
// channel does this): it is demo data for a new file, not a caller of the API.
import type { OpenOptions } from '../../db/open.ts';
import { withBulkLoad } from '../../db/bulk.ts';
import { isPostgresUrl } from '../../db/engine.ts';
import { clearChangeLog } from '../../db/change-log.ts';
import { CLI_ACTOR } from '../../domain/actor.ts';
import { fixedClock, systemClock, type Clock } from '../../domain/clock.ts';
import { isIsoDate } from '../../domain/dates.ts';
import { passwordProblem } from '../../domain/passwords.ts';
import { invalid, issue } from '../../shared/errors.ts';
import { usageError } from '../output.ts';
import { withDb } from '../context.ts';
import { apportion, seedDemo, type SeedOptions, type SeedSummary } from './index.ts';
import { nowIso } from '../../domain/clock.ts';
import { getOrgRoot } from '../../domain/places.ts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { withPgSeedLoad } from '../../db/pg/district.ts';

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
      ? await handle.db.transaction().execute((trx) => withPgSeedLoad(trx, () => seedDemo({ db: trx, actor: CLI_ACTOR, clock }, opts)))
      : await withBulkLoad(handle.sqlite, (db) => seedDemo({ db, actor: CLI_ACTOR, clock }, { ...opts, bulk: true }));
    // A new demo file has no history for office PCs to catch up on: its fill leaves no change notices behind.
    await clearChangeLog(handle.db);
    if (isPostgresUrl(file)) await vacuumAnalyze(handle.db);
    return summary;
  });
}

/** Names of the demo district's further subdistricts (the first is the usual demo one). */
const MORE_SUBDISTRICTS = ['新开路街道', '新源道街道', '银河北路街道', '爱民东道街道', '永华道街道', '光明西道街道', '北旺乡', '万庄镇', '九州镇', '南尖塔镇', '杨税务乡'];

/** Tables whose rows carry their subdistrict (migration 0015 on PostgreSQL) besides the place tree. */
const OWN_SUBDISTRICT = ['users', 'test_rounds', 'import_batches', 'devices', 'pairing_codes'];

/**
 * seed-demo --subdistricts N on a district's PostgreSQL database: `residents` split evenly over N subdistricts under
 * one district, each seeded as the demo subdistrict is (its own communities, households, people, field work) in its
 * own transaction; the second and later ones' accounts are prefixed s2_, s3_ … (usernames are unique in the whole
 * district), ID numbers are unique across all of them, and every row is tied to its subdistrict.
 */
export function seedDistrictDb(url: string, clock: Clock, opts: Omit<SeedOptions, 'bulk' | 'district'>, subdistricts: number): Promise<SeedSummary[]> {
  return withDb(url, { create: true }, async (handle) => {
    const out = await handle.db.transaction().execute((db) => withPgSeedLoad(db, () => seedSubdistricts(db, clock, opts, subdistricts)));
    await vacuumAnalyze(handle.db);
    return out;
  });
}

/**
 * PostgreSQL after a bulk fill: statistics for the planner, and the visibility map, without which no index-only scan
 * skips the table (a subdistrict's dashboard at 1,000,000 residents took 58 ms with its sums kept before VACUUM, 32 ms
 * after, load ~9.5). A server in use has autovacuum for this; a demo is timed right after its seed.
 */
async function vacuumAnalyze(db: Kysely<Database>): Promise<void> {
  await sql`VACUUM (ANALYZE)`.execute(db);
}

async function seedSubdistricts(db: Kysely<Database>, clock: Clock, opts: Omit<SeedOptions, 'bulk' | 'district'>, subdistricts: number): Promise<SeedSummary[]> {
  {
    const parts = apportion(opts.residents, Array.from({ length: subdistricts }, () => 1));
    const usedDocuments = new Set<string>();
    const out: SeedSummary[] = [];
    for (let k = 0; k < subdistricts; k++) {
      const ctx = { db, actor: CLI_ACTOR, clock };
      let subdistrictId: number | null = null;
      if (k > 0) {
        const root = await getOrgRoot(ctx);
        const name = MORE_SUBDISTRICTS[k - 1] ?? `第${k + 1}街道`;
        const at = nowIso(clock);
        subdistrictId = (await db.insertInto('places').values({ parentId: root.districtId, level: 'subdistrict', name, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow()).id;
      }
      const summary = await seedDemo(ctx, {
        ...opts,
        residents: parts[k],
        seed: opts.seed + k,
        onProgress: opts.onProgress ? (done) => opts.onProgress!(parts.slice(0, k).reduce((a, b) => a + b, 0) + done, opts.residents) : undefined,
        district: { subdistrictId, prefix: k === 0 ? '' : `s${k + 1}_`, usedDocuments },
      });
      const sid = subdistrictId ?? (await getOrgRoot(ctx)).subdistrictId;
      for (const t of OWN_SUBDISTRICT) await sql`UPDATE ${sql.table(t)} SET subdistrict_id = ${sid} WHERE subdistrict_id IS NULL`.execute(db);
      out.push(summary);
    }
    await clearChangeLog(db);
    return out;
  }
}

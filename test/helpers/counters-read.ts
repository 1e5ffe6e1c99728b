// The kept counters read back per community through the domain (domain/counters.ts), in the shapes the counter property
// tests (test/unit/counters.test.ts on SQLite, test/pg/counters.pg.test.ts on PostgreSQL) compare with their recounts.
import type { Ctx } from '../../electron/domain/context.ts';
import { coveredCounts, doneCounts, episodeEvents } from '../../electron/domain/counters.ts';

/** Per community: [covered, releasable, covered in home isolation, am done, pm done, started, released], from the counters. */
export async function fromCounters(c: Ctx, date: string) {
  const covered = await coveredCounts(c, date);
  const done = await doneCounts(c, date, null);
  const out: Record<number, number[]> = {};
  const at = (id: number) => (out[id] ??= [0, 0, 0, 0, 0, 0, 0]);
  for (const r of await episodeEvents(c, date)) {
    if (r.kind !== 'home_isolation') continue;
    at(r.communityId)[5] += r.started;
    at(r.communityId)[6] += r.released;
  }
  for (const r of covered) {
    at(r.communityId)[0] += r.covered;
    at(r.communityId)[1] += r.releasable;
    if (r.kind === 'home_isolation') at(r.communityId)[2] += r.covered;
  }
  for (const r of done) at(r.communityId)[r.slot === 'am' ? 3 : 4] += r.done;
  for (const [k, v] of Object.entries(out)) if (v.every((n) => n === 0)) delete out[Number(k)];
  return out;
}

/** Covered, releasable, started, released per community and kind: read per community (coverage_by_community,
 * migration 0018) or summed from the per-building rows (checked against the recount above). */
export async function perCommunity(c: Ctx, date: string, level: 'community' | 'building' = 'community') {
  const out: Record<string, number[]> = {};
  const at = (r: { communityId: number; kind: string }) => (out[`${r.communityId}|${r.kind}`] ??= [0, 0, 0, 0]);
  for (const r of await coveredCounts(c, date, {}, level)) {
    at(r)[0] += r.covered;
    at(r)[1] += r.releasable;
  }
  for (const r of await episodeEvents(c, date, {}, level)) {
    at(r)[2] += r.started;
    at(r)[3] += r.released;
  }
  for (const [k, v] of Object.entries(out)) if (v.every((n) => n === 0)) delete out[k];
  return out;
}

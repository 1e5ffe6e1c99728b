// The trigger-kept counters (db/counters.ts, in PL/pgSQL on PostgreSQL: db/pg/counters.ts) equal a recount from the
// raw rows on PostgreSQL, as test/unit/counters.test.ts checks on SQLite: after a demo seed, after random raw writes
// to episodes, check-ins and residents (the triggers see every writer; overlapping episodes made on purpose), after
// the domain's own writes and after a rebuild; a drifted counter is reported. Foreign keys stay enforced here (the
// SQLite suite switches them off), so the raw writes keep the rows they touch consistent. The 特殊需求 counts
// (migration 0018) equal needCountsRecount likewise, with flags set, changed, moved and cleared among the raw writes,
// through the domain, and when a person is deleted (the flags go by ON DELETE CASCADE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { DbHandle } from '../../electron/db/open.ts';
import { checkCountersPg, rebuildCountersPg } from '../../electron/db/pg/counters.ts';
import { CLI_ACTOR, type Actor } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { coveredOn, correctCheckIn, dueCounter, recordCheckIn } from '../../electron/domain/checkins.ts';
import { coveredCounts, coveredPerDay, sumBy } from '../../electron/domain/counters.ts';
import { needCounts, needCountsRecount } from '../../electron/domain/needs-counts.ts';
import { setResidentNeeds } from '../../electron/domain/needs.ts';
import { NEEDS } from '../../electron/shared/enums.ts';
import { addDays } from '../../electron/domain/dates.ts';
import { endEpisode, extendEpisode } from '../../electron/domain/episodes.ts';
import { releaseEpisode } from '../../electron/domain/episodes-release.ts';
import { pgAsDbHandle } from '../../electron/db/postgres.ts';
import { openTestPgDatabase, pgDatabaseUrl } from '../helpers/pg-db.ts';
import pg from 'pg';
import { fromCounters, perCommunity } from '../helpers/counters-read.ts';

const TODAY = '2022-01-20';
let handle: DbHandle;
let ctx: Ctx;

function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] };
}

beforeAll(async () => {
  handle = pgAsDbHandle(await openTestPgDatabase());
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(`${TODAY}T07:00:00.000Z`) };
  await seedDemo(ctx, { residents: 300, days: 12, seed: 11, password: 'demo1234', full: true });
}, 180_000);

afterAll(async () => {
  await handle?.close();
});

/** Rows of a query on the test database (the CamelCasePlugin names the keys). */
const all = async <T>(q: ReturnType<typeof sql>) => (await q.execute(handle.db)).rows as T[];
const one = async <T>(q: ReturnType<typeof sql>) => (await all<T>(q))[0];

/** Per community: covered, releasable, isolating, done am, done pm, started, released — by the recount (coveredOn). */
async function recount(c: Ctx, date: string) {
  const rows = await coveredOn(c, date)
    .select(['r.communityId', 'e.residentId', 'e.kind', 'e.lastDay'])
    .select((eb) => [
      eb.selectFrom('checkins as k').select((x) => x.fn.countAll<number>().as('n')).whereRef('k.residentId', '=', 'e.residentId').where('k.date', '=', date).where('k.slot', '=', 'am').as('am'),
      eb.selectFrom('checkins as k').select((x) => x.fn.countAll<number>().as('n')).whereRef('k.residentId', '=', 'e.residentId').where('k.date', '=', date).where('k.slot', '=', 'pm').as('pm'),
    ])
    .execute();
  const out: Record<number, number[]> = {};
  const scope = c.actor.communityId ? sql`AND r.community_id = ${c.actor.communityId}` : sql``;
  const events = await all<{ communityId: number; started: number; released: number }>(
    sql`SELECT r.community_id, SUM(CASE WHEN e.start_date = ${date} THEN 1 ELSE 0 END) AS started,
       SUM(CASE WHEN e.status = 'released' AND e.ended_on = ${date} THEN 1 ELSE 0 END) AS released
     FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE e.kind = 'home_isolation' ${scope} GROUP BY 1`,
  );
  for (const e of events) if (e.started || e.released) out[e.communityId] = [0, 0, 0, 0, 0, e.started, e.released];
  for (const r of rows) {
    const v = (out[r.communityId] ??= [0, 0, 0, 0, 0, 0, 0]);
    v[0]++;
    if (r.lastDay < date) v[1]++;
    if (r.kind === 'home_isolation') v[2]++;
    v[3] += Number(r.am);
    v[4] += Number(r.pm);
  }
  return out;
}


const DATES = Array.from({ length: 20 }, (_, i) => addDays(TODAY, i - 16));

async function expectEqual(label: string) {
  expect(await checkCountersPg(handle.db), `${label}: tables vs rebuild`).toEqual([]);
  for (const d of DATES) expect(await fromCounters(ctx, d), `${label}: ${d}`).toEqual(await recount(ctx, d));
  for (const d of DATES) expect(await needCounts(ctx, d), `${label}: needs ${d}`).toEqual(await needCountsRecount(ctx, d));
  for (const d of DATES) expect(await perCommunity(ctx, d), `${label}: per community ${d}`).toEqual(await perCommunity(ctx, d, 'building'));
}


describe('counters on PostgreSQL', () => {
  it('equal a recount after the seed and for a committee scope', async () => {
    expect((await one<{ n: number }>(sql`SELECT COUNT(*) AS n FROM residents`)).n).toBe(300);
    await expectEqual('seed');
    const some = await one<{ communityId: number }>(sql`SELECT community_id FROM residents ORDER BY id LIMIT 1`);
    const committee: Actor = { userId: 99, username: 'c', displayName: 'c', role: 'committee', communityId: some.communityId };
    const c = { ...ctx, actor: committee };
    const mine = await fromCounters(c, TODAY);
    expect(Object.keys(mine)).toEqual([String(some.communityId)]);
    expect(mine).toEqual(await recount(c, TODAY));
    const counter = await dueCounter(c, { date: TODAY, slot: 'am' });
    expect(counter.due).toBe(mine[some.communityId][0]);
    expect(counter.done).toBe(mine[some.communityId][3]);
    const needs = await needCounts(c, TODAY);
    expect(needs.byCommunity.map((x) => x.communityId)).toEqual([some.communityId]);
    expect(needs).toEqual(await needCountsRecount(c, TODAY));
    expect(needs.totals.some((t) => t.underControl > 0 && t.registered > t.underControl)).toBe(true);
  });

  it('stay equal under random raw writes to episodes, check-ins and residents, overlaps included', async () => {
    const r = rng(7);
    const residents = (await all<{ id: number }>(sql`SELECT id FROM residents`)).map((x) => x.id);
    const households = await all<{ id: number; communityId: number }>(sql`SELECT id, community_id FROM households`);
    const day = () => addDays(TODAY, r.int(-18, 2));
    for (let round = 0; round < 6; round++) {
      await handle.db.transaction().execute(async (trx) => {
        const q = async <T>(s: ReturnType<typeof sql>) => (await s.execute(trx)).rows as T[];
        for (let i = 0; i < 25; i++) {
          const op = r.int(0, 10);
          const rid = r.pick(residents);
          if (op === 0) {
            const start = day();
            const status = r.pick(['released', 'transferred', 'released', 'ended_other']);
            const ended = r.next() < 0.8 ? addDays(start, r.int(-1, 9)) : null;
            await q(sql`INSERT INTO episodes (resident_id, kind, start_date, last_day, release_date, test_days, monitoring_days, status, ended_on, created_at, updated_at)
              VALUES (${rid}, ${r.pick(['home_isolation', 'health_monitoring'])}, ${start}, ${addDays(start, r.int(0, 8))}, ${addDays(start, 9)}, '[]', 0, ${status}, ${ended}, 'x', 'x')`);
          } else if (op === 1) {
            const [e] = await q<{ id: number }>(sql`SELECT id FROM episodes WHERE resident_id = ${rid} ORDER BY random() LIMIT 1`);
            if (e) await q(sql`UPDATE episodes SET start_date = ${day()}, last_day = ${day()} WHERE id = ${e.id}`);
          } else if (op === 2) {
            const [e] = await q<{ id: number }>(sql`SELECT id FROM episodes WHERE resident_id = ${rid} AND status = 'active'`);
            if (e) await q(sql`UPDATE episodes SET status = 'released', ended_on = ${day()} WHERE id = ${e.id}`);
          } else if (op === 3) {
            const [e] = await q<{ id: number }>(sql`SELECT id FROM episodes WHERE resident_id = ${rid} AND status <> 'active' ORDER BY id DESC LIMIT 1`);
            const [active] = await q<{ id: number }>(sql`SELECT id FROM episodes WHERE resident_id = ${rid} AND status = 'active'`);
            if (e && !active) await q(sql`UPDATE episodes SET status = 'active', ended_on = NULL WHERE id = ${e.id}`);
          } else if (op === 4) {
            const [e] = await q<{ id: number }>(sql`SELECT id FROM episodes WHERE resident_id = ${rid} ORDER BY random() LIMIT 1`);
            if (e) {
              await q(sql`DELETE FROM alerts WHERE episode_id = ${e.id} OR checkin_id IN (SELECT id FROM checkins WHERE episode_id = ${e.id}) OR test_id IN (SELECT id FROM tests WHERE episode_id = ${e.id})`);
              await q(sql`DELETE FROM tests WHERE episode_id = ${e.id} OR checkin_id IN (SELECT id FROM checkins WHERE episode_id = ${e.id})`);
              await q(sql`DELETE FROM checkins WHERE episode_id = ${e.id}`);
              await q(sql`DELETE FROM episode_extensions WHERE episode_id = ${e.id}`);
              await q(sql`UPDATE episodes SET previous_episode_id = NULL WHERE previous_episode_id = ${e.id}`);
              await q(sql`UPDATE residents SET current_episode_id = NULL WHERE current_episode_id = ${e.id}`);
              await q(sql`DELETE FROM episodes WHERE id = ${e.id}`);
            }
          } else if (op === 5) {
            const [e] = await q<{ id: number; communityId: number }>(sql`SELECT e.id, r.community_id FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE e.resident_id = ${rid} ORDER BY random() LIMIT 1`);
            if (e) {
              await q(sql`INSERT INTO checkins (resident_id, episode_id, community_id, date, slot, symptoms, recorded_by, abnormal, created_at, updated_at)
                VALUES (${rid}, ${e.id}, ${e.communityId}, ${day()}, ${r.pick(['am', 'pm'])}, '[]', 't', 0, 'x', 'x') ON CONFLICT DO NOTHING`);
            }
          } else if (op === 6) {
            const [k] = await q<{ id: number }>(sql`SELECT id FROM checkins WHERE resident_id = ${rid} ORDER BY random() LIMIT 1`);
            if (k) {
              await q(sql`UPDATE alerts SET checkin_id = NULL WHERE checkin_id = ${k.id}`);
              await q(sql`UPDATE tests SET checkin_id = NULL WHERE checkin_id = ${k.id}`);
              await q(sql`DELETE FROM checkins WHERE id = ${k.id}`);
            }
          } else if (op === 8) {
            // Half the time a person whose episodes overlap (the need counts correct those).
            const [o] = r.next() < 0.5 ? await q<{ residentId: number }>(sql`SELECT resident_id FROM coverage_overlaps ORDER BY random() LIMIT 1`) : [];
            await q(sql`INSERT INTO resident_needs (resident_id, need, note, created_by, created_at) VALUES (${o?.residentId ?? rid}, ${r.pick([...NEEDS])}, NULL, 't', 'x') ON CONFLICT DO NOTHING`);
          } else if (op === 9) {
            const [f] = await q<{ need: string }>(sql`SELECT need FROM resident_needs WHERE resident_id = ${rid} ORDER BY random() LIMIT 1`);
            if (f) await q(sql`DELETE FROM resident_needs WHERE resident_id = ${rid} AND need = ${f.need}`);
          } else if (op === 10) {
            // A flag changed to another need, or moved to another person (when that makes no duplicate).
            const [f] = await q<{ residentId: number; need: string }>(sql`SELECT resident_id, need FROM resident_needs ORDER BY random() LIMIT 1`);
            const [to, need] = r.next() < 0.5 ? [f?.residentId, r.pick([...NEEDS])] : [rid, f?.need];
            if (f) await q(sql`UPDATE resident_needs SET resident_id = ${to}, need = ${need} WHERE resident_id = ${f.residentId} AND need = ${f.need} AND NOT EXISTS (SELECT 1 FROM resident_needs WHERE resident_id = ${to} AND need = ${need})`);
          } else {
            const h = r.pick(households);
            await q(sql`UPDATE residents SET household_id = ${h.id}, community_id = ${h.communityId} WHERE id = ${rid}`);
          }
        }
      });
      await expectEqual(`round ${round}`);
    }
    expect((await one<{ n: number }>(sql`SELECT COUNT(*) AS n FROM coverage_overlaps`)).n).toBeGreaterThan(3);
    expect((await one<{ n: number }>(sql`SELECT COUNT(*) AS n FROM resident_needs WHERE resident_id IN (SELECT resident_id FROM coverage_overlaps)`)).n).toBeGreaterThan(0);
  });

  it('stay equal through the domain: check-ins, corrections, releases, extensions, transfers', async () => {
    const r = rng(3);
    const active = () => all<{ id: number; version: number; residentId: number; lastDay: string }>(sql`SELECT id, version, resident_id, last_day FROM episodes WHERE status = 'active' ORDER BY id`);
    for (let i = 0; i < 30; i++) {
      const e = r.pick(await active());
      await recordCheckIn(ctx, { residentId: e.residentId, date: TODAY, slot: r.pick(['am', 'pm'] as const), temperature: r.pick([36.5, 37.8]) }).catch(() => undefined);
    }
    for (const k of await all<{ id: number; version: number }>(sql`SELECT id, version FROM checkins WHERE date = ${TODAY} ORDER BY id LIMIT 10`)) {
      await correctCheckIn(ctx, { id: k.id, version: k.version, temperature: 36.6 });
    }
    for (let i = 0; i < 10; i++) {
      const e = r.pick(await active());
      await releaseEpisode(ctx, { episodeId: e.id, version: e.version, reason: '提前解除', overrideReason: '测试' });
    }
    for (let i = 0; i < 8; i++) {
      const e = r.pick(await active());
      await extendEpisode(ctx, { episodeId: e.id, version: e.version, newLastDay: addDays(e.lastDay, 3), reason: '延长' });
    }
    for (let i = 0; i < 4; i++) {
      const e = r.pick(await active());
      await endEpisode(ctx, { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转运', date: TODAY });
    }
    for (let i = 0; i < 10; i++) {
      const id = i % 2 ? r.pick(await active()).residentId : (await one<{ id: number }>(sql`SELECT id FROM residents ORDER BY random() LIMIT 1`)).id;
      const res = await one<{ version: number }>(sql`SELECT version FROM residents WHERE id = ${id}`);
      await setResidentNeeds(ctx, { residentId: id, version: res.version, needs: NEEDS.filter(() => r.next() < 0.3).map((need) => ({ need, note: need === '其他' ? '测试' : null })) });
    }
    await expectEqual('domain writes');
    // A person with flags and episodes deleted (as a purge does: their rows first, the flags by cascade).
    const [gone] = await all<{ id: number }>(sql`SELECT n.resident_id AS id FROM resident_needs n JOIN episodes e ON e.resident_id = n.resident_id
      WHERE NOT EXISTS (SELECT 1 FROM residents g WHERE g.guardian_id = n.resident_id) ORDER BY n.resident_id LIMIT 1`);
    await handle.db.transaction().execute(async (trx) => {
      const id = gone.id;
      for (const text of [
        sql`UPDATE residents SET current_episode_id = NULL WHERE id = ${id}`,
        sql`DELETE FROM alerts WHERE resident_id = ${id}`,
        sql`DELETE FROM tests WHERE resident_id = ${id}`,
        sql`DELETE FROM checkins WHERE resident_id = ${id}`,
        sql`DELETE FROM episode_extensions WHERE episode_id IN (SELECT id FROM episodes WHERE resident_id = ${id})`,
        sql`DELETE FROM episodes WHERE resident_id = ${id}`,
        sql`DELETE FROM residents WHERE id = ${id}`,
      ])
        await text.execute(trx);
    });
    await expectEqual('a person deleted');
  });

  it('a check-in and an episode of one person written at once by two connections are both counted', async () => {
    const name = (await one<{ d: string }>(sql`SELECT current_database() AS d`)).d;
    const [r] = await all<{ id: number; episodeId: number; communityId: number }>(sql`
      SELECT r.id, max(e.id) AS episode_id, r.community_id FROM residents r JOIN episodes e ON e.resident_id = r.id
      WHERE NOT EXISTS (SELECT 1 FROM episodes a WHERE a.resident_id = r.id AND a.status = 'active') GROUP BY r.id, r.community_id ORDER BY r.id LIMIT 1`);
    const day = addDays(TODAY, 1);
    const at = { aCommit: 0, bDone: 0 };
    const a = new pg.Client({ connectionString: pgDatabaseUrl(name) });
    const b = new pg.Client({ connectionString: pgDatabaseUrl(name) });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await a.query(
        `INSERT INTO episodes (resident_id, kind, start_date, last_day, release_date, test_days, monitoring_days, status, created_at, updated_at)
         VALUES ($1, 'home_isolation', $2, $3, $4, '[]', 7, 'active', 'x', 'x')`,
        [r.id, TODAY, addDays(TODAY, 6), addDays(TODAY, 7)],
      );
      const bWrite = b
        .query(
          `INSERT INTO checkins (resident_id, episode_id, community_id, date, slot, symptoms, recorded_by, abnormal, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'am', '[]', 't', 0, 'x', 'x')`,
          [r.id, r.episodeId, r.communityId, day],
        )
        .then(() => (at.bDone = Date.now()));
      await new Promise((res) => setTimeout(res, 300));
      at.aCommit = Date.now();
      await a.query('COMMIT');
      await bWrite;
    } finally {
      await a.end();
      await b.end();
    }
    await expectEqual('concurrent episode and check-in');
    expect(await fromCounters(ctx, day)).toEqual(await recount(ctx, day));
    // The second writer waited for the first (the per-person lock), then saw its episode.
    expect(at.bDone).toBeGreaterThanOrEqual(at.aCommit);
  });

  it('the 30-day chart equals a recount per day; a rebuild changes nothing; a drifted counter is reported', async () => {
    const days = await coveredPerDay(ctx, DATES[0], DATES[DATES.length - 1]);
    for (const d of DATES) {
      const rc = await recount(ctx, d);
      const total = Object.values(rc).reduce((a, v) => a + v[0], 0);
      const isolating = Object.values(rc).reduce((a, v) => a + v[2], 0);
      expect({ d, isolating: days.get(d)!.home_isolation, total: days.get(d)!.home_isolation + days.get(d)!.health_monitoring }).toEqual({ d, isolating, total });
    }
    const snapshot = sumBy(await coveredCounts(ctx, TODAY), (x) => x.communityId, (x) => x.covered);
    await rebuildCountersPg(handle.db);
    expect(sumBy(await coveredCounts(ctx, TODAY), (x) => x.communityId, (x) => x.covered)).toEqual(snapshot);
    expect(await checkCountersPg(handle.db)).toEqual([]);
    await sql`UPDATE coverage_counts SET covered = covered + 1 WHERE (day, community_id, compound_id, building_id, kind) = (SELECT day, community_id, compound_id, building_id, kind FROM coverage_counts LIMIT 1)`.execute(handle.db);
    expect((await checkCountersPg(handle.db)).length).toBeGreaterThan(0);
    await rebuildCountersPg(handle.db);
    expect(await checkCountersPg(handle.db)).toEqual([]);
  });
});

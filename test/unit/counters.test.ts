// The counters kept by triggers (db/counters.ts, read by domain/counters.ts) equal a recount from the raw rows
// (coveredOn, the rule of who is under control) after a seed and after every kind of write: random raw writes to
// episodes, check-ins and residents (the triggers see every writer), and the domain's own check-ins, corrections,
// releases, extensions, transfers, moves, purges and undone imports. Overlapping episodes are made on purpose.
// The 特殊需求 counts (migration 0018: need_coverage, need_registered) likewise equal needCountsRecount (the raw
// rows), with random flags set, moved between people and needs, and cleared among the raw writes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { checkCounters, rebuildCounters } from '../../electron/db/counters.ts';
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
import { updateResident } from '../../electron/domain/residents.ts';
import { purgeInTransaction } from '../../electron/domain/purge.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import { undoBatch } from '../../electron/excel/import/batches.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { listFile, listRequest } from '../helpers/lists.ts';
import { tempDir } from '../helpers/env.ts';
import { fromCounters, perCommunity } from '../helpers/counters-read.ts';

const TODAY = '2022-01-20';
let dir: string;
let handle: DbHandle;
let ctx: Ctx;

/** A small deterministic generator (mulberry32). */
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
  dir = tempDir('idesk-counters-');
  handle = await openDatabase(path.join(dir, 'counters.db'), { create: true });
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(`${TODAY}T07:00:00.000Z`) };
  await withBulkLoad(handle.sqlite, (db) => seedDemo({ ...ctx, db }, { residents: 400, days: 12, seed: 11, password: 'demo1234', full: true, bulk: true }));
}, 120_000);

afterAll(async () => {
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const one = <T>(sql: string, ...args: unknown[]) => handle.sqlite.prepare(sql).get(...args) as T;
const all = <T>(sql: string, ...args: unknown[]) => handle.sqlite.prepare(sql).all(...args) as T[];

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
  const events = all<{ communityId: number; started: number; released: number }>(
    `SELECT r.community_id AS communityId, SUM(e.start_date = ?) AS started, SUM(e.status = 'released' AND e.ended_on = ?) AS released
     FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE e.kind = 'home_isolation' ${c.actor.communityId ? `AND r.community_id = ${c.actor.communityId}` : ''} GROUP BY 1`,
    date,
    date,
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
  expect(checkCounters(handle.sqlite), `${label}: tables vs rebuild`).toEqual([]);
  for (const d of DATES) expect(await fromCounters(ctx, d), `${label}: ${d}`).toEqual(await recount(ctx, d));
  for (const d of DATES) expect(await needCounts(ctx, d), `${label}: needs ${d}`).toEqual(await needCountsRecount(ctx, d));
  for (const d of DATES) expect(await perCommunity(ctx, d), `${label}: per community ${d}`).toEqual(await perCommunity(ctx, d, 'building'));
}


describe('counters', () => {
  it('equal a recount after the seed (the bulk load rebuilds them) and for a committee scope', async () => {
    await expectEqual('seed');
    const some = one<{ communityId: number }>('SELECT community_id AS communityId FROM residents LIMIT 1');
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
    const residents = all<{ id: number }>('SELECT id FROM residents').map((x) => x.id);
    const households = all<{ id: number; communityId: number }>('SELECT id, community_id AS communityId FROM households');
    const day = () => addDays(TODAY, r.int(-18, 2));
    handle.sqlite.pragma('foreign_keys = OFF');
    try {
      for (let round = 0; round < 8; round++) {
        handle.sqlite.transaction(() => {
          for (let i = 0; i < 25; i++) {
            const op = r.int(0, 10);
            const rid = r.pick(residents);
            if (op === 0) {
              // A back-dated episode, often overlapping the person's others; sometimes ended, sometimes released with no end.
              const start = day();
              const status = r.pick(['released', 'transferred', 'released', 'ended_other']);
              const ended = r.next() < 0.8 ? addDays(start, r.int(-1, 9)) : null;
              handle.sqlite
                .prepare(`INSERT INTO episodes (resident_id, kind, start_date, last_day, release_date, test_days, monitoring_days, status, ended_on, created_at, updated_at)
                  VALUES (?, ?, ?, ?, ?, '[]', 0, ?, ?, 'x', 'x')`)
                .run(rid, r.pick(['home_isolation', 'health_monitoring']), start, addDays(start, r.int(0, 8)), addDays(start, 9), status, ended);
            } else if (op === 1) {
              const e = one<{ id: number } | undefined>('SELECT id FROM episodes WHERE resident_id = ? ORDER BY random() LIMIT 1', rid);
              if (e) handle.sqlite.prepare('UPDATE episodes SET start_date = ?, last_day = ? WHERE id = ?').run(day(), day(), e.id);
            } else if (op === 2) {
              const e = one<{ id: number } | undefined>("SELECT id FROM episodes WHERE resident_id = ? AND status = 'active'", rid);
              if (e) handle.sqlite.prepare("UPDATE episodes SET status = 'released', ended_on = ? WHERE id = ?").run(day(), e.id);
            } else if (op === 3) {
              const e = one<{ id: number } | undefined>("SELECT id FROM episodes WHERE resident_id = ? AND status <> 'active' ORDER BY id DESC LIMIT 1", rid);
              const active = one<{ id: number } | undefined>("SELECT id FROM episodes WHERE resident_id = ? AND status = 'active'", rid);
              if (e && !active) handle.sqlite.prepare("UPDATE episodes SET status = 'active', ended_on = NULL WHERE id = ?").run(e.id);
            } else if (op === 4) {
              const e = one<{ id: number } | undefined>('SELECT id FROM episodes WHERE resident_id = ? ORDER BY random() LIMIT 1', rid);
              if (e) {
                handle.sqlite.prepare('DELETE FROM checkins WHERE episode_id = ?').run(e.id);
                handle.sqlite.prepare('UPDATE episodes SET previous_episode_id = NULL WHERE previous_episode_id = ?').run(e.id);
                handle.sqlite.prepare('UPDATE residents SET current_episode_id = NULL WHERE current_episode_id = ?').run(e.id);
                handle.sqlite.prepare('DELETE FROM episodes WHERE id = ?').run(e.id);
              }
            } else if (op === 5) {
              const e = one<{ id: number; communityId: number } | undefined>('SELECT e.id, r.community_id AS communityId FROM episodes e JOIN residents r ON r.id = e.resident_id WHERE e.resident_id = ? ORDER BY random() LIMIT 1', rid);
              if (e) {
                handle.sqlite
                  .prepare(`INSERT OR IGNORE INTO checkins (resident_id, episode_id, community_id, date, slot, symptoms, recorded_by, abnormal, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, '[]', 't', 0, 'x', 'x')`)
                  .run(rid, e.id, e.communityId, day(), r.pick(['am', 'pm']));
              }
            } else if (op === 6) {
              const k = one<{ id: number } | undefined>('SELECT id FROM checkins WHERE resident_id = ? ORDER BY random() LIMIT 1', rid);
              if (k) {
                handle.sqlite.prepare('UPDATE alerts SET checkin_id = NULL WHERE checkin_id = ?').run(k.id);
                handle.sqlite.prepare('UPDATE tests SET checkin_id = NULL WHERE checkin_id = ?').run(k.id);
                handle.sqlite.prepare('DELETE FROM checkins WHERE id = ?').run(k.id);
              }
            } else if (op === 8) {
              // Half the time a person whose episodes overlap (the need counts correct those).
              const o = r.next() < 0.5 ? one<{ id: number } | undefined>('SELECT resident_id AS id FROM coverage_overlaps ORDER BY random() LIMIT 1') : undefined;
              handle.sqlite
                .prepare("INSERT OR IGNORE INTO resident_needs (resident_id, need, note, created_by, created_at) VALUES (?, ?, NULL, 't', 'x')")
                .run(o?.id ?? rid, r.pick([...NEEDS]));
            } else if (op === 9) {
              const f = one<{ need: string } | undefined>('SELECT need FROM resident_needs WHERE resident_id = ? ORDER BY random() LIMIT 1', rid);
              if (f) handle.sqlite.prepare('DELETE FROM resident_needs WHERE resident_id = ? AND need = ?').run(rid, f.need);
            } else if (op === 10) {
              // A flag changed to another need, or moved to another person.
              const f = one<{ residentId: number; need: string } | undefined>('SELECT resident_id AS residentId, need FROM resident_needs ORDER BY random() LIMIT 1');
              if (f && r.next() < 0.5) handle.sqlite.prepare('UPDATE OR IGNORE resident_needs SET need = ? WHERE resident_id = ? AND need = ?').run(r.pick([...NEEDS]), f.residentId, f.need);
              else if (f) handle.sqlite.prepare('UPDATE OR IGNORE resident_needs SET resident_id = ? WHERE resident_id = ? AND need = ?').run(rid, f.residentId, f.need);
            } else {
              // A move to another household, maybe in another community.
              const h = r.pick(households);
              handle.sqlite.prepare('UPDATE residents SET household_id = ?, community_id = ? WHERE id = ?').run(h.id, h.communityId, rid);
            }
          }
        })();
        await expectEqual(`round ${round}`);
      }
    } finally {
      handle.sqlite.pragma('foreign_keys = ON');
    }
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM coverage_overlaps').n).toBeGreaterThan(3);
    // Flagged people with overlapping episodes: the need counts' correction was exercised.
    expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM resident_needs WHERE resident_id IN (SELECT resident_id FROM coverage_overlaps)').n).toBeGreaterThan(0);
  });

  it('stay equal through the domain: check-ins, corrections, releases, extensions, transfers, moves', async () => {
    const r = rng(3);
    const active = () => all<{ id: number; version: number; residentId: number; lastDay: string }>("SELECT id, version, resident_id AS residentId, last_day AS lastDay FROM episodes WHERE status = 'active' ORDER BY id");
    for (let i = 0; i < 30; i++) {
      const e = r.pick(active());
      const slot = r.pick(['am', 'pm'] as const);
      await recordCheckIn(ctx, { residentId: e.residentId, date: TODAY, slot, temperature: r.pick([36.5, 37.8]) }).catch(() => undefined);
    }
    for (const k of all<{ id: number; version: number }>('SELECT id, version FROM checkins WHERE date = ? LIMIT 10', TODAY)) await correctCheckIn(ctx, { id: k.id, version: k.version, temperature: 36.6 });
    for (let i = 0; i < 15; i++) {
      const e = r.pick(active());
      await releaseEpisode(ctx, { episodeId: e.id, version: e.version, reason: '提前解除', overrideReason: '测试' });
    }
    for (let i = 0; i < 10; i++) {
      const e = r.pick(active());
      await extendEpisode(ctx, { episodeId: e.id, version: e.version, newLastDay: addDays(e.lastDay, 3), reason: '延长' });
    }
    for (let i = 0; i < 5; i++) {
      const e = r.pick(active());
      await endEpisode(ctx, { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转运', date: TODAY });
    }
    const households = all<{ id: number; communityId: number; compound: string; address: string }>(
      'SELECT h.id, h.community_id AS communityId, p.name AS compound, h.address FROM households h JOIN places p ON p.id = h.compound_id LIMIT 50',
    );
    for (let i = 0; i < 5; i++) {
      const e = r.pick(active());
      const res = one<{ version: number }>('SELECT version FROM residents WHERE id = ?', e.residentId);
      const h = r.pick(households);
      const rest = h.address.slice(h.compound.length);
      const m = /^(.*?号楼)(.*?单元)(.*)$/.exec(rest);
      if (!m) continue;
      await updateResident(ctx, { id: e.residentId, version: res.version, address: { communityId: h.communityId, compound: h.compound, building: m[1], unit: m[2], room: m[3] } });
    }
    // Flags set and cleared through the domain (setResidentNeeds), on people under control and not.
    for (let i = 0; i < 12; i++) {
      const id = i % 2 ? r.pick(active()).residentId : one<{ id: number }>('SELECT id FROM residents ORDER BY random() LIMIT 1').id;
      const res = one<{ version: number }>('SELECT version FROM residents WHERE id = ?', id);
      const needs = NEEDS.filter(() => r.next() < 0.3).map((need) => ({ need, note: need === '其他' ? '测试' : null }));
      await setResidentNeeds(ctx, { residentId: id, version: res.version, needs });
    }
    await expectEqual('domain writes');
  });

  it('stay equal through an import and its undo, and through a purge', async () => {
    const names = ['甲一', '乙二', '丙三'];
    const community = one<{ name: string }>("SELECT name FROM places WHERE level = 'community' ORDER BY id LIMIT 1").name;
    const rows = [
      ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期', '特殊需求'],
      ...names.map((n, i) => [n, makeIdNumber('131003', '1980-02-02', 700 + i), `1390000000${i}`, community, '计数小区', 1, 1, 101 + i, addDays(TODAY, -i - 1), i ? '独居老人' : '']),
    ];
    const s = (await runImport(ctx, listRequest(await listFile(dir, 'counters.xlsx', { rows })))) as ImportSummary;
    expect(s.status).toBe('written');
    await expectEqual('import');
    await undoBatch(ctx, s.batchId!);
    await expectEqual('undo');
    const before = await fromCounters(ctx, addDays(TODAY, -10));
    await handle.db.transaction().execute((trx) => purgeInTransaction({ ...ctx, db: trx }, addDays(TODAY, -3), [], { test: true }));
    await expectEqual('purge');
    expect(await fromCounters(ctx, addDays(TODAY, -10))).not.toEqual(before);
  });

  it('the 30-day chart equals a recount per day, and a rebuild changes nothing', async () => {
    const days = await coveredPerDay(ctx, DATES[0], DATES[DATES.length - 1]);
    for (const d of DATES) {
      const rc = await recount(ctx, d);
      const total = Object.values(rc).reduce((a, v) => a + v[0], 0);
      const isolating = Object.values(rc).reduce((a, v) => a + v[2], 0);
      expect({ d, isolating: days.get(d)!.home_isolation, total: days.get(d)!.home_isolation + days.get(d)!.health_monitoring }).toEqual({ d, isolating, total });
    }
    const snapshot = sumBy(await coveredCounts(ctx, TODAY), (x) => x.communityId, (x) => x.covered);
    rebuildCounters(handle.sqlite);
    expect(sumBy(await coveredCounts(ctx, TODAY), (x) => x.communityId, (x) => x.covered)).toEqual(snapshot);
    expect(checkCounters(handle.sqlite)).toEqual([]);
  });

  it('a counter that drifted is reported by checkCounters', async () => {
    handle.sqlite.prepare('UPDATE coverage_counts SET covered = covered + 1 WHERE (day, community_id, compound_id, building_id, kind) = (SELECT day, community_id, compound_id, building_id, kind FROM coverage_counts LIMIT 1)').run();
    expect(checkCounters(handle.sqlite).length).toBeGreaterThan(0);
    rebuildCounters(handle.sqlite);
    expect(checkCounters(handle.sqlite)).toEqual([]);
    // The kept tables of migration 0018, each drifted on its own.
    for (const [table, col] of [
      ['need_coverage', 'covered'],
      ['need_registered', 'registered'],
      ['coverage_by_community', 'released'],
    ]) {
      handle.sqlite.prepare(`UPDATE ${table} SET ${col} = ${col} + 1 WHERE rowid IN (SELECT rowid FROM ${table} LIMIT 1)`.replace(/rowid/g, 'community_id')).run();
      expect(checkCounters(handle.sqlite).join('\n'), table).toContain(table);
      rebuildCounters(handle.sqlite);
      expect(checkCounters(handle.sqlite)).toEqual([]);
    }
  });
});

describe('verify and init', () => {
  it('verify reports drifted counters as a problem, init rebuilds them, then verify is sound again', async () => {
    const { verifySqlite } = await import('../../electron/db/verify.ts');
    const { runCli } = await import('../../electron/cli/run.ts');
    const file = path.join(dir, 'drift.db');
    await handle.sqlite.backup(file);
    const h = await openDatabase(file);
    h.sqlite.prepare('UPDATE checkin_counts SET done = done + 5 WHERE (day, slot, community_id, compound_id, building_id) = (SELECT day, slot, community_id, compound_id, building_id FROM checkin_counts LIMIT 1)').run();
    expect(verifySqlite(h.sqlite).problems.join('\n')).toMatch(/统计计数与原始记录有 \d+ 处不一致/);
    await h.close();
    const r = await runCli(['init', '--db', file, '--json']);
    expect(r.result.code).toBe(0);
    expect(r.result.json).toMatchObject({ ok: true, countersRebuilt: true });
    expect(r.result.text).toContain('已按原始记录重新计算');
    const again = await openDatabase(file);
    // (The random raw writes above left dangling links on purpose; only the counters matter here.)
    expect(verifySqlite(again.sqlite).problems.filter((p) => p.includes('统计计数'))).toEqual([]);
    await again.close();
  });
});

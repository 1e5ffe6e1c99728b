// Residents list paging as the grid uses it: deep pages (read from the far end of the sort order and flipped back)
// must be exactly the rows a plain ORDER BY … LIMIT/OFFSET gives, for every status filter, sort and direction;
// rows carry the episode version for batch release; the drawer's record history never shows an unmasked value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { CLI_ACTOR, type Actor } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { listResidents, type ResidentQuery } from '../../electron/domain/residents-list.ts';
import { getResidentDetail } from '../../electron/domain/residents-detail.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

const N = 6500; // above the 5,000 offset where the reverse walk starts
const TODAY = '2022-01-20';
let handle: DbHandle;
let ctx: Ctx;

beforeAll(async () => {
  handle = await openDatabase(':memory:', { create: true });
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(`${TODAY}T07:00:00.000Z`) };
  await withBulkLoad(handle.sqlite, (db) => seedDemo({ ...ctx, db }, { residents: N, days: 10, seed: 3, password: 'demo1234', full: false, bulk: true }));
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

const COL = { lastDay: 'last_day', name: 'name', startDate: 'start_date', id: 'id' } as const;
const WHERE: Record<string, string> = {
  all: '1=1',
  active: "status IN ('isolating','monitoring')",
  due: `status IN ('isolating','monitoring') AND last_day < '${TODAY}'`,
  released: "status = 'released'",
};

/** The reference: the obvious query, no tricks. */
function expected(status: string, sort: keyof typeof COL, dir: 'asc' | 'desc', offset: number, limit: number, communityId?: number): number[] {
  const where = WHERE[status] + (communityId ? ` AND community_id = ${communityId}` : '');
  return handle.sqlite
    .prepare(`SELECT id FROM residents WHERE ${where} ORDER BY ${COL[sort]} ${dir}, id ${dir} LIMIT ? OFFSET ?`)
    .pluck()
    .all(limit, offset) as number[];
}

async function ids(q: ResidentQuery, actor: Actor = CLI_ACTOR) {
  const r = await listResidents({ ...ctx, actor }, q);
  return { ids: r.rows.map((x) => x.id), total: r.total };
}

describe('residents list paging', () => {
  it('deep pages, near pages and the ragged last page equal a plain ORDER BY … OFFSET for every filter and sort', async () => {
    let deepChecked = 0;
    for (const status of ['all', 'active', 'due', 'released'] as const) {
      for (const sort of ['lastDay', 'name', 'startDate'] as const) {
        for (const dir of ['asc', 'desc'] as const) {
          const { total } = await ids({ status, sortField: sort, sortDir: dir, limit: 1 });
          expect(total).toBe(handle.sqlite.prepare(`SELECT COUNT(*) FROM residents WHERE ${WHERE[status]}`).pluck().get());
          const n = total!;
          for (const offset of [0, 100, Math.floor(n / 2) - 50, n - 230, n - 100, n - 37, n, n + 50].filter((o) => o >= 0)) {
            const got = await ids({ status, sortField: sort, sortDir: dir, offset, limit: 100, withTotal: false });
            expect(got.ids, `${status} ${sort} ${dir} offset ${offset} of ${n}`).toEqual(expected(status, sort, dir, offset, 100));
            if (offset > 5000) deepChecked++;
          }
        }
      }
    }
    // The reverse walk was really exercised, not just the short lists.
    expect(deepChecked).toBeGreaterThan(10);
  });

  it('a committee member pages only their community, deep pages included', async () => {
    const community = handle.sqlite.prepare('SELECT community_id FROM residents GROUP BY community_id ORDER BY COUNT(*) DESC LIMIT 1').pluck().get() as number;
    const committee: Actor = { userId: 99, username: 'c', displayName: 'c', role: 'committee', communityId: community };
    const { total } = await ids({ status: 'all', limit: 1 }, committee);
    expect(total).toBe(handle.sqlite.prepare('SELECT COUNT(*) FROM residents WHERE community_id = ?').pluck().get(community));
    for (const offset of [0, total! - 100, total! - 7]) {
      const got = await ids({ status: 'all', offset, limit: 100, withTotal: false }, committee);
      expect(got.ids).toEqual(expected('all', 'lastDay', 'asc', offset, 100, community));
    }
  });

  it('finds by pinyin initials and full pinyin prefix (index ranges), as LIKE did', async () => {
    const sample = handle.sqlite.prepare("SELECT name_initials AS i, name_pinyin AS p FROM residents WHERE length(name_initials) >= 2 LIMIT 1").get() as { i: string; p: string };
    for (const term of [sample.i.slice(0, 2), sample.p.slice(0, 4), sample.p.slice(0, 4).toUpperCase()]) {
      const like = term.toLowerCase() + '%';
      const want = handle.sqlite.prepare('SELECT COUNT(*) FROM residents WHERE name_initials LIKE ? OR name_pinyin LIKE ?').pluck().get(like, like);
      expect((await listResidents(ctx, { search: term, status: 'all', limit: 1 })).total, term).toBe(want);
    }
    // "z" must not stop at the end of the alphabet: zs… and zz… are found, and nothing beyond.
    const z = handle.sqlite.prepare("SELECT COUNT(*) FROM residents WHERE name_initials LIKE 'z%' OR name_pinyin LIKE 'z%'").pluck().get();
    expect((await listResidents(ctx, { search: 'z', status: 'all', limit: 1 })).total).toBe(z);
  });

  it('rows carry the current episode version; people without an episode have none', async () => {
    const page = await listResidents(ctx, { status: 'active', limit: 20 });
    for (const r of page.rows) {
      const v = handle.sqlite.prepare('SELECT version FROM episodes WHERE id = ?').pluck().get(r.episodeId);
      expect(r.episodeVersion).toBe(v);
    }
    const c = handle.sqlite.prepare("SELECT id FROM places WHERE level = 'community' LIMIT 1").pluck().get() as number;
    const fresh = await createResident(ctx, { name: '测试', docType: '居民身份证', docNumber: makeIdNumber('131002', '1990-05-17', 11), category: '密接', phone: '13812345678', address: { communityId: c, compound: '测试小区' } });
    const row = (await listResidents(ctx, { search: '测试', status: 'none' })).rows.find((r) => r.id === fresh.id)!;
    expect(row.episodeId).toBeNull();
    expect(row.episodeVersion).toBeNull();
  });

  it('the record history in the drawer masks the ID number and phone written at registration', async () => {
    const c = handle.sqlite.prepare("SELECT id FROM places WHERE level = 'community' LIMIT 1").pluck().get() as number;
    const doc = makeIdNumber('131002', '1985-03-02', 24);
    const r = await createResident(ctx, { name: '历史', docType: '居民身份证', docNumber: doc, category: '密接', phone: '13987654321', address: { communityId: c, compound: '测试小区' } });
    const d = await getResidentDetail(ctx, r.id);
    const created = d.history.find((h) => h.action === 'resident.create')!;
    expect(created.details).toContain('139****4321');
    expect(created.details).toContain('131002********');
    expect(created.details).not.toContain('13987654321');
    expect(created.details).not.toContain(doc);
  });
});

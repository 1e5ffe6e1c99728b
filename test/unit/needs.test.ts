// 特殊需求 flags: set and clear (version-checked, audited, refused whole when wrong), the residents list's filter and
// marks, the dashboard's counts against a recount, and a committee member's scope through the API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { endEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { setResidentNeeds } from '../../electron/domain/needs.ts';
import { listResidents } from '../../electron/domain/residents-list.ts';
import { getResidentDetail } from '../../electron/domain/residents-detail.ts';
import { getDashboard } from '../../electron/domain/dashboard.ts';
import { NEEDS, type Need } from '../../electron/shared/enums.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { call } from '../../electron/api/dispatch.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv();
});
afterEach(() => t.close());

let seq = 0;
async function person(communityId: number, opts: { start?: string } = {}) {
  seq++;
  const { id } = await createResident(t.ctx(), {
    name: `居民${seq}`,
    docType: '居民身份证',
    docNumber: makeIdNumber('131003', '1950-03-12', seq),
    category: '密接',
    address: { communityId, compound: communityId === t.communities.a ? '金桥小区' : '华夏里小区', building: String(1 + (seq % 3)), unit: '1', room: String(100 + seq) },
  });
  if (opts.start) await startEpisode(t.ctx(), { residentId: id, startDate: opts.start });
  return id;
}

const versionOf = async (id: number) => (await t.handle.db.selectFrom('residents').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;
const flagsOf = async (id: number) =>
  (await t.handle.db.selectFrom('residentNeeds').select(['need', 'note']).where('residentId', '=', id).orderBy('need').execute()).map((r) => `${r.need}${r.note ? `:${r.note}` : ''}`);

describe('setting flags', () => {
  it('replaces the flags, bumps the version, audits before and after; a stale version changes nothing', async () => {
    const id = await person(t.communities.a);
    const v1 = await versionOf(id);
    const saved = await setResidentNeeds(t.ctx(), { residentId: id, version: v1, needs: [{ need: '行动不便' }, { need: '其他', note: ' 需要轮椅 ' }, { need: '独居老人' }] });
    // The closed list's order, notes trimmed.
    expect(saved.needs).toEqual([
      { need: '独居老人', note: null },
      { need: '行动不便', note: null },
      { need: '其他', note: '需要轮椅' },
    ]);
    expect(saved.version).toBe(v1 + 1);
    const saved2 = await setResidentNeeds(t.ctx(), { residentId: id, version: saved.version, needs: [{ need: '行动不便', note: '卧床' }] });
    expect(await flagsOf(id)).toEqual(['行动不便:卧床']);
    const audits = await t.handle.db.selectFrom('auditLog').select(['action', 'residentId', 'details']).where('action', '=', 'need.set').orderBy('id').execute();
    expect(audits).toHaveLength(2);
    expect(audits[1].residentId).toBe(id);
    expect(JSON.parse(audits[1].details!)).toMatchObject({ before: { needs: expect.arrayContaining([{ need: '其他', note: '需要轮椅' }]) }, after: { needs: [{ need: '行动不便', note: '卧床' }] } });

    // Someone else's older version: CONFLICT, the flags stay.
    await expect(setResidentNeeds(t.ctx(), { residentId: id, version: saved.version, needs: [] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await flagsOf(id)).toEqual(['行动不便:卧床']);
    // Clearing with the current version.
    await setResidentNeeds(t.ctx(), { residentId: id, version: saved2.version, needs: [] });
    expect(await flagsOf(id)).toEqual([]);
  });

  it('refuses an unknown need and 其他 without a note, in Chinese, writing nothing', async () => {
    const id = await person(t.communities.a);
    const v = await versionOf(id);
    const bad = setResidentNeeds(t.ctx(), { residentId: id, version: v, needs: [{ need: '行动不便' }, { need: '高血压' }] });
    await expect(bad).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(bad).rejects.toThrow(/特殊需求“高血压”不在可选范围内/);
    await expect(setResidentNeeds(t.ctx(), { residentId: id, version: v, needs: [{ need: '其他', note: '  ' }] })).rejects.toThrow(/选择“其他”时请写明/);
    expect(await flagsOf(id)).toEqual([]);
    expect(await versionOf(id)).toBe(v);
  });
});

describe('filter and counts against a recount', () => {
  it('the list filtered by needs is exactly the flagged people; the dashboard counts match a recount', async () => {
    // 40 people in two communities: some under isolation, some ended before the date, some never isolated.
    const flags = new Map<number, Need[]>();
    const covered = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const community = i % 2 ? t.communities.b : t.communities.a;
      const kind = i % 4;
      const id = await person(community, kind === 3 ? {} : { start: '2022-01-12' });
      if (kind === 2) {
        const e = await t.handle.db.selectFrom('episodes').select(['id', 'version']).where('residentId', '=', id).executeTakeFirstOrThrow();
        t.clock.set('2022-01-15T03:00:00.000Z');
        await endEpisode(t.ctx(), { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转运至集中隔离点', date: '2022-01-15' });
        t.clock.set('2022-01-20T01:00:00.000Z');
      } else if (kind !== 3) covered.add(id);
      const mine: Need[] = NEEDS.filter((_, k) => (i * 7 + k * 3) % 5 === 0).filter((n) => n !== '其他');
      if (i % 6 === 0) mine.push('其他');
      if (mine.length) {
        flags.set(id, mine);
        await setResidentNeeds(t.ctx(), { residentId: id, version: await versionOf(id), needs: mine.map((need) => ({ need, note: need === '其他' ? '需要助听器' : null })) });
      }
    }
    expect(flags.size).toBeGreaterThan(10);

    const pick: Need[] = ['行动不便', '孕产妇'];
    const page = await listResidents(t.ctx(), { status: 'all', needs: pick, limit: 1000 });
    const expected = [...flags].filter(([, n]) => n.some((x) => pick.includes(x))).map(([id]) => id).sort((a, b) => a - b);
    expect(page.rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(expected);
    expect(page.total).toBe(expected.length);
    // Each row carries its marks.
    for (const r of page.rows) expect(r.needs.map((n) => n.need)).toEqual(flags.get(r.id));
    // The same filter within a status and a community.
    const activeA = await listResidents(t.ctx(), { status: 'active', communityId: t.communities.a, needs: ['独居老人'], limit: 1000 });
    const rowsA = await t.handle.db.selectFrom('residents').select(['id', 'communityId', 'status']).execute();
    const expectedA = rowsA.filter((r) => r.communityId === t.communities.a && ['isolating', 'monitoring'].includes(r.status) && flags.get(r.id)?.includes('独居老人')).map((r) => r.id);
    expect(activeA.rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(expectedA.sort((a, b) => a - b));

    const d = await getDashboard(t.ctx(), '2022-01-20');
    for (const need of NEEDS) {
      const registered = [...flags].filter(([, n]) => n.includes(need)).length;
      const underControl = [...flags].filter(([id, n]) => n.includes(need) && covered.has(id)).length;
      expect(d.needs.totals.find((x) => x.need === need), need).toEqual({ need, registered, underControl });
    }
    // Per community, and a committee member sees only theirs.
    const committee = { userId: null, username: 'committee1', displayName: '西大街李主任', role: 'committee' as const, communityId: t.communities.a };
    const dc = await getDashboard(t.ctx(committee), '2022-01-20');
    expect(dc.needs.byCommunity.map((c) => c.communityId)).toEqual([t.communities.a]);
    const inA = new Set(rowsA.filter((r) => r.communityId === t.communities.a).map((r) => r.id));
    for (const need of NEEDS) {
      expect(dc.needs.totals.find((x) => x.need === need)!.registered, need).toBe([...flags].filter(([id, n]) => inA.has(id) && n.includes(need)).length);
    }
  });
});

describe('kept counts', () => {
  it('the dashboard keeps its need counts only while no flag, episode or address changes', async () => {
    const id = await person(t.communities.a, { start: '2022-01-18' });
    const count = async (need: Need) => (await getDashboard(t.ctx(), '2022-01-20')).needs.totals.find((x) => x.need === need)!;
    expect(await count('独居老人')).toMatchObject({ registered: 0, underControl: 0 });
    await setResidentNeeds(t.ctx(), { residentId: id, version: await versionOf(id), needs: [{ need: '独居老人' }] });
    expect(await count('独居老人')).toMatchObject({ registered: 1, underControl: 1 });
    // A flag changed behind the domain's back (a raw write) is seen too: the triggers move counter_version.
    await t.handle.db.updateTable('residentNeeds').set({ need: '孕产妇' }).where('residentId', '=', id).execute();
    expect(await count('独居老人')).toMatchObject({ registered: 0 });
    expect(await count('孕产妇')).toMatchObject({ registered: 1, underControl: 1 });
    const e = await t.handle.db.selectFrom('episodes').select(['id', 'version']).where('residentId', '=', id).executeTakeFirstOrThrow();
    await endEpisode(t.ctx(), { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转运至集中隔离点', date: '2022-01-19' });
    expect(await count('孕产妇')).toMatchObject({ registered: 1, underControl: 0 });
    await t.handle.db.deleteFrom('residentNeeds').where('residentId', '=', id).execute();
    expect(await count('孕产妇')).toMatchObject({ registered: 0, underControl: 0 });
  });
});

describe('今日监测 marks', () => {
  it('checkins.due rows carry each person’s flags', async () => {
    const flagged = await person(t.communities.a, { start: '2022-01-14' });
    const plain = await person(t.communities.a, { start: '2022-01-14' });
    await setResidentNeeds(t.ctx(), { residentId: flagged, version: await versionOf(flagged), needs: [{ need: '婴幼儿' }, { need: '其他', note: '需要奶粉' }] });
    const key = await t.login('committee1');
    const due = await call(t.env, 'checkins.due', { slot: 'am' }, key);
    const byId = new Map(due.rows.map((r) => [r.residentId, r.needs]));
    expect(byId.get(flagged)).toEqual([{ need: '婴幼儿', note: null }, { need: '其他', note: '需要奶粉' }]);
    expect(byId.get(plain)).toEqual([]);
  });
});

describe('scope through the API', () => {
  it('a committee member sets flags in their community only, and the drawer shows them', async () => {
    const mine = await person(t.communities.a);
    const other = await person(t.communities.b);
    const key = await t.login('committee1');
    const saved = await call(t.env, 'needs.set', { residentId: mine, version: await versionOf(mine), needs: [{ need: '孕产妇' }] }, key);
    expect(saved.needs).toEqual([{ need: '孕产妇', note: null }]);
    const refused = await t.dispatch('needs.set', { residentId: other, version: await versionOf(other), needs: [{ need: '孕产妇' }] }, key);
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await flagsOf(other)).toEqual([]);
    // Nor does their list filter reach across: the filter stays within their community.
    await setResidentNeeds(t.ctx(), { residentId: other, version: await versionOf(other), needs: [{ need: '孕产妇' }] });
    const listed = await call(t.env, 'residents.list', { status: 'all', needs: ['孕产妇'] }, key);
    expect(listed.rows.map((r) => r.id)).toEqual([mine]);
    const detail = await getResidentDetail(t.ctx(), mine);
    expect(detail.resident.needs).toEqual([{ need: '孕产妇', note: null }]);
    // An official reads but may not set.
    const official = await t.login('official');
    expect(await t.dispatch('needs.set', { residentId: mine, version: await versionOf(mine), needs: [] }, official)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

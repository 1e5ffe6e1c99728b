// A back-dated report reads as it would have at the end of its day: 待处理 and 超时 of the 每日工作日报 for 1月20日,
// exported on 1月25日, are what was open and overdue when 1月20日 ended (recounted here from the supply transitions,
// not from statusAt as the report does); and the 台账's 解除日期 is the day a person was actually released.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { exportReport } from '../../electron/excel/export/index.ts';
import { communityDailyStats } from '../../electron/domain/dashboard.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { releaseEpisode } from '../../electron/domain/episodes-release.ts';
import { assignSupplyRequest, cancelSupplyRequest, createSupplyRequest, markDelivered, startDelivery } from '../../electron/domain/supplies.ts';
import { createCadre } from '../../electron/domain/cadres.ts';
import { getSettings } from '../../electron/domain/settings.ts';
import { isSupplyOverdue } from '../../electron/domain/supplyRules.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { SupplyStatus } from '../../electron/db/schema.ts';
import { readBack, rowWith } from './export-fixture.ts';

let t: TestEnv;
const people: Record<string, number> = {};
/** Shanghai wall-clock time → the fixed clock. */
const at = (local: string) => t.clock.set(new Date(`${local}+08:00`).toISOString());

beforeAll(async () => {
  t = await makeEnv({ now: '2022-01-19T00:00:00.000Z' });
  const ctx = t.ctx();
  const a = t.communities.a;
  const mk = async (name: string, i: number, room: string, start: string) => {
    const r = await createResident(ctx, {
      name,
      docType: '居民身份证',
      docNumber: makeIdNumber('131002', '1980-01-01', 100 + i),
      category: '密接',
      address: { communityId: a, compound: '金桥小区', building: '1', unit: '1', room },
    });
    const e = await startEpisode(ctx, { residentId: r.id, startDate: start });
    people[name] = r.id;
    return { id: r.id, episode: e };
  };
  at('2022-01-19T07:00:00');
  const late = await mk('晚解除', 1, '101', '2022-01-10'); // planned release 01-17
  const early = await mk('早解除', 2, '102', '2022-01-18'); // planned release 01-25
  await mk('在隔离', 3, '103', '2022-01-15'); // planned release 01-22
  const households = await t.handle.db.selectFrom('residents').select(['name', 'householdId']).execute();
  const hh = (name: string) => households.find((h) => h.name === name)!.householdId;
  const cadre = await createCadre(ctx, { name: '赵干部', homeUnit: '市住建局', phone: '13700001111', communityId: a, dutyFrom: '2022-01-10' });
  const deliver = async (id: number, version: number, when: string) => {
    const x = await assignSupplyRequest(ctx, { id, version, cadreId: cadre.id });
    const y = await startDelivery(ctx, { id: x.id, version: x.version });
    at(when);
    await markDelivered(ctx, { id: y.id, version: y.version });
  };

  // E: normal, created 01-19 08:00, cancelled 01-21 — open and overdue when 01-20 ended.
  at('2022-01-19T08:00:00');
  const e = await createSupplyRequest(ctx, { householdId: hh('晚解除'), category: '蔬菜', items: [{ name: '白菜', quantity: '1棵' }] });
  // A: normal, created 01-20 10:00, delivered 01-22 — open, not yet overdue (24 h) at the end of 01-20.
  at('2022-01-20T10:00:00');
  const aReq = await createSupplyRequest(ctx, { householdId: hh('在隔离'), category: '粮油', items: [{ name: '大米', quantity: '5斤' }] });
  // B: urgent, created 01-20 20:00, delivered 01-20 21:00 — closed by the end of the day.
  at('2022-01-20T20:00:00');
  const b = await createSupplyRequest(ctx, { householdId: hh('早解除'), category: '药品', items: [{ name: '布洛芬', quantity: '1盒' }] });
  await deliver(b.id, b.version, '2022-01-20T21:00:00');
  // C: urgent, created 01-20 21:00, still open — overdue (2 h) at the end of 01-20.
  at('2022-01-20T21:00:00');
  await createSupplyRequest(ctx, { householdId: hh('在隔离'), category: '药品', items: [{ name: '退烧贴', quantity: '1盒' }] });

  // 晚解除 released on 01-20 (three days after the planned 01-17); 早解除 on 01-20 too, before the planned 01-25.
  at('2022-01-20T22:00:00');
  await releaseEpisode(ctx, { episodeId: late.episode.id, version: late.episode.version, overrideReason: '检测结果纸质存档' });
  await releaseEpisode(ctx, { episodeId: early.episode.id, version: early.episode.version, reason: '转为居家健康监测', overrideReason: '检测结果纸质存档' });

  // D: normal, created 01-21 09:00, delivered 01-22 — not in 01-20's numbers at all.
  at('2022-01-21T09:00:00');
  const d = await createSupplyRequest(ctx, { householdId: hh('晚解除'), category: '蔬菜', items: [{ name: '土豆', quantity: '2斤' }] });
  at('2022-01-21T11:00:00');
  await cancelSupplyRequest(ctx, { id: e.id, version: e.version, reason: '住户已自行购买' });
  await deliver(aReq.id, aReq.version, '2022-01-22T09:00:00');
  const dNow = await t.handle.db.selectFrom('supplyRequests').select('version').where('id', '=', d.id).executeTakeFirstOrThrow();
  await deliver(d.id, dNow.version, '2022-01-22T10:00:00');
  // Exported five days later.
  at('2022-01-25T15:00:00');
}, 60_000);
afterAll(() => t.close());

/** Open and overdue at `end`, recounted request by request from the status history (supplyTransitions). */
async function recount(end: Date): Promise<{ pending: number; overdue: number }> {
  const settings = await getSettings(t.ctx());
  const reqs = await t.handle.db.selectFrom('supplyRequests').select(['id', 'urgency', 'createdAt']).execute();
  const moves = await t.handle.db.selectFrom('supplyTransitions').select(['requestId', 'toStatus', 'at']).orderBy('id').execute();
  let pending = 0;
  let overdue = 0;
  for (const r of reqs) {
    if (new Date(r.createdAt) >= end) continue;
    let status: SupplyStatus = 'new';
    for (const m of moves) if (m.requestId === r.id && new Date(m.at) < end) status = m.toStatus;
    if (!['new', 'assigned', 'delivering'].includes(status)) continue;
    pending++;
    if (isSupplyOverdue({ status, urgency: r.urgency, createdAt: r.createdAt }, settings, end)) overdue++;
  }
  return { pending, overdue };
}

describe('a back-dated report counts as of the end of its day', () => {
  it('每日工作日报 for 1月20日, exported on 1月25日: 待处理 and 超时 as when 1月20日 ended', async () => {
    const want = await recount(new Date('2022-01-21T00:00:00+08:00'));
    expect(want).toEqual({ pending: 2 + 0 + 1, overdue: 2 }); // E, A, C open; E and C overdue
    const row = (await communityDailyStats(t.ctx(), '2022-01-20')).find((r) => r.communityId === t.communities.a)!;
    expect({ pending: row.supplyPending, overdue: row.supplyOverdue }).toEqual(want);

    const r = await exportReport(t.ctx(), { report: 'daily-report', date: '2022-01-20', outDir: tempDir('idesk-asof-') });
    const rb = await readBack(r.path);
    const header = rb.rows[3].map(String);
    const line = rowWith(rb, '西大街社区')!;
    expect(line[header.indexOf('待处理')]).toBe(want.pending);
    expect(line[header.indexOf('超时')]).toBe(want.overdue);
  });

  it('the next day and today count their own moments (today: now)', async () => {
    // End of 01-21: A (created 01-20 10:00) is now overdue too; C still open; E cancelled at 11:00; D open, not overdue.
    const d21 = (await communityDailyStats(t.ctx(), '2022-01-21')).find((r) => r.communityId === t.communities.a)!;
    expect({ pending: d21.supplyPending, overdue: d21.supplyOverdue }).toEqual(await recount(new Date('2022-01-22T00:00:00+08:00')));
    expect({ pending: d21.supplyPending, overdue: d21.supplyOverdue }).toEqual({ pending: 3, overdue: 2 });
    const now = (await communityDailyStats(t.ctx(), '2022-01-25')).find((r) => r.communityId === t.communities.a)!;
    expect({ pending: now.supplyPending, overdue: now.supplyOverdue }).toEqual(await recount(t.clock.now()));
    expect({ pending: now.supplyPending, overdue: now.supplyOverdue }).toEqual({ pending: 1, overdue: 1 }); // only C
  });
});

describe('台账 解除日期', () => {
  it('is the day a released person was actually released, the planned day for one still isolating', async () => {
    const r = await exportReport(t.ctx(), { report: 'roster', date: '2022-01-20', outDir: tempDir('idesk-asof-') });
    const rb = await readBack(r.path);
    const header = rb.rows[3].map(String);
    const col = header.indexOf('解除日期');
    expect(col).toBeGreaterThan(0);
    expect(rowWith(rb, '晚解除')![col]).toBe('2022-01-20'); // planned 01-17
    expect(rowWith(rb, '早解除')![col]).toBe('2022-01-20'); // planned 01-25
    expect(rowWith(rb, '在隔离')![col]).toBe('2022-01-22');
    // The 打印版 shows the same.
    const p = await readBack((await exportReport(t.ctx(), { report: 'roster', layout: 'print', date: '2022-01-20', outDir: tempDir('idesk-asof-') })).path);
    const pc = p.rows[3].map(String).indexOf('解除日期');
    expect(rowWith(p, '晚解除')![pc]).toBe('2022-01-20');
    expect(rowWith(p, '在隔离')![pc]).toBe('2022-01-22');
  });
});

describe('物资需求清单 of a past day', () => {
  it('shows each request as it stood when the day ended: status and 超时', async () => {
    const r = await exportReport(t.ctx(), { report: 'supplies', date: '2022-01-20', outDir: tempDir('idesk-asof-') });
    const rb = await readBack(r.path);
    expect(String(rb.rows[1][0])).toContain('状态、超时为当日结束时');
    const header = rb.rows[3].map(String);
    const at = (items: string) => {
      const row = rb.rows.find((x) => x[header.indexOf('物品及数量')] === items)!;
      return [row[header.indexOf('状态')], row[header.indexOf('超时')]];
    };
    // Created on 01-20: A open (delivered 01-22), not yet overdue; B delivered at 21:00; C open and overdue.
    expect(at('大米 5斤')).toEqual(['待处理', null]);
    expect(at('布洛芬 1盒')).toEqual(['已送达', null]);
    expect(at('退烧贴 1盒')).toEqual(['待处理', '超时']);
  });
});

// Supply requests: workflow and its transition table, overdue rule, scope through the API, optimistic locking, day numbers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { ensureHousehold, type HouseholdRef } from '../../electron/domain/places.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { createCadre } from '../../electron/domain/cadres.ts';
import { assignSupplyRequest, cancelSupplyRequest, createSupplyRequest, markDelivered, setPayment, startDelivery } from '../../electron/domain/supplies.ts';
import { isSupplyOverdue } from '../../electron/domain/supplyRules.ts';
import { getSupplyRequest, listSupplyRequests, type SupplyDetail } from '../../electron/domain/supplyViews.ts';
import { supplyBoard, supplyRunSheet, supplyStatsByCommunity } from '../../electron/domain/supplyBoard.ts';
import { DEFAULT_SETTINGS } from '../../electron/domain/settings.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { SupplyStatus } from '../../electron/db/schema.ts';
import { call } from '../../electron/api/dispatch.ts';

let t: TestEnv;
let ha: HouseholdRef;
let hb: HouseholdRef;
let cadreA: number;
let cadreA2: number;
beforeEach(async () => {
  t = await makeEnv();
  ha = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' });
  hb = await ensureHousehold(t.ctx(), { communityId: t.communities.b, compound: '华夏里小区', building: '1', unit: '1', room: '101' });
  cadreA = (await createCadre(t.ctx(), { name: '刘建国', homeUnit: '市住建局', phone: '13800001111', communityId: t.communities.a })).id;
  cadreA2 = (await createCadre(t.ctx(), { name: '孙立', homeUnit: '市体育局', phone: '13800002222', communityId: t.communities.a })).id;
});
afterEach(() => t.close());

const at = (local: string) => t.clock.set(`2022-01-${local}+08:00`);
const veg = (householdId = ha.id) => createSupplyRequest(t.ctx(), { householdId, category: '蔬菜', items: [{ name: '白菜', quantity: '2棵' }, { name: '土豆', quantity: '3斤' }] });

/** Everything a refused write must leave untouched. */
async function snapshot() {
  const db = t.handle.db;
  return {
    requests: await db.selectFrom('supplyRequests').selectAll().orderBy('id').execute(),
    transitions: await db.selectFrom('supplyTransitions').selectAll().orderBy('id').execute(),
    items: await db.selectFrom('supplyItems').selectAll().orderBy('id').execute(),
    audit: (await db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  };
}

/** A fresh request brought to `status` through the legal path. */
async function requestIn(status: SupplyStatus): Promise<SupplyDetail> {
  let r = await veg();
  if (status === 'new') return r;
  if (status === 'cancelled') return cancelSupplyRequest(t.ctx(), { id: r.id, version: r.version, reason: '家属已自行购买' });
  r = await assignSupplyRequest(t.ctx(), { id: r.id, version: r.version, cadreId: cadreA });
  if (status === 'assigned') return r;
  r = await startDelivery(t.ctx(), { id: r.id, version: r.version });
  if (status === 'delivering') return r;
  return markDelivered(t.ctx(), { id: r.id, version: r.version });
}

const moves: Record<SupplyStatus, (r: SupplyDetail) => Promise<unknown>> = {
  new: async () => undefined,
  assigned: (r) => assignSupplyRequest(t.ctx(), { id: r.id, version: r.version, cadreId: r.cadreId === cadreA ? cadreA2 : cadreA }),
  delivering: (r) => startDelivery(t.ctx(), { id: r.id, version: r.version }),
  delivered: (r) => markDelivered(t.ctx(), { id: r.id, version: r.version }),
  cancelled: (r) => cancelSupplyRequest(t.ctx(), { id: r.id, version: r.version, reason: '不需要了' }),
};

describe('supply request workflow', () => {
  it('new → assigned → delivering → delivered keeps a transition row with time and user for each step', async () => {
    const r = await veg();
    expect(r).toMatchObject({ status: 'new', urgency: 'normal', version: 1, address: '金桥小区3号楼2单元501', compound: '金桥小区', community: '西大街社区' });
    expect(r.items).toBe('白菜 2棵，土豆 3斤');
    at('20T09:10:00');
    const a = await assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: cadreA });
    expect(a).toMatchObject({ status: 'assigned', cadreName: '刘建国', version: 2 });
    at('20T09:30:00');
    const d = await startDelivery(t.ctx(), { id: r.id, version: 2 });
    at('20T10:05:00');
    const done = await markDelivered(t.ctx(), { id: r.id, version: d.version, note: '已放门口' });
    expect(done).toMatchObject({ status: 'delivered', version: 4, statusAt: '2022-01-20T10:05:00+08:00', overdue: false });
    expect(done.transitions.map((x) => [x.fromStatus, x.toStatus, x.userName, x.at])).toEqual([
      [null, 'new', 'cli', '2022-01-20T09:00:00+08:00'],
      ['new', 'assigned', 'cli', '2022-01-20T09:10:00+08:00'],
      ['assigned', 'delivering', 'cli', '2022-01-20T09:30:00+08:00'],
      ['delivering', 'delivered', 'cli', '2022-01-20T10:05:00+08:00'],
    ]);
    expect(done.transitions[3].note).toBe('已放门口');
    const actions = await t.handle.db.selectFrom('auditLog').select('action').where('entity', '=', 'supply_request').where('entityId', '=', r.id).orderBy('id').execute();
    expect(actions.map((x) => x.action)).toEqual(['supply.create', 'supply.assign', 'supply.start_delivery', 'supply.deliver']);
  });

  it('reassigns an assigned request to another cadre (assigned → assigned)', async () => {
    const r = await requestIn('assigned');
    const again = await assignSupplyRequest(t.ctx(), { id: r.id, version: r.version, cadreId: cadreA2 });
    expect(again).toMatchObject({ status: 'assigned', cadreId: cadreA2, cadreName: '孙立' });
    expect(again.transitions.at(-1)).toMatchObject({ fromStatus: 'assigned', toStatus: 'assigned' });
    await expect(assignSupplyRequest(t.ctx(), { id: r.id, version: again.version, cadreId: cadreA2 })).rejects.toMatchObject({ message: expect.stringContaining('已分派给孙立') });
  });

  const illegal: [SupplyStatus, SupplyStatus[]][] = [
    ['new', ['delivering', 'delivered']],
    ['assigned', ['delivered']],
    ['delivering', ['assigned', 'delivering']],
    ['delivered', ['assigned', 'delivering', 'delivered', 'cancelled']],
    ['cancelled', ['assigned', 'delivering', 'delivered', 'cancelled']],
  ];
  const labels: Record<SupplyStatus, string> = { new: '待处理', assigned: '已分派', delivering: '配送中', delivered: '已送达', cancelled: '已取消' };
  for (const [from, targets] of illegal) {
    it(`refuses every illegal move from ${from}, naming ${labels[from]}, and writes nothing`, async () => {
      const r = await requestIn(from);
      const before = await snapshot();
      for (const to of targets) {
        await expect(moves[to](r), `${from} → ${to}`).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(`“${labels[from]}”`) });
      }
      expect(await snapshot()).toEqual(before);
    });
  }

  it('cancelling needs a reason (domain and API); nothing is written without one', async () => {
    const r = await veg();
    const key = await t.login('clerk');
    const before = await snapshot();
    await expect(cancelSupplyRequest(t.ctx(), { id: r.id, version: 1, reason: '  ' })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('原因') });
    const res = await t.dispatch('supplies.cancel', { id: r.id, version: 1, reason: '' }, key);
    expect(res).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await snapshot()).toEqual(before);
    const c = await call(t.env, 'supplies.cancel', { id: r.id, version: 1, reason: '居民已解除隔离，自行购买' }, key);
    expect(c).toMatchObject({ status: 'cancelled', cancelReason: '居民已解除隔离，自行购买' });
    expect(c.transitions.at(-1)).toMatchObject({ toStatus: 'cancelled', userName: 'clerk', userDisplayName: '街道王科员', note: '居民已解除隔离，自行购买' });
  });

  it('defaults urgency to urgent for 药品 and 就医, normal otherwise; an explicit choice wins', async () => {
    const make = (category: '药品' | '就医' | '蔬菜' | '垃圾清运', urgency?: 'normal' | 'urgent') =>
      createSupplyRequest(t.ctx(), { householdId: ha.id, category, urgency, items: [{ name: '布洛芬', quantity: '1盒' }] });
    expect((await make('药品')).urgency).toBe('urgent');
    expect((await make('就医')).urgency).toBe('urgent');
    expect((await make('蔬菜')).urgency).toBe('normal');
    expect((await make('垃圾清运')).urgency).toBe('normal');
    expect((await make('药品', 'normal')).urgency).toBe('normal');
    expect((await make('蔬菜', 'urgent')).urgency).toBe('urgent');
  });

  it('checks items: 1..30 non-empty lines, blank lines dropped', async () => {
    const many = Array.from({ length: 31 }, (_, i) => ({ name: `物品${i}`, quantity: '1' }));
    await expect(createSupplyRequest(t.ctx(), { householdId: ha.id, category: '其他', items: many })).rejects.toMatchObject({ message: expect.stringContaining('最多30行') });
    await expect(createSupplyRequest(t.ctx(), { householdId: ha.id, category: '其他', items: [{ name: ' ', quantity: '' }] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(createSupplyRequest(t.ctx(), { householdId: ha.id, category: '其他', items: [{ name: '', quantity: '2袋' }] })).rejects.toMatchObject({ message: expect.stringContaining('第1行缺少物品名称') });
    const ok = await createSupplyRequest(t.ctx(), { householdId: ha.id, category: '其他', items: [{ name: '  纸巾 ', quantity: ' 1提' }, { name: '', quantity: '' }] });
    expect(ok.itemLines.map((i) => [i.name, i.quantity])).toEqual([['纸巾', '1提']]);
    const key = await t.login('clerk');
    expect(await t.dispatch('supplies.create', { householdId: ha.id, category: '其他', items: many }, key)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await t.dispatch('supplies.create', { householdId: ha.id, category: '水果', items: [{ name: '苹果' }] }, key)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('overdue', () => {
  it('urgent after 2 h, normal after 24 h, from createdAt by the clock; delivered and cancelled never', async () => {
    const urgent = await createSupplyRequest(t.ctx(), { householdId: ha.id, category: '药品', items: [{ name: '降压药', quantity: '1盒' }] });
    const normal = await veg();
    const delivered = await requestIn('delivered');
    const cancelled = await requestIn('cancelled');
    const overdueIds = async () => (await listSupplyRequests(t.ctx(), { overdue: true })).rows.map((r) => r.id).sort();
    const notOverdueIds = async () => (await listSupplyRequests(t.ctx(), { overdue: false })).rows.map((r) => r.id).sort();

    at('20T10:59:59');
    expect(await overdueIds()).toEqual([]);
    at('20T11:00:00');
    expect(await overdueIds()).toEqual([urgent.id]);
    expect((await getSupplyRequest(t.ctx(), urgent.id)).overdue).toBe(true);
    expect((await getSupplyRequest(t.ctx(), urgent.id)).dueBy).toBe('2022-01-20T11:00:00+08:00');
    at('21T08:59:00');
    expect(await overdueIds()).toEqual([urgent.id]);
    at('21T09:00:00');
    expect(await overdueIds()).toEqual([urgent.id, normal.id].sort());
    expect(await notOverdueIds()).toEqual([delivered.id, cancelled.id].sort());
    const rows = (await listSupplyRequests(t.ctx(), {})).rows;
    expect(rows.find((r) => r.id === delivered.id)?.overdue).toBe(false);
    expect(rows.find((r) => r.id === normal.id)).toMatchObject({ overdue: true, ageMinutes: 24 * 60 });
    // The pure rule and the SQL filter agree on every row.
    for (const r of rows) expect(isSupplyOverdue(r, DEFAULT_SETTINGS, t.clock.now())).toBe((await overdueIds()).includes(r.id));
  });

  it('pure rule: boundary at exactly the allowed hours, and settings change the limits', () => {
    const req = { status: 'assigned' as const, urgency: 'urgent' as const, createdAt: '2022-01-20T09:00:00+08:00' };
    expect(isSupplyOverdue(req, DEFAULT_SETTINGS, new Date('2022-01-20T10:59:59+08:00'))).toBe(false);
    expect(isSupplyOverdue(req, DEFAULT_SETTINGS, new Date('2022-01-20T11:00:00+08:00'))).toBe(true);
    expect(isSupplyOverdue(req, { ...DEFAULT_SETTINGS, supplyOverdueUrgentHours: 4 }, new Date('2022-01-20T11:00:00+08:00'))).toBe(false);
    expect(isSupplyOverdue({ ...req, status: 'delivered' }, DEFAULT_SETTINGS, new Date('2022-02-20T00:00:00+08:00'))).toBe(false);
  });
});

describe('scope and locking', () => {
  it('a committee member cannot create or move a request of the other community through the API; nothing is written', async () => {
    const inB = await veg(hb.id);
    const key = await t.login('committee1');
    const before = await snapshot();
    const attempts: [string, unknown][] = [
      ['supplies.create', { householdId: hb.id, category: '蔬菜', items: [{ name: '白菜', quantity: '1棵' }] }],
      ['supplies.assign', { id: inB.id, version: 1, cadreId: cadreA }],
      ['supplies.cancel', { id: inB.id, version: 1, reason: '试试' }],
      ['supplies.setPayment', { id: inB.id, version: 1, amountCents: 1000, paid: true }],
      ['supplies.get', { id: inB.id }],
    ];
    for (const [channel, input] of attempts) {
      expect(await t.dispatch(channel, input, key), channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('其他社区') } });
    }
    expect(await snapshot()).toEqual(before);
    // Their own community works, and their list shows only it.
    const mine = await call(t.env, 'supplies.create', { householdId: ha.id, category: '粮油', items: [{ name: '大米', quantity: '1袋' }] }, key);
    expect(mine).toMatchObject({ status: 'new', communityId: t.communities.a, createdBy: 'committee1' });
    const list = await call(t.env, 'supplies.list', {}, key);
    expect(list.rows.map((r) => r.id)).toEqual([mine.id]);
    expect(await t.dispatch('supplies.create', { householdId: ha.id, category: '粮油', items: [{ name: '大米' }] }, await t.login('official'))).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('the read-only official is refused every write channel before anything runs', async () => {
    const r = await veg();
    const key = await t.login('official');
    const before = await snapshot();
    const writes: [string, unknown][] = [
      ['supplies.create', { householdId: ha.id, category: '蔬菜', items: [{ name: '白菜' }] }],
      ['supplies.assign', { id: r.id, version: 1, cadreId: cadreA }],
      ['supplies.startDelivery', { id: r.id, version: 1 }],
      ['supplies.deliver', { id: r.id, version: 1 }],
      ['supplies.cancel', { id: r.id, version: 1, reason: '不需要' }],
      ['supplies.setPayment', { id: r.id, version: 1, amountCents: 100, paid: false }],
      ['cadres.create', { name: '李四', homeUnit: '市检察院' }],
      ['cadres.update', { id: cadreA, version: 1, title: '科长' }],
    ];
    for (const [channel, input] of writes) {
      expect(await t.dispatch(channel, input, key), channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await snapshot()).toEqual(before);
    expect((await call(t.env, 'supplies.list', {}, key)).total).toBe(1);
  });

  it('two updates with the same version: the later one gets CONFLICT and changes nothing', async () => {
    const r = await veg();
    const cadres = [cadreA, cadreA2];
    const results = await Promise.allSettled(cadres.map((cadreId) => assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId })));
    // One connection (SQLite) runs them in order; a pool (PostgreSQL) runs them at once and either may come first.
    const won = results.findIndex((x) => x.status === 'fulfilled');
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results[1 - won]).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
    const now = await getSupplyRequest(t.ctx(), r.id);
    expect(now).toMatchObject({ cadreId: cadres[won], version: 2 });
    expect(now.transitions).toHaveLength(2);
    await expect(setPayment(t.ctx(), { id: r.id, version: 1, amountCents: 3550, paid: false })).rejects.toMatchObject({ code: 'CONFLICT' });
    const paid = await setPayment(t.ctx(), { id: r.id, version: 2, amountCents: 3550, paid: true });
    expect(paid).toMatchObject({ amountCents: 3550, paid: true, status: 'assigned', version: 3 });
    await expect(setPayment(t.ctx(), { id: r.id, version: 3, amountCents: null, paid: true })).rejects.toMatchObject({ message: expect.stringContaining('金额') });
  });

  it('assignment refuses a withdrawn or resting cadre, one off duty today, and one of another community', async () => {
    const r = await veg();
    const withdrawn = await createCadre(t.ctx(), { name: '周撤', homeUnit: '市检察院', communityId: t.communities.a, status: 'withdrawn' });
    const resting = await createCadre(t.ctx(), { name: '吴休', homeUnit: '市国资委', communityId: t.communities.a, status: 'resting' });
    const later = await createCadre(t.ctx(), { name: '郑后', homeUnit: '市人防办', communityId: t.communities.a, dutyFrom: '2022-01-25' });
    const other = await createCadre(t.ctx(), { name: '冯他', homeUnit: '市委编办', communityId: t.communities.b });
    const before = await snapshot();
    await expect(assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: withdrawn.id })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('周撤已撤回') });
    await expect(assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: resting.id })).rejects.toMatchObject({ message: expect.stringContaining('轮休') });
    await expect(assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: later.id })).rejects.toMatchObject({ message: expect.stringContaining('今天不在岗') });
    await expect(assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: other.id })).rejects.toMatchObject({ message: expect.stringContaining('其他社区') });
    expect(await snapshot()).toEqual(before);
  });
});

describe('lists and numbers', () => {
  it('supplyStatsByCommunity: new and delivered on the date, open and overdue now', async () => {
    at('19T08:00:00');
    const old = await veg(); // normal, open: overdue by 01-20 09:00
    const oldB = await veg(hb.id);
    await cancelSupplyRequest(t.ctx(), { id: oldB.id, version: 1, reason: '重复登记' });
    at('19T20:00:00');
    const deliveredYesterday = await requestIn('delivered'); // created and delivered on 01-19
    at('20T06:30:00');
    const urgent = await createSupplyRequest(t.ctx(), { householdId: ha.id, category: '就医', items: [{ name: '送医院透析', quantity: '1次' }] });
    at('20T08:00:00');
    const today1 = await requestIn('delivered');
    await markDelivered(t.ctx(), await startDelivery(t.ctx(), await assignSupplyRequest(t.ctx(), { id: old.id, version: 1, cadreId: cadreA })));
    const b1 = await veg(hb.id);
    at('20T09:00:00');
    const stats = await supplyStatsByCommunity(t.ctx(), '2022-01-20');
    expect(stats.get(t.communities.a)).toEqual({ newToday: 2, deliveredToday: 2, pending: 1, overdue: 1 });
    expect(stats.get(t.communities.b)).toEqual({ newToday: 1, deliveredToday: 0, pending: 1, overdue: 0 });
    // 01-19 as it ended: `old` was open but its 24 hours ran out only at 08:00 on 01-20 (not "overdue now").
    expect((await supplyStatsByCommunity(t.ctx(), '2022-01-19')).get(t.communities.a)).toEqual({ newToday: 2, deliveredToday: 1, pending: 1, overdue: 0 });
    // A committee member gets their own community only.
    const c1 = await supplyStatsByCommunity(t.ctx({ userId: 3, username: 'committee1', displayName: 'x', role: 'committee', communityId: t.communities.a }), '2022-01-20');
    expect([...c1.keys()]).toEqual([t.communities.a]);
    const board = await supplyBoard(t.ctx(), {});
    expect(board).toMatchObject({ byStatus: { new: 2, assigned: 0, delivering: 0, delivered: 3, cancelled: 1 }, open: 2, overdue: 1, urgentOpen: 1, newToday: 3, deliveredToday: 2 });
    expect([urgent.id, today1.id, deliveredYesterday.id, b1.id].every((x) => x > 0)).toBe(true);
    // Delivered on a date (read from the requests' status and status_at) = requests with a move to delivered on it.
    for (const d of ['2022-01-19', '2022-01-20']) {
      const fromTransitions = await t.ctx().db
        .selectFrom('supplyTransitions as x')
        .innerJoin('supplyRequests as s', 's.id', 'x.requestId')
        .select((eb) => ['s.communityId', eb.fn.count<number>('x.requestId').distinct().as('n')])
        .where('x.toStatus', '=', 'delivered')
        .where('x.at', '>=', d)
        .where('x.at', '<', d === '2022-01-19' ? '2022-01-20' : '2022-01-21')
        .groupBy('s.communityId')
        .execute();
      const stats = await supplyStatsByCommunity(t.ctx(), d);
      expect(fromTransitions.length).toBeGreaterThan(0);
      for (const r of fromTransitions) expect(stats.get(r.communityId)?.deliveredToday, d).toBe(Number(r.n));
    }
  });

  it('lists page in SQL with filters, carries cadre names and items; the run sheet groups by compound, urgent first', async () => {
    const ha2 = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '东方小区', building: '2', unit: '1', room: '302' });
    const rice = await veg();
    at('20T09:05:00');
    const med = await createSupplyRequest(t.ctx(), { householdId: ha.id, category: '药品', items: [{ name: '胰岛素', quantity: '2支' }], requestedBy: '王芳' });
    at('20T09:10:00');
    const east = await createSupplyRequest(t.ctx(), { householdId: ha2.id, category: '肉蛋奶', items: [{ name: '鸡蛋', quantity: '1盒' }] });
    await assignSupplyRequest(t.ctx(), { id: east.id, version: 1, cadreId: cadreA2 });
    const page1 = await listSupplyRequests(t.ctx(), { limit: 2 });
    expect(page1.total).toBe(3);
    expect(page1.rows.map((r) => r.id)).toEqual([east.id, med.id]);
    expect(page1.rows[0]).toMatchObject({ cadreName: '孙立', items: '鸡蛋 1盒', compound: '东方小区' });
    expect((await listSupplyRequests(t.ctx(), { limit: 2, offset: 2 })).rows.map((r) => r.id)).toEqual([rice.id]);
    expect((await listSupplyRequests(t.ctx(), { search: '东方' })).rows.map((r) => r.id)).toEqual([east.id]);
    expect((await listSupplyRequests(t.ctx(), { category: '药品' })).rows.map((r) => r.id)).toEqual([med.id]);
    expect((await listSupplyRequests(t.ctx(), { status: 'new', urgency: 'normal' })).rows.map((r) => r.id)).toEqual([rice.id]);
    expect((await listSupplyRequests(t.ctx(), { date: '2022-01-19' })).total).toBe(0);
    expect((await listSupplyRequests(t.ctx(), { date: '2022-01-20', cadreId: cadreA2 })).rows.map((r) => r.id)).toEqual([east.id]);
    const sheet = await supplyRunSheet(t.ctx(), {});
    expect(sheet.status).toBe('open');
    expect(sheet.groups.map((g) => [g.compound, g.urgent, g.rows.map((r) => r.id)])).toEqual([
      ['东方小区', 0, [east.id]],
      ['金桥小区', 1, [med.id, rice.id]],
    ]);
    expect((await supplyRunSheet(t.ctx(), { status: 'assigned' })).total).toBe(1);
  });

  it('households.search finds a household by address or member name/initials, within scope', async () => {
    await createResident(t.ctx(), { name: '张三', docType: '居民身份证', docNumber: makeIdNumber('131002', '1980-01-01', 31), category: '密接', phone: '13800000001', householdId: ha.id });
    await createResident(t.ctx(), { name: '张三丰', docType: '居民身份证', docNumber: makeIdNumber('131002', '1981-01-01', 31), category: '密接', phone: '13800000002', householdId: hb.id });
    const clerk = await t.login('clerk');
    const byName = await call(t.env, 'households.search', { search: '张三' }, clerk);
    expect(byName.map((h) => h.address).sort()).toEqual(['华夏里小区1号楼1单元101', '金桥小区3号楼2单元501']);
    expect(byName.find((h) => h.id === ha.id)).toMatchObject({ community: '西大街社区', compound: '金桥小区', members: ['张三'] });
    expect((await call(t.env, 'households.search', { search: 'zsf' }, clerk)).map((h) => h.id)).toEqual([hb.id]);
    expect((await call(t.env, 'households.search', { search: 'zs' }, clerk)).map((h) => h.id).sort()).toEqual([ha.id, hb.id].sort());
    expect((await call(t.env, 'households.search', { search: '3号楼2单元' }, clerk)).map((h) => h.id)).toEqual([ha.id]);
    const c1 = await t.login('committee1');
    expect((await call(t.env, 'households.search', { search: '张三' }, c1)).map((h) => h.id)).toEqual([ha.id]);
  });
});

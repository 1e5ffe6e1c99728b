// Cadres (下沉干部): roster writes with warnings and locking, compounds within the community, scope, masking, work counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { ensureHousehold } from '../../electron/domain/places.ts';
import { cadresOnDutyByCommunity, createCadre, listCadres, updateCadre } from '../../electron/domain/cadres.ts';
import { assignSupplyRequest, createSupplyRequest, markDelivered, startDelivery } from '../../electron/domain/supplies.ts';
import { call } from '../../electron/api/dispatch.ts';

let t: TestEnv;
let compoundA: number;
let compoundA2: number;
let compoundB: number;
beforeEach(async () => {
  t = await makeEnv();
  compoundA = (await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' })).compoundId;
  compoundA2 = (await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '东方小区', building: '1', unit: '1', room: '101' })).compoundId;
  compoundB = (await ensureHousehold(t.ctx(), { communityId: t.communities.b, compound: '华夏里小区', building: '1', unit: '1', room: '101' })).compoundId;
});
afterEach(() => t.close());

const auditCount = async () => Number((await t.handle.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('cadres', () => {
  it('creates a cadre with compounds; an unusual phone is a warning and the cadre is saved; lists mask the phone', async () => {
    const r = await createCadre(t.ctx(), {
      name: ' 刘建国 ',
      homeUnit: '市住建局',
      title: '二级调研员',
      phone: '+86 138-0013-8000',
      communityId: t.communities.a,
      compoundIds: [compoundA, compoundA2],
      dutyFrom: '2022-01-12',
    });
    expect(r.warnings).toEqual([]);
    const odd = await createCadre(t.ctx(), { name: '孙立', homeUnit: '市体育局', phone: '0316-123456', communityId: t.communities.a });
    expect(odd.warnings).toEqual([{ field: 'phone', key: 'phone.unusual', params: { phone: expect.any(String) }, message: expect.stringContaining('不是常见的手机号码') }]);
    const rows = await listCadres(t.ctx(), {});
    const liu = rows.find((x) => x.id === r.id)!;
    expect(liu).toMatchObject({ name: '刘建国', phone: '138****8000', community: '西大街社区', status: 'on_duty', onDuty: true, title: '二级调研员' });
    expect(liu.compounds.map((c) => c.name)).toEqual(['东方小区', '金桥小区']);
    const stored = await t.handle.db.selectFrom('cadres').select('phone').where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(stored.phone).toBe('13800138000');
    const a = await t.handle.db.selectFrom('auditLog').select(['action', 'details']).where('entity', '=', 'cadre').where('entityId', '=', r.id).execute();
    expect(a.map((x) => x.action)).toEqual(['cadre.create']);
  });

  it('refuses compounds of another community, a missing name or unit, and dates in the wrong order; nothing written', async () => {
    const before = await auditCount();
    await expect(createCadre(t.ctx(), { name: '王五', homeUnit: '市检察院', communityId: t.communities.a, compoundIds: [compoundB] })).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('不属于派驻社区'),
    });
    await expect(createCadre(t.ctx(), { name: '', homeUnit: '', communityId: t.communities.a })).rejects.toMatchObject({ message: expect.stringContaining('派出单位') });
    await expect(createCadre(t.ctx(), { name: '王五', homeUnit: '市检察院', dutyFrom: '2022-01-20', dutyTo: '2022-01-10' })).rejects.toMatchObject({
      message: expect.stringContaining('不能早于开始日期'),
    });
    const n = await t.handle.db.selectFrom('cadres').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
    expect(await auditCount()).toBe(before);
  });

  it('updates with the version; a stale version gets CONFLICT; moving community drops the old compounds; withdrawing warns about open deliveries', async () => {
    const c = await createCadre(t.ctx(), { name: '刘建国', homeUnit: '市住建局', communityId: t.communities.a, compoundIds: [compoundA] });
    const h = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' });
    const req = await createSupplyRequest(t.ctx(), { householdId: h.id, category: '粮油', items: [{ name: '面粉', quantity: '1袋' }] });
    await assignSupplyRequest(t.ctx(), { id: req.id, version: 1, cadreId: c.id });
    const u = await updateCadre(t.ctx(), { id: c.id, version: 1, status: 'withdrawn' });
    expect(u.version).toBe(2);
    expect(u.warnings).toContainEqual({ field: 'status', key: 'cadres.openSupplies', params: expect.objectContaining({ count: 1 }), message: expect.stringContaining('还有 1 项物资需求未送达') });
    await expect(updateCadre(t.ctx(), { id: c.id, version: 1, title: '科长' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const moved = await updateCadre(t.ctx(), { id: c.id, version: 2, communityId: t.communities.b, status: 'on_duty' });
    const row = (await listCadres(t.ctx(), {})).find((x) => x.id === c.id)!;
    expect(row).toMatchObject({ version: 3, communityId: t.communities.b, compounds: [], status: 'on_duty', title: null });
    expect(moved.version).toBe(3);
    const actions = await t.handle.db.selectFrom('auditLog').select(['action', 'details']).where('entity', '=', 'cadre').where('entityId', '=', c.id).orderBy('id').execute();
    expect(actions.map((x) => x.action)).toEqual(['cadre.create', 'cadre.update', 'cadre.update']);
    expect(JSON.parse(actions[1].details!)).toEqual({ before: { status: 'on_duty' }, after: { status: 'withdrawn' } });
  });

  it('a committee member sees the cadres of their community only and cannot write the roster', async () => {
    await createCadre(t.ctx(), { name: '刘建国', homeUnit: '市住建局', communityId: t.communities.a });
    await createCadre(t.ctx(), { name: '冯他', homeUnit: '市委编办', communityId: t.communities.b });
    await createCadre(t.ctx(), { name: '待分配', homeUnit: '市人防办' });
    const key = await t.login('committee1');
    expect((await call(t.env, 'cadres.list', {}, key)).map((r) => r.name)).toEqual(['刘建国']);
    const res = await t.dispatch('cadres.create', { name: '李四', homeUnit: '市检察院', communityId: t.communities.a }, key);
    expect(res).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const clerk = await t.login('clerk');
    expect((await call(t.env, 'cadres.list', {}, clerk)).map((r) => r.name).sort()).toEqual(['冯他', '刘建国', '待分配'].sort());
    expect((await call(t.env, 'cadres.list', { search: '住建' }, clerk)).map((r) => r.name)).toEqual(['刘建国']);
    const created = await call(t.env, 'cadres.create', { name: '李四', homeUnit: '市检察院', phone: '13900001111', communityId: t.communities.a }, clerk);
    expect(created).toMatchObject({ version: 1, warnings: [] });
  });

  it('counts on duty per community by status and duty dates', async () => {
    await createCadre(t.ctx(), { name: '甲', homeUnit: '市住建局', communityId: t.communities.a });
    await createCadre(t.ctx(), { name: '乙', homeUnit: '市住建局', communityId: t.communities.a, dutyFrom: '2022-01-15', dutyTo: '2022-01-20' });
    await createCadre(t.ctx(), { name: '丙', homeUnit: '市住建局', communityId: t.communities.a, dutyFrom: '2022-01-21' });
    await createCadre(t.ctx(), { name: '丁', homeUnit: '市住建局', communityId: t.communities.a, status: 'resting' });
    await createCadre(t.ctx(), { name: '戊', homeUnit: '市住建局', communityId: t.communities.b, status: 'withdrawn' });
    await createCadre(t.ctx(), { name: '己', homeUnit: '市住建局', communityId: t.communities.b });
    await createCadre(t.ctx(), { name: '庚', homeUnit: '市住建局' });
    expect(Object.fromEntries(await cadresOnDutyByCommunity(t.ctx(), '2022-01-20'))).toEqual({ [t.communities.a]: 2, [t.communities.b]: 1 });
    expect(Object.fromEntries(await cadresOnDutyByCommunity(t.ctx(), '2022-01-21'))).toEqual({ [t.communities.a]: 2, [t.communities.b]: 1 });
    expect(Object.fromEntries(await cadresOnDutyByCommunity(t.ctx(), '2022-01-14'))).toEqual({ [t.communities.a]: 1, [t.communities.b]: 1 });
    const rows = await listCadres(t.ctx(), { date: '2022-01-21' });
    expect(rows.filter((r) => r.onDuty).map((r) => r.name).sort()).toEqual(['丙', '己', '庚', '甲'].sort());
  });

  it("lists the day's work: open assignments now and deliveries on the date", async () => {
    const c = await createCadre(t.ctx(), { name: '刘建国', homeUnit: '市住建局', communityId: t.communities.a });
    const h = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' });
    const mk = async () => {
      const r = await createSupplyRequest(t.ctx(), { householdId: h.id, category: '蔬菜', items: [{ name: '白菜', quantity: '1棵' }] });
      return assignSupplyRequest(t.ctx(), { id: r.id, version: 1, cadreId: c.id });
    };
    const r1 = await mk();
    const r2 = await mk();
    await mk();
    await markDelivered(t.ctx(), await startDelivery(t.ctx(), r1));
    await startDelivery(t.ctx(), r2);
    const row = (await listCadres(t.ctx(), {})).find((x) => x.id === c.id)!;
    expect(row).toMatchObject({ openAssigned: 2, deliveredOnDate: 1 });
    expect((await listCadres(t.ctx(), { date: '2022-01-19' })).find((x) => x.id === c.id)).toMatchObject({ openAssigned: 2, deliveredOnDate: 0 });
  });
});

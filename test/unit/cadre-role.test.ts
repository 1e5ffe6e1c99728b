// The `cadre` role (issue 14 §4): a cadre's account sees and does only their own assignments. Every channel of the
// contract refuses a cadre except the session's and 我的任务's; another cadre's visit or delivery is refused and left
// as it was; residents' names and phones come masked; accounts link to cadre records one to one.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../electron/api/dispatch.ts';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { rawAll, rawGet } from '../helpers/raw.ts';
import { contract } from '../../electron/api/contract.ts';
import { ensureHousehold } from '../../electron/domain/places.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

const ID = makeIdNumber('131002', '1979-06-23', 517);

/** What a cadre may call: the public and session channels, and their own tasks. Nothing else, ever. */
const ALLOWED = new Set([
  'auth.setupStatus',
  'auth.setupAdmin',
  'auth.login',
  'auth.logout',
  'auth.me',
  'auth.changePassword',
  'jobs.status',
  'jobs.cancel',
  'mine.tasks',
  'mine.recordVisit',
  'mine.deliver',
]);

let t: TestEnv;
let keys: Record<string, string>;
let cadreA: number;
let cadreB: number;
let householdA: number;
let householdA2: number;
const TODAY = '2022-01-20';

const one = async <T>(sql: string, ...p: unknown[]) => (await rawGet<T>(t.handle.db, sql, ...p)) as T;

beforeAll(async () => {
  t = await makeEnv({ file: path.join(tempDir('idesk-cadre-role-'), 'cadre.db') });
  const admin = await t.login('admin');
  const clerk = await t.login('clerk');
  const h1 = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' });
  const h2 = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '502' });
  householdA = h1.id;
  householdA2 = h2.id;
  await createResident(t.ctx(), { name: '周测试', docType: '居民身份证', docNumber: ID, phone: '13811112222', category: '密接', householdId: householdA } as never);
  await createResident(t.ctx(), { name: '欧阳小明', docType: '护照', docNumber: 'E12345678', birthDate: '1980-02-02', sex: 'M', phone: '13911113333', category: '密接', householdId: householdA2 } as never);
  cadreA = (await call(t.env, 'cadres.create', { name: '吴干部', homeUnit: '市住建局', phone: '13922223333', communityId: t.communities.a }, clerk)).id;
  cadreB = (await call(t.env, 'cadres.create', { name: '郑干部', homeUnit: '市国资委', phone: '13922225555', communityId: t.communities.a }, clerk)).id;
  await call(t.env, 'users.create', { username: 'cadreA', displayName: '吴干部', role: 'cadre', cadreId: cadreA, password: 'demo1234' }, admin);
  await call(t.env, 'users.create', { username: 'cadreB', displayName: '郑干部', role: 'cadre', cadreId: cadreB, password: 'demo1234' }, admin);
  keys = { admin, clerk, cadreA: await t.login('cadreA'), cadreB: await t.login('cadreB'), committee2: await t.login('committee2') };
}, 60_000);
afterAll(() => t.close());

describe('a cadre is refused every channel but their own', () => {
  const all = Object.keys(contract);
  it('the allowed list names real channels only', () => {
    for (const c of ALLOWED) expect(all, c).toContain(c);
  });
  it.each(all.filter((c) => !ALLOWED.has(c)))('%s refuses a cadre', async (channel) => {
    const r = await t.dispatch(channel, {}, keys.cadreA);
    expect(r, channel).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
  it('the allowed ones answer the cadre (not FORBIDDEN by role)', async () => {
    const me = await call(t.env, 'auth.me', {}, keys.cadreA);
    expect(me.actor).toMatchObject({ role: 'cadre', cadreId: cadreA, communityId: null });
    expect(me.permissions).toEqual(['tasks.own']);
    const tasks = await call(t.env, 'mine.tasks', {}, keys.cadreA);
    expect(tasks.cadre).toMatchObject({ id: cadreA, name: '吴干部', community: '西大街社区' });
  });
  it('an office account has no cadre tasks (not linked)', async () => {
    for (const k of [keys.admin, keys.clerk]) expect(await t.dispatch('mine.tasks', {}, k)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('only their own shifts, visits and deliveries', () => {
  let visitA: number;
  let visitB: number;
  let supplyA: number;
  let supplyB: number;
  beforeAll(async () => {
    await call(t.env, 'shifts.create', { cadreIds: [cadreA], date: TODAY, startTime: '08:00', endTime: '12:00', post: 'gate', place: '金桥小区北门' }, keys.clerk);
    await call(t.env, 'shifts.create', { cadreIds: [cadreB], date: TODAY, startTime: '13:00', endTime: '17:00', post: 'temperature', place: '金桥小区南门' }, keys.clerk);
    await call(t.env, 'shifts.create', { cadreIds: [cadreA], date: '2022-01-22', startTime: '20:00', endTime: '08:00', post: 'gate', place: '金桥小区北门' }, keys.clerk);
    visitA = (await call(t.env, 'visits.plan', { cadreId: cadreA, householdIds: [householdA], date: TODAY }, keys.clerk)).ids[0];
    visitB = (await call(t.env, 'visits.plan', { cadreId: cadreB, householdIds: [householdA2], date: TODAY }, keys.clerk)).ids[0];
    const make = async (householdId: number, cadreId: number) => {
      const s = await call(t.env, 'supplies.create', { householdId, category: '蔬菜', items: [{ name: '白菜', quantity: '2斤' }] }, keys.clerk);
      return (await call(t.env, 'supplies.assign', { id: s.id, version: s.version, cadreId }, keys.clerk)).id;
    };
    supplyA = await make(householdA, cadreA);
    supplyB = await make(householdA2, cadreB);
  });

  it('我的任务 holds the cadre’s own shifts, visits and deliveries and no one else’s', async () => {
    const a = await call(t.env, 'mine.tasks', {}, keys.cadreA);
    expect(a.shifts.map((s) => [s.cadreId, s.startTime, s.post])).toEqual([[cadreA, '08:00', 'gate']]);
    expect(a.upcoming.map((s) => [s.date, s.startTime, s.minutes])).toEqual([['2022-01-22', '20:00', 720]]);
    expect(a.visits.map((v) => v.id)).toEqual([visitA]);
    expect(a.deliveries.map((d) => d.id)).toEqual([supplyA]);
    const b = await call(t.env, 'mine.tasks', {}, keys.cadreB);
    expect([b.shifts.map((s) => s.cadreId), b.visits.map((v) => v.id), b.deliveries.map((d) => d.id)]).toEqual([[cadreB], [visitB], [supplyB]]);
  });

  it('names and phones of residents come masked to a cadre', async () => {
    const a = await call(t.env, 'mine.tasks', {}, keys.cadreA);
    const text = JSON.stringify(a);
    expect(a.visits[0].people).toEqual([{ name: '周*试', phone: '138****2222' }]);
    expect(a.deliveries[0].people).toEqual([{ name: '周*试', phone: '138****2222' }]);
    expect(a.deliveries[0]).toMatchObject({ address: expect.stringContaining('金桥小区'), items: expect.stringContaining('白菜') });
    for (const secret of ['周测试', '13811112222', ID, '19790623']) expect(text).not.toContain(secret);
    const b = await call(t.env, 'mine.tasks', {}, keys.cadreB);
    expect(b.visits[0].people).toEqual([{ name: '欧**明', phone: '139****3333' }]);
  });

  it('another cadre’s visit or delivery is refused and stays as it was', async () => {
    const vB = await one<{ version: number; result: string | null }>('SELECT version, result FROM door_visits WHERE id = ?', visitB);
    const sB = await one<{ version: number; status: string }>('SELECT version, status FROM supply_requests WHERE id = ?', supplyB);
    const audits = (await one<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log')).n;
    const r1 = await t.dispatch('mine.recordVisit', { id: visitB, version: vB.version, result: 'home_ok' }, keys.cadreA);
    expect(r1).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', key: 'fieldwork.notYours' } });
    const r2 = await t.dispatch('mine.deliver', { id: supplyB, version: sB.version }, keys.cadreA);
    expect(r2).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', key: 'fieldwork.notYours' } });
    expect(await one('SELECT version, result FROM door_visits WHERE id = ?', visitB)).toEqual(vB);
    expect(await one('SELECT version, status FROM supply_requests WHERE id = ?', supplyB)).toEqual(sB);
    expect((await one<{ n: number }>('SELECT COUNT(*) AS n FROM audit_log')).n).toBe(audits);
  });

  it('records their own visit and marks their own delivery delivered (audited as the cadre)', async () => {
    const v = await one<{ version: number }>('SELECT version FROM door_visits WHERE id = ?', visitA);
    // 发现异常 without saying what: refused in Chinese, nothing written.
    const bad = await t.dispatch('mine.recordVisit', { id: visitA, version: v.version, result: 'abnormal' }, keys.cadreA);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('请写明发现的情况') } });
    expect(await one('SELECT result FROM door_visits WHERE id = ?', visitA)).toEqual({ result: null });
    await call(t.env, 'mine.recordVisit', { id: visitA, version: v.version, result: 'abnormal', note: '老人发热', followUpNote: '联系社区医生上门' }, keys.cadreA);
    expect(await one('SELECT result, note, follow_up_note AS f, recorded_by AS by FROM door_visits WHERE id = ?', visitA)).toEqual({ result: 'abnormal', note: '老人发热', f: '联系社区医生上门', by: 'cadreA' });
    const s = await one<{ version: number }>('SELECT version FROM supply_requests WHERE id = ?', supplyA);
    await call(t.env, 'mine.deliver', { id: supplyA, version: s.version, note: '放门口' }, keys.cadreA);
    expect(await one('SELECT status FROM supply_requests WHERE id = ?', supplyA)).toEqual({ status: 'delivered' });
    const moves = await rawAll(t.handle.db, 'SELECT to_status AS s, user_name AS u FROM supply_transitions WHERE request_id = ? ORDER BY id', supplyA);
    expect(moves.slice(-2)).toEqual([{ s: 'delivering', u: 'cadreA' }, { s: 'delivered', u: 'cadreA' }]);
    const after = await call(t.env, 'mine.tasks', {}, keys.cadreA);
    expect(after.deliveries).toEqual([]);
    expect(after.visits.map((x) => [x.id, x.result])).toEqual([[visitA, 'abnormal']]);
    // The office sees the follow-up to do.
    const follow = await call(t.env, 'visits.list', { status: 'followUp' }, keys.clerk);
    expect(follow.map((x) => x.id)).toEqual([visitA]);
  });
});

describe('cadre accounts and the roster’s rules', () => {
  it('a cadre account needs a cadre, one account per cadre; a committee member cannot make accounts', async () => {
    const none = await t.dispatch('users.create', { username: 'cadreX', displayName: 'X', role: 'cadre', password: 'demo1234' }, keys.admin);
    expect(none).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('必须关联') } });
    const twice = await t.dispatch('users.create', { username: 'cadreX', displayName: 'X', role: 'cadre', cadreId: cadreA, password: 'demo1234' }, keys.admin);
    expect(twice).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('已有账号（cadreA）') } });
    expect(await one('SELECT COUNT(*) AS n FROM users WHERE username = ?', 'cadreX')).toEqual({ n: 0 });
    const list = await call(t.env, 'users.list', {}, keys.admin);
    expect(list.find((u) => u.username === 'cadreA')).toMatchObject({ role: 'cadre', cadreId: cadreA, cadreName: '吴干部' });
  });

  it('overlapping shifts are refused with the cadre named; a committee member works only in their community', async () => {
    const n = (await one<{ n: number }>('SELECT COUNT(*) AS n FROM cadre_shifts')).n;
    const overlap = await t.dispatch('shifts.create', { cadreIds: [cadreA, cadreB], date: TODAY, startTime: '11:00', endTime: '14:00', post: 'registration', place: '核酸点' }, keys.clerk);
    expect(overlap).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('吴干部 在 2022-01-20 08:00–12:00 已有班次') } });
    // The night shift of the 22nd runs into the 23rd.
    const night = await t.dispatch('shifts.create', { cadreIds: [cadreA], date: '2022-01-23', startTime: '07:00', endTime: '09:00', post: 'gate', place: '北门' }, keys.clerk);
    expect(night).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('2022-01-22 20:00–08:00') } });
    const other = await t.dispatch('shifts.create', { cadreIds: [cadreA], date: '2022-01-25', startTime: '08:00', endTime: '09:00', post: 'gate', place: '北门' }, keys.committee2);
    expect(other).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await one<{ n: number }>('SELECT COUNT(*) AS n FROM cadre_shifts')).n).toBe(n);
    expect(await call(t.env, 'shifts.list', { from: '2022-01-01', to: '2022-01-31' }, keys.committee2)).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident, updateResident, normaliseResident } from '../../electron/domain/residents.ts';
import { listResidents } from '../../electron/domain/residents-list.ts';
import { revealResident } from '../../electron/domain/residents-detail.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv();
});
afterEach(() => t.close());

const addr = (communityId: number, room = '501') => ({ communityId, compound: '金桥小区', building: '3', unit: '2', room });

describe('residents', () => {
  it('normalises an ID number and fills sex and birth date from it; sex contradiction is a warning', () => {
    const r = normaliseResident(
      { name: ' 张三 ', docType: '居民身份证', docNumber: '１１０１０５１９４９１２３１００２ｘ', sex: 'M', category: '密接', phone: '138 0013 8000' },
      '2022-01-20',
    );
    expect(r.value).toMatchObject({ name: '张三', docNumber: '11010519491231002X', sex: 'F', birthDate: '1949-12-31', phone: '13800138000' });
    expect(r.warnings.map((w) => w.field)).toEqual(['sex']);
  });

  it('keeps other documents as typed; an infant without a document needs birth date and a guardian in the household', async () => {
    const mum = await createResident(t.ctx(), { name: '王芳', docType: '居民身份证', docNumber: makeIdNumber('131002', '1992-06-01', 22), category: '密接', phone: '13900001111', address: addr(t.communities.a) });
    const hk = await createResident(t.ctx(), { name: '陈大文', docType: '港澳居民来往内地通行证', docNumber: ' h1234 5678 ', category: '入境', phone: '13900002222', address: addr(t.communities.a, '502') });
    const hkRow = await t.handle.db.selectFrom('residents').select('docNumber').where('id', '=', hk.id).executeTakeFirstOrThrow();
    expect(hkRow.docNumber).toBe('H12345678');
    await expect(createResident(t.ctx(), { name: '宝宝', docType: '无证件', category: '密接', address: addr(t.communities.a) })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      createResident(t.ctx(), { name: '宝宝', docType: '无证件', birthDate: '2021-12-01', guardianId: hk.id, category: '密接', address: addr(t.communities.a) }),
    ).rejects.toMatchObject({ message: expect.stringContaining('监护人须是同一户') });
    const baby = await createResident(t.ctx(), { name: '宝宝', docType: '无证件', birthDate: '2021-12-01', guardianId: mum.id, category: '密接', address: addr(t.communities.a) });
    expect(baby.id).toBeGreaterThan(0);
  });

  it('never creates a second resident with the same document', async () => {
    const n = makeIdNumber('131002', '1980-01-01', 31);
    await createResident(t.ctx(), { name: '甲', docType: '居民身份证', docNumber: n, category: '密接', phone: '13800000001', address: addr(t.communities.a) });
    await expect(
      createResident(t.ctx(), { name: '乙', docType: '居民身份证', docNumber: n.toLowerCase(), category: '密接', address: addr(t.communities.b) }),
    ).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('已登记为「甲」') });
    const c = await t.handle.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(c.n)).toBe(1);
  });

  it('two concurrent updates of one record: the second is refused with a clear message', async () => {
    const r = await createResident(t.ctx(), { name: '张三', docType: '居民身份证', docNumber: makeIdNumber('131002', '1980-01-01', 31), category: '密接', phone: '13800000001', address: addr(t.communities.a) });
    await updateResident(t.ctx(), { id: r.id, version: 1, phone: '13800000002' });
    await expect(updateResident(t.ctx(), { id: r.id, version: 1, phone: '13800000003' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('已被其他人修改'),
    });
    const row = await t.handle.db.selectFrom('residents').select(['phone', 'version']).where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ phone: '13800000002', version: 2 });
  });

  it('searches by pinyin initials, full pinyin, name, ID fragment, phone and address; pages and sorts in SQL; masks', async () => {
    const people = [
      ['张三', '1980-01-01', '13811112222', '501', '2022-01-14'],
      ['张山峰', '1981-01-01', '13833334444', '502', '2022-01-12'],
      ['李四', '1982-01-01', '13855556666', '601', '2022-01-13'],
    ] as const;
    for (const [i, [name, birth, phone, room, start]] of people.entries()) {
      const r = await createResident(t.ctx(), { name, docType: '居民身份证', docNumber: makeIdNumber('131002', birth, 11 + i * 2), category: '密接', phone, address: addr(t.communities.a, room) });
      await startEpisode(t.ctx(), { residentId: r.id, startDate: start });
    }
    const names = async (search: string) => (await listResidents(t.ctx(), { search, sortField: 'name' })).rows.map((r) => r.name).sort();
    expect(await names('zs')).toEqual(['张三', '张山峰']);
    expect(await names('zhangsan')).toEqual(['张三']);
    expect(await names('zhangshan')).toEqual(['张山峰']);
    expect(await names('李')).toEqual(['李四']);
    expect(await names('13855556666')).toEqual(['李四']);
    expect(await names('金桥小区3号楼2单元601')).toEqual(['李四']);
    const page = await listResidents(t.ctx(), { sortField: 'lastDay', sortDir: 'asc', limit: 2 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.name)).toEqual(['张山峰', '李四']);
    expect(page.rows[0]).toMatchObject({ dayN: 9, totalDays: 7, due: true, phone: '138****4444', docNumber: expect.stringMatching(/^131002\*{8}\w{4}$/) });
    const due = await listResidents(t.ctx(), { status: 'due' });
    expect(due.total).toBe(2);
    const next = await listResidents(t.ctx(), { sortField: 'lastDay', offset: 2, limit: 2, withTotal: false });
    expect(next.rows.map((r) => r.name)).toEqual(['张三']);
  });

  it('reveals one phone only with permission and audits it', async () => {
    const r = await createResident(t.ctx(), { name: '张三', docType: '居民身份证', docNumber: makeIdNumber('131002', '1980-01-01', 31), category: '密接', phone: '13800000001', address: addr(t.communities.a) });
    const official = { userId: 9, username: 'official', displayName: '领导', role: 'official' as const, communityId: null };
    await expect(revealResident(t.ctx(official), r.id, 'phone')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await revealResident(t.ctx(), r.id, 'phone')).toEqual({ value: '13800000001', birthDate: null });
    const log = await t.handle.db.selectFrom('auditLog').selectAll().where('action', '=', 'resident.reveal_phone').execute();
    expect(log).toHaveLength(1);
  });
});

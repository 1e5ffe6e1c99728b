// Reading the audit trail: filters, newest-first paging in SQL, masked personal values, and the Excel export
// (masked, and itself audited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { addPerson, api } from '../helpers/trust.ts';

let t: TestEnv;
let admin: string;
let person: { id: number; docNumber: string };
beforeAll(async () => {
  t = await makeEnv();
  t.env.exportDir = tempDir('idesk-audit-export-');
  admin = await t.login('admin');
  const clerk = await t.login('clerk');
  person = await addPerson(t, clerk, { name: '审计对象', communityId: t.communities.a, seq: 31, phone: '13855556666' });
  t.clock.set('2022-01-21T02:00:00.000Z');
  const clerk2 = await t.login('clerk');
  const v = t.handle.sqlite.prepare('SELECT version FROM residents WHERE id = ?').pluck().get(person.id) as number;
  await api(t, 'residents.update', { id: person.id, version: v, phone: '13877778888' }, clerk2);
  for (let i = 0; i < 12; i++) await addPerson(t, clerk2, { name: `批量${i}`, communityId: t.communities.b, seq: 40 + i, compound: '华夏小区' });
  admin = await t.login('admin');
});
afterAll(async () => t.close());

describe('audit.list', () => {
  it('pages newest first with a total, and filters by user, action (or area), date, resident and entity', async () => {
    const all = await api(t, 'audit.list', {}, admin);
    const total = t.handle.sqlite.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
    expect(all.total).toBe(total);
    const ordered = [...all.rows].sort((x, y) => (x.at === y.at ? y.id - x.id : x.at < y.at ? 1 : -1));
    expect(all.rows.map((r) => r.id)).toEqual(ordered.map((r) => r.id));
    expect(all.rows[0].action).toBe('auth.login');

    const p1 = await api(t, 'audit.list', { limit: 5 }, admin);
    const p2 = await api(t, 'audit.list', { limit: 5, offset: 5, withTotal: false }, admin);
    expect(p1.rows.map((r) => r.id)).toEqual(all.rows.slice(0, 5).map((r) => r.id));
    expect(p2.rows.map((r) => r.id)).toEqual(all.rows.slice(5, 10).map((r) => r.id));
    expect(p2.total).toBeNull();

    const mine = await api(t, 'audit.list', { residentId: person.id }, admin);
    expect(mine.rows.map((r) => r.action)).toEqual(['resident.update', 'resident.create']);
    expect(mine.rows[0].actionLabel).toBe('修改人员信息');
    const byUser = await api(t, 'audit.list', { userName: 'clerk', action: 'resident.create' }, admin);
    expect(byUser.total).toBe(13);
    const area = await api(t, 'audit.list', { action: 'resident.' }, admin);
    expect(area.total).toBe(14);
    const day = await api(t, 'audit.list', { from: '2022-01-21', to: '2022-01-21', action: 'resident.' }, admin);
    expect(day.total).toBe(13);
    const before = await api(t, 'audit.list', { to: '2022-01-20', entity: 'resident' }, admin);
    expect(before.rows.map((r) => r.residentId)).toEqual([person.id]);
  });

  it('masks ID numbers and phones in before/after', async () => {
    const mine = await api(t, 'audit.list', { residentId: person.id }, admin);
    const text = JSON.stringify(mine.rows);
    expect(text).not.toContain(person.docNumber);
    expect(text).not.toContain('13855556666');
    expect(text).not.toContain('13877778888');
    expect(mine.rows[0].details).toMatchObject({ before: { phone: '138****6666' }, after: { phone: '138****8888' } });
    expect(mine.rows[1].details).toMatchObject({ after: { name: '审计对象', docNumber: `${person.docNumber.slice(0, 6)}********${person.docNumber.slice(-4)}` } });
  });

  it('is for audit.read only', async () => {
    const committee = await t.login('committee1');
    expect(await t.dispatch('audit.list', {}, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('audit.export', {}, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('audit.list', { limit: 1 }, await t.login('official'))).toMatchObject({ ok: true });
  });
});

describe('audit.export', () => {
  it('writes a masked sheet of the filtered log and audits the export', async () => {
    const r = await api(t, 'audit.export', { residentId: person.id }, admin);
    expect(r.rows).toBe(2);
    expect(fs.existsSync(r.file)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(r.file);
    const ws = wb.getWorksheet('操作日志')!;
    const cells: string[] = [];
    ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value ?? ''))));
    const all = cells.join('\n');
    expect(all).toContain('修改人员信息');
    expect(all).toContain('138****8888');
    expect(all).not.toContain(person.docNumber);
    expect(all).not.toContain('13877778888');
    const logged = await api(t, 'audit.list', { action: 'audit.export' }, admin);
    expect(logged.total).toBe(1);
    expect(logged.rows[0]).toMatchObject({ userName: 'admin', details: { rows: 2, filter: { residentId: person.id } } });
  });
});

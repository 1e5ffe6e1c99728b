// 打印告知书 from .docx templates and the 入户排查登记表: the defaults in resources/templates/ are what the code builds;
// a template's placeholders are checked (an unknown one refused by name, a broken file refused, nothing stored); a
// generated document opened back holds each household's name, address and dates on a page of its own; who may print
// (not officials; committee members in their own community); every generation audited with its residents.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PizZip from 'pizzip';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { cliDbArg } from '../helpers/pg-db.ts';
import { call } from '../../electron/api/dispatch.ts';
import { getJob, type JobStatus } from '../../electron/jobs/runner.ts';
import { runCli } from '../../electron/cli/run.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { endEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { DEFAULT_TEMPLATE_FILES, defaultTemplate } from '../../electron/excel/docx/default-templates.ts';
import { checkTemplate } from '../../electron/excel/docx/notice-docx.ts';
import { NOTICE_KINDS } from '../../electron/shared/notices.ts';
import type { NoticeResult } from '../../electron/excel/export/notices.ts';
import type { DoorSheetResult } from '../../electron/excel/export/door-sheet.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { buildScenario, readBack, type Scenario } from './export-fixture.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function finished<O>(jobId: string): Promise<JobStatus<O>> {
  for (let i = 0; i < 600; i++) {
    const j = getJob(jobId);
    if (j && j.state !== 'running') return j as JobStatus<O>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

/** The text of word/document.xml, one line per paragraph, "[分页]" where a page break is. */
function documentText(bytes: Buffer): string {
  const xml = new PizZip(bytes).file('word/document.xml')!.asText();
  return xml
    .replace(/<w:br w:type="page"\/>/g, '[分页]')
    .replace(/<\/w:p>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"');
}

/** The pages of a document (split at its page breaks). */
const pagesOf = (text: string) => text.split('[分页]');

/** A template whose body says `body` (the default's package around it). */
function templateSaying(body: string): Buffer {
  const zip = new PizZip(defaultTemplate('isolation'));
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${body}</w:t></w:r></w:p><w:sectPr/></w:body></w:document>`);
  return zip.generate({ type: 'nodebuffer' });
}

let t: TestEnv;
let s: Scenario;
let zhangJunior: number;
beforeAll(async () => {
  t = await makeEnv();
  s = await buildScenario(t);
  // A second person in 张三's household (金桥小区12号楼3单元501), isolated from 01-15.
  const r = await createResident(t.ctx(), { name: '张小三', docType: '居民身份证', docNumber: makeIdNumber('131002', '2012-04-01', 511), category: '密接', address: { communityId: t.communities.a, compound: '金桥小区', building: '12', unit: '3', room: '501' } });
  await startEpisode(t.ctx(), { residentId: r.id, startDate: '2022-01-15' });
  zhangJunior = r.id;
});
afterAll(() => t.close());
beforeEach(() => {
  t.env.exportDir = tempDir('idesk-notices-');
});

const placeId = async (level: 'compound' | 'building', name: string, parentName?: string) => {
  let q = t.handle.db.selectFrom('places as p').innerJoin('places as up', 'up.id', 'p.parentId').select('p.id').where('p.level', '=', level).where('p.name', '=', name);
  if (parentName) q = q.where('up.name', '=', parentName);
  return (await q.executeTakeFirstOrThrow()).id;
};

async function printed(user: string, input: Parameters<typeof call<'notices.export'>>[2]) {
  const key = await t.login(user);
  const { jobId } = await call(t.env, 'notices.export', input, key);
  const job = await finished<NoticeResult>(jobId);
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  const r = job.result!;
  return { r, text: documentText(fs.readFileSync(r.path)) };
}

describe('default templates', () => {
  it('resources/templates/ holds what the code builds, each a .docx using known placeholders only', () => {
    for (const kind of NOTICE_KINDS) {
      const committed = fs.readFileSync(path.join(ROOT, 'resources', 'templates', DEFAULT_TEMPLATE_FILES[kind]));
      expect(committed.equals(defaultTemplate(kind)), `${DEFAULT_TEMPLATE_FILES[kind]}: run node scripts/make-templates.ts`).toBe(true);
      expect(checkTemplate(committed)).toEqual(expect.arrayContaining(['name', 'address', 'startDate', 'lastDay', 'releaseDate', 'officeName', 'officePhone', 'date', 'people']));
    }
  });
});

describe('template check', () => {
  it('refuses an unknown placeholder by its name, a broken tag and a file that is no .docx', () => {
    expect(checkTemplate(templateSaying('{name}住在{address}'))).toEqual(['name', 'address']);
    expect(() => checkTemplate(templateSaying('{name}的{身份证号}和{phoneNumber}'))).toThrow(/不认识的占位符：\{身份证号\}、\{phoneNumber\}/);
    expect(() => checkTemplate(templateSaying('{name}住在{address'))).toThrow(/占位符格式有误：.*\{address.*缺少右花括号/);
    expect(() => checkTemplate(Buffer.from('这不是 Word 文档'))).toThrow(/不是有效的 Word 文档/);
  });

  it('an upload with an unknown placeholder stores nothing; a good one is used, downloadable, audited, and reset', async () => {
    const admin = await t.login('admin');
    const bad = await t.dispatch('notices.uploadTemplate', { kind: 'isolation', fileName: '告知书.docx', dataBase64: templateSaying('{name}{foo}').toString('base64') }, admin);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!bad.ok && bad.error.message).toMatch(/\{foo\}/);
    expect(await t.handle.db.selectFrom('noticeTemplates').selectAll().execute()).toEqual([]);
    const clerk = await t.login('clerk');
    expect(await t.dispatch('notices.uploadTemplate', { kind: 'isolation', fileName: 'a.docx', dataBase64: templateSaying('{name}').toString('base64') }, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const mine = templateSaying('本所告知：{name}，{address}，{startDate}起');
    const list = await call(t.env, 'notices.uploadTemplate', { kind: 'isolation', fileName: '我们的告知书.docx', dataBase64: mine.toString('base64') }, admin);
    expect(list.find((x) => x.kind === 'isolation')).toMatchObject({ custom: true, fileName: '我们的告知书.docx', tags: ['name', 'address', 'startDate'] });
    const got = await call(t.env, 'notices.downloadTemplate', { kind: 'isolation' }, admin);
    expect(Buffer.from(got.dataBase64, 'base64').equals(mine)).toBe(true);
    const { text } = await printed('clerk', { kind: 'isolation', residentId: s.residents.li });
    expect(text).toContain('本所告知：李四，华夏里社区华夏小区12号楼3单元302，2022年1月18日起');

    await call(t.env, 'notices.resetTemplate', { kind: 'isolation' }, admin);
    const back = await call(t.env, 'notices.downloadTemplate', { kind: 'isolation' }, admin);
    expect(back.fileName).toBe('居家隔离告知书.docx');
    expect(Buffer.from(back.dataBase64, 'base64').equals(defaultTemplate('isolation'))).toBe(true);
    const actions = await t.handle.db.selectFrom('auditLog').select('action').where('action', 'like', 'settings.template%').orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['settings.template_upload', 'settings.template_download', 'settings.template_reset', 'settings.template_download']);
  });
});

describe('notices', () => {
  it('a compound: one page per household with each household’s names, address and dates; audited with the residents', async () => {
    await call(t.env, 'settings.update', { noticeOfficeName: '解放道街道疫情防控办公室', noticePhone: '0316-2345678' }, await t.login('admin'));
    const { r, text } = await printed('committee1', { kind: 'isolation', placeId: await placeId('compound', '金桥小区') });
    expect(r).toMatchObject({ households: 1, people: 2, title: '居家隔离告知书' });
    expect(r.fileName).toMatch(/^居家隔离告知书_西大街社区金桥小区_2022-01-20\.docx$/);
    const page = pagesOf(text);
    expect(page).toHaveLength(1);
    expect(page[0]).toContain('张三、张小三：');
    expect(page[0]).toContain('自2022年1月14日起在西大街社区金桥小区12号楼3单元501实行居家隔离8天，至2022年1月21日期满');
    // each person's own dates (the policy's 7 days from their own start)
    expect(page[0]).toContain('张三：2022年1月14日至2022年1月20日，2022年1月21日解除');
    expect(page[0]).toContain('张小三：2022年1月15日至2022年1月21日，2022年1月22日解除');
    expect(page[0]).toContain('解放道街道疫情防控办公室，电话：0316-2345678');
    expect(page[0]).toContain('2022年1月20日');
    const entry = await t.handle.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'report.notices').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry.userName).toBe('committee1');
    expect(JSON.parse(entry.details!)).toMatchObject({ kind: 'isolation', households: 1, residentIds: [s.residents.zhang, zhangJunior], fileName: r.fileName });
  });

  it('a building of two households: two pages; the release notice shows the day a person was really released', async () => {
    const { r, text } = await printed('clerk', { kind: 'release', placeId: await placeId('building', '12号楼', '华夏小区') });
    expect(r).toMatchObject({ households: 2, people: 2, title: '解除居家隔离通知书' });
    const pages = pagesOf(text);
    expect(pages).toHaveLength(2);
    expect(pages.every((p) => (p.match(/解除居家隔离通知书/g) ?? []).length === 1)).toBe(true);
    // 王五 (301): isolated 01-12..01-18, planned release 01-19, really released today (01-20)
    expect(pages[0]).toContain('王五：');
    expect(pages[0]).toContain('自2022年1月12日起在华夏里社区华夏小区12号楼3单元301实行居家隔离，已于2022年1月18日期满');
    expect(pages[0]).toContain('自2022年1月20日起解除居家隔离');
    expect(pages[1]).toContain('李四：');
    expect(pages[1]).toContain('华夏里社区华夏小区12号楼3单元302');
    expect(pages[1]).toContain('2022年1月25日起解除居家隔离');
    expect(pages[1]).not.toContain('王五');
  });

  it('one person from the drawer; nobody to print for and the wrong place are refused in Chinese', async () => {
    const { r, text } = await printed('clerk', { kind: 'isolation', residentId: s.residents.hostile });
    expect(r.households).toBe(1);
    expect(text).toContain('=HYPERLINK("x")：');
    // named by the address, not the person (the download's audit entry keeps the file name; a purge would miss a name in it)
    expect(r.fileName).toBe('居家隔离告知书_西大街社区金桥花园小区东区二期12号楼3单元1502_2022-01-20.docx');
    const clerk = await t.login('clerk');
    const none = await t.dispatch('notices.export', { kind: 'monitoring', placeId: await placeId('compound', '华夏小区') }, clerk);
    expect(none).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!none.ok && none.error.message).toBe('华夏里社区华夏小区没有需要打印居家健康监测告知书的人员（正在居家健康监测的人员）。');
    expect(await t.dispatch('notices.export', { kind: 'isolation' }, clerk)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // someone transferred (转运) gets no release notice
    const moved = await createResident(t.ctx(), { name: '赵转运', docType: '居民身份证', docNumber: makeIdNumber('131003', '1980-02-02', 612), category: '密接', address: { communityId: t.communities.b, compound: '华夏小区', building: '5', unit: '1', room: '101' } });
    const e = await startEpisode(t.ctx(), { residentId: moved.id, startDate: '2022-01-15' });
    await endEpisode(t.ctx(), { episodeId: e.id, version: e.version, outcome: 'transferred', reason: '转集中隔离' });
    const refused = await t.dispatch('notices.export', { kind: 'release', residentId: moved.id }, clerk);
    expect(!refused.ok && refused.error.message).toMatch(/不能打印解除居家隔离通知书/);
    expect(await t.dispatch('notices.export', { kind: 'monitoring', residentId: moved.id }, clerk)).toMatchObject({ ok: false, error: { message: '该人员没有居家健康监测记录，无法打印居家健康监测告知书。' } });
  });

  it('officials may not print notices (full names and addresses); committee members only in their community', async () => {
    const before = await t.handle.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'report.notices').executeTakeFirstOrThrow();
    const official = await t.login('official');
    const r = await t.dispatch('notices.export', { kind: 'isolation', residentId: s.residents.li }, official);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(!r.ok && r.error.message).toMatch(/完整姓名和住址/);
    const committee = await t.login('committee1');
    expect(await t.dispatch('notices.export', { kind: 'isolation', residentId: s.residents.li }, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('notices.export', { kind: 'isolation', placeId: await placeId('compound', '华夏小区') }, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const after = await t.handle.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'report.notices').executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('the file can be downloaded by whoever printed it only', async () => {
    const { r } = await printed('committee1', { kind: 'isolation', residentId: s.residents.zhang });
    const mine = await call(t.env, 'reports.download', { path: r.fileName }, await t.login('committee1'));
    expect(documentText(Buffer.from(mine.dataBase64, 'base64'))).toContain('张三：');
    expect(await t.dispatch('reports.download', { path: r.fileName }, await t.login('clerk'))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('入户排查登记表', () => {
  it('every household of the building with masked names, blank columns to fill in, print-ready; audited', async () => {
    const key = await t.login('committee2');
    const { jobId } = await call(t.env, 'notices.doorSheet', { buildingId: await placeId('building', '12号楼', '华夏小区') }, key);
    const job = await finished<DoorSheetResult>(jobId);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const rb = await readBack(job.result!.path);
    expect(rb.rows[0][0]).toBe('广阳区解放道街道华夏里社区华夏小区12号楼入户排查登记表');
    expect(rb.rows[2]).toEqual(['序号', '单元', '房号', '户主/联系人', '联系电话', '登记人数', '在管人数', '走访时间', '在家人数', '体温异常', '需求', '签名']);
    expect(rb.rows[3].slice(0, 7)).toEqual([1, '3单元', '301', '王*', '150****2222', 1, 0]);
    expect(rb.rows[4].slice(0, 7)).toEqual([2, '3单元', '302', '李*', '186****4444', 1, 1]);
    expect(rb.rows[4].slice(7).every((v) => v === null)).toBe(true);
    expect(rb.ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', printTitlesRow: '3:3' });
    expect(rb.parts.get('xl/worksheets/sheet1.xml')).toContain('第 &amp;P 页');
    expect(JSON.stringify(rb.rows)).not.toContain('王五');
    // unmasked only for those allowed: the committee member is refused, the clerk gets full names
    expect(await t.dispatch('notices.doorSheet', { buildingId: await placeId('building', '12号楼', '华夏小区'), unmasked: true }, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const clerkJob = await call(t.env, 'notices.doorSheet', { buildingId: await placeId('building', '12号楼', '华夏小区'), unmasked: true }, await t.login('clerk'));
    const full = await readBack((await finished<DoorSheetResult>(clerkJob.jobId)).result!.path);
    expect(full.rows[3][3]).toBe('王五');
    const entry = await t.handle.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'report.export').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details!)).toMatchObject({ report: 'door-sheet', masked: false, rows: 2 });
  });
});

describe('command line', () => {
  it('export notices --kind --compound --out writes a valid docx; door-sheet an xlsx; bad input exits 1 or 2', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'n.db');
    const f = await makeEnv({ file });
    await buildScenario(f);
    // Kept open while the command line works on it (under test:pg the environment's database is dropped on close).
    const dbFile = cliDbArg(f.handle, file);
    const out = path.join(dir, '告知书.docx');
    const ok = await runCli(['export', 'notices', '--db', dbFile, '--kind', 'isolation', '--compound', '华夏小区', '--out', out, '--json']);
    expect(ok.result.code, ok.result.text).toBe(0);
    expect(ok.result.json).toMatchObject({ ok: true, file: out, households: 1, people: 1 });
    const text = documentText(fs.readFileSync(out));
    expect(text).toContain('李四：');
    expect(text).toContain('华夏里社区华夏小区12号楼3单元302');
    const rel = await runCli(['export', 'notices', '--db', dbFile, '--kind', 'release', '--compound', '华夏小区', '--out', out, '--json']);
    // the command line's today is the real one: 王五's release (2022-01-20) is long past the 7 days, 李四 still isolating
    expect(rel.result.json).toMatchObject({ ok: true, households: 1, people: 1 });
    const door = await runCli(['export', 'door-sheet', '--db', dbFile, '--compound', '华夏小区', '--building', '12', '--out', path.join(dir, 'd.xlsx'), '--json']);
    expect(door.result.json).toMatchObject({ ok: true, rows: 2, masked: true });
    expect((await runCli(['export', 'notices', '--db', dbFile, '--kind', 'bogus', '--compound', '华夏小区', '--out', out])).result.code).toBe(2);
    expect((await runCli(['export', 'notices', '--db', dbFile, '--kind', 'isolation', '--compound', '华夏小区', '--out', path.join(dir, 'x.xlsx')])).result.code).toBe(2);
    const missing = await runCli(['export', 'notices', '--db', dbFile, '--kind', 'isolation', '--compound', '无此小区', '--out', out]);
    expect(missing.result.code).toBe(1);
    expect(missing.result.text).toMatch(/找不到小区“无此小区”/);
    const rows = await f.handle.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'report.notices').orderBy('id').execute();
    await f.close();
    expect(rows.map((r) => [r.userName, JSON.parse(r.details!).kind])).toEqual([
      ['cli', 'isolation'],
      ['cli', 'release'],
    ]);
  });
});

// The import through the API (upload → preview → commit as a job → jobs.status) for each role, and through the CLI
// (exit codes 0/1/2, --json, --errors-out read back, --sheet, --community, --start-date) on real database files.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, PASSWORD, tempDir, type TestEnv } from '../helpers/env.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import { createUser } from '../../electron/domain/users.ts';
import { dumpContent, listFile, wrongCheck, xlsxBuffer, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { previewImport, runImport, type ResidentPreview } from '../../electron/excel/import/run.ts';
import { listBatches, undoBatch } from '../../electron/excel/import/batches.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-api-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ID = (seq: number) => makeIdNumber('131003', '1969-09-09', seq);
const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
/** A current list (its 7 days run to 2022-01-24): no stale-list choice is needed (import-confirm.test.ts has those). */
const MIXED: SheetSpec = {
  rows: [
    H,
    ['西一', ID(1), '13900000001', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-18'],
    ['华一', ID(2), '13900000002', '华夏里社区', '芳菲苑', 2, 1, 201, '2022-01-18'],
    ['西二', ID(3), '13900000003', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-18'],
  ],
};

describe('API: upload, preview, commit as a job', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => env.close());
  /** The API with its channel types (TestEnv.call loses them). */
  const api = <C extends Channel>(channel: C, input: InputOf<C>, key: string): Promise<OutputOf<C>> => call(env.env, channel, input, key);

  async function upload(key: string, spec: SheetSpec, fileName = `名单${++n}.xlsx`) {
    return api('import.upload', { fileName, dataBase64: (await xlsxBuffer(spec)).toString('base64') }, key);
  }
  async function finish(key: string, jobId: string) {
    for (let i = 0; i < 600; i++) {
      const s = await api('jobs.status', { jobId }, key);
      if (s.state !== 'running') return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('job did not finish');
  }
  const names = async () => (await env.handle.db.selectFrom('residents').select('name').orderBy('name').execute()).map((r) => r.name);

  it('a clerk previews (nothing written) and commits; the job reports the summary; the batch is listed', async () => {
    const key = await env.login('clerk');
    const u = await upload(key, MIXED);
    expect(u.fileName).toMatch(/^名单\d+\.xlsx$/);
    const p = (await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key)) as ResidentPreview;
    expect(p.counts).toMatchObject({ dataRows: 3, valid: 3, create: 3, households: 3 });
    expect(await names()).toEqual([]);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents' }, key);
    const done = await finish(key, jobId);
    expect(done.state).toBe('succeeded');
    expect(done.result as ImportSummary).toMatchObject({ status: 'written', imported: 3 });
    expect(await names()).toEqual(['华一', '西一', '西二'].sort());
    const batches = await api('import.batches', {}, key);
    expect(batches.rows[0]).toMatchObject({ fileName: u.fileName, userName: 'clerk' });
    // Another clerk cannot use this clerk's upload.
    await createUser(env.ctx(), { username: 'clerk2', displayName: '街道李科员', role: 'clerk', password: PASSWORD });
    const other = await env.login('clerk2');
    await expect(api('import.preview', { fileId: u.fileId, kind: 'residents' }, other)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  /** Upload, preview (of a clerk's upload), commit and undo are refused to this user, and nothing is written. */
  async function refusedImport(username: string, commit: { mode?: 'valid-only' } = {}): Promise<string> {
    const key = await env.login(username);
    const data = (await xlsxBuffer(MIXED)).toString('base64');
    await expect(api('import.upload', { fileName: 'x.xlsx', dataBase64: data }, key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const clerk = await env.login('clerk');
    const u = await upload(clerk, MIXED);
    await expect(api('import.preview', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(api('import.commit', { fileId: u.fileId, kind: 'residents', ...commit }, key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(api('import.undo', { batchId: 1 }, key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await names()).toEqual([]);
    return key;
  }

  it('a hidden 下拉选项 sheet in front of the list is passed over (resident and test-result lists) and listed as hidden', async () => {
    const key = await env.login('clerk');
    const choices = { name: '下拉选项', rows: [['男'], ['女'], ['阴性'], ['阳性']], hidden: true };
    const u = await upload(key, { ...MIXED, before: [choices], sheetName: '名单' });
    const p = (await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key)) as ResidentPreview;
    expect(p).toMatchObject({ sheetName: '名单', sheetNames: ['下拉选项', '名单'], hiddenSheets: ['下拉选项'], errors: [] });
    expect(p.counts).toMatchObject({ dataRows: 3, valid: 3 });
    const tests = await upload(key, { rows: [['姓名', '身份证号', '采样日期', '检测结果'], ['西一', ID(1), '2022-01-19', '阴性']], before: [choices], sheetName: '检测结果' });
    const tp = await api('import.preview', { fileId: tests.fileId, kind: 'tests' }, key);
    expect(tp).toMatchObject({ sheetName: '检测结果', hiddenSheets: ['下拉选项'], errors: [] });
    // A password-protected list is refused with its own message through upload and preview too.
    const locked = await api('import.upload', { fileName: '加密名单.xlsx', dataBase64: fs.readFileSync(path.join(ROOT, 'test/fixtures/password-protected.xlsx')).toString('base64') }, key);
    await expect(api('import.preview', { fileId: locked.fileId, kind: 'tests' }, key)).rejects.toMatchObject({ message: expect.stringContaining('此文件设有打开密码') });
  });

  it('a committee member is refused the import channels (domain.md: the subdistrict clerk imports lists)', async () => {
    await refusedImport('committee1', { mode: 'valid-only' });
  });

  describe('and should a committee member import (the import itself confines them to their own community)', () => {
    const committee = async () => {
      const u = await env.handle.db.selectFrom('users').select(['id', 'username', 'displayName', 'communityId']).where('username', '=', 'committee1').executeTakeFirstOrThrow();
      return env.ctx({ userId: u.id, username: u.username, displayName: u.displayName, role: 'committee', communityId: u.communityId });
    };
    const req = async (spec: SheetSpec, extra: Record<string, unknown> = {}) => ({ file: await listFile(dir, `c-${++n}.xlsx`, spec), fileName: '名单.xlsx', kind: 'residents' as const, ...extra });

    it('rows of another community are rejected; a list without one goes to theirs; choosing another is refused', async () => {
      const ctx = await committee();
      const p = (await previewImport(ctx, await req(MIXED))) as ResidentPreview;
      expect(p.errors.map((e) => [e.row, e.code, e.column])).toEqual([[3, 'community-out-of-scope', '社区']]);
      expect(p.errors[0].reason).toContain('您只能导入本社区（西大街社区）的人员');
      expect(await runImport(ctx, await req(MIXED))).toMatchObject({ status: 'rejected', imported: 0 });
      expect(await names()).toEqual([]);
      expect(await runImport(ctx, await req(MIXED, { mode: 'valid-only' }))).toMatchObject({ status: 'written', imported: 2 });
      expect(await names()).toEqual(['西一', '西二'].sort());
      const bare: SheetSpec = { rows: [['姓名', '身份证号', '小区', '楼号', '单元', '房号', '隔离开始日期'], ['西三', ID(4), '金桥小区', 1, 1, 103, '2022-01-18']] };
      const bp = (await previewImport(ctx, await req(bare))) as ResidentPreview;
      expect(bp.errors).toEqual([]);
      expect(bp.newPlaces).toEqual([]);
      await expect(previewImport(ctx, await req(bare, { communityId: env.communities.b }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(previewImport(ctx, await req(bare, { community: '华夏里社区' }))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('their test-result lists match only people of their community; they list and undo only their own batches', async () => {
      const clerkBatch = ((await runImport(env.ctx(), await req(MIXED))) as ImportSummary).batchId!;
      const ctx = await committee();
      const t = await runImport(ctx, { ...(await req({ rows: [['姓名', '身份证号', '采样日期', '检测结果'], ['西一', ID(1), '2022-01-19', '阴性'], ['华一', ID(2), '2022-01-19', '阳性']] })), kind: 'tests' });
      expect(t).toMatchObject({ status: 'written', recorded: 1, alerts: 0 });
      expect((t as { unmatched: { row: number; code: string }[] }).unmatched.map((x) => [x.row, x.code])).toEqual([[3, 'out-of-scope']]);
      const mine = await listBatches(ctx);
      expect(mine.rows.map((b) => [b.userName, b.kind])).toEqual([['committee1', 'tests']]);
      expect((await listBatches(env.ctx())).total).toBe(2);
      await expect(undoBatch(ctx, clerkBatch)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await undoBatch(ctx, mine.rows[0].id)).toMatchObject({ tests: 1 });
    });
  });

  it('an official is refused every import channel and nothing is written', async () => {
    const key = await refusedImport('official');
    await expect(api('import.batches', {}, key)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('CLI: import residents', () => {
  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  function content(db: string) {
    const s = new SqliteDatabase(db, { readonly: true });
    try {
      return dumpContent(s);
    } finally {
      s.close();
    }
  }
  async function freshDb() {
    const db = path.join(dir, `cli-${++n}.db`);
    const e = await makeEnv({ file: db });
    await e.close();
    return db;
  }

  it('exit 1 and nothing written for a rejected list; --errors-out writes the rejected rows with their cells and reasons', async () => {
    const db = await freshDb();
    const bad = await listFile(dir, '有错的名单.xlsx', {
      titles: ['西大街社区隔离人员名单'],
      rows: [H, ['好人', ID(10), '13900000010', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], ['错号', wrongCheck(ID(11)), '13900000011', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-12'], ['', ID(12), '13900000012', '西大街社区', '金桥小区', 1, 1, 103, '下周']],
    });
    const before = content(db);
    const out = path.join(dir, '未导入.xlsx');
    const r = cli('import', 'residents', bad, '--db', db, '--json', '--errors-out', out);
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout.trim());
    expect(json).toMatchObject({ ok: false, status: 'rejected', imported: 0, errorsFile: path.resolve(out) });
    expect(json.errors.map((e: { row: number; column: string; value: string; reason: string }) => [e.row, e.column])).toEqual([
      [4, '身份证号'],
      [5, '姓名'],
      [5, '隔离开始日期'],
    ]);
    for (const e of json.errors) expect(Object.keys(e)).toEqual(expect.arrayContaining(['row', 'column', 'value', 'reason']));
    expect(content(db)).toEqual(before);
    // The error report, read back.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0];
    const vals = (r: number) => (ws.getRow(r).values as unknown[]).slice(1);
    expect(vals(1)).toEqual([...H, '原行号', '原因']);
    expect(ws.rowCount).toBe(3);
    expect(vals(2).slice(0, 3)).toEqual(['错号', wrongCheck(ID(11)), '13900000011']);
    expect(vals(2)[9]).toBe(4);
    expect(String(vals(2)[10])).toMatch(/身份证号：.*校验位/);
    expect(vals(3)[1]).toBe(ID(12));
    expect(vals(3)[8]).toBe('下周');
    expect(vals(3)[9]).toBe(5);
    expect(String(vals(3)[10])).toMatch(/姓名：缺少姓名.*隔离开始日期：.*无法识别/);
  }, 120_000);

  it('exit 0 with --mode valid-only, --community, --start-date and --sheet; exit 2 for an unreadable file or a bad option', async () => {
    const db = await freshDb();
    const list = await listFile(dir, '两页.xlsx', {
      before: [{ name: '第一页', rows: [['说明：第二页是名单']] }],
      sheetName: '名单',
      rows: [['姓名', '身份证号', '联系电话', '小区', '楼号', '单元', '房号', '隔离开始日期'], ['甲', ID(20), '13900000020', '金桥小区', 1, 1, 101, null], ['乙', ID(21), '13900000021', '金桥小区', 1, 1, 102, '2022-01-10'], ['丙', wrongCheck(ID(22)), '13900000022', '金桥小区', 1, 1, 103, null]],
    });
    const r = cli('import', 'residents', list, '--db', db, '--json', '--sheet', '名单', '--mode', 'valid-only', '--community', '华夏里社区', '--start-date', '2022-01-15', '--stale', 'active');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.trim());
    expect(json).toMatchObject({ ok: true, status: 'written', imported: 2, updated: 0, skipped: 0, households: 2 });
    expect(json.errors).toMatchObject([{ row: 4, column: '身份证号' }]);
    const s = new SqliteDatabase(db, { readonly: true });
    try {
      const rows = s.prepare("SELECT r.name, e.start_date AS start, c.name AS community FROM residents r JOIN episodes e ON e.id = r.current_episode_id JOIN places c ON c.id = r.community_id ORDER BY r.name").all();
      expect(rows).toEqual([
        { name: '乙', start: '2022-01-10', community: '华夏里社区' },
        { name: '甲', start: '2022-01-15', community: '华夏里社区' },
      ]);
    } finally {
      s.close();
    }
    const before = content(db);
    const junk = path.join(dir, '损坏.xlsx');
    fs.writeFileSync(junk, Buffer.from('PK\u0003\u0004 not really a zip'));
    const u = cli('import', 'residents', junk, '--db', db, '--json');
    expect(u.code).toBe(2);
    expect(JSON.parse(u.stdout.trim()).error.message).toMatch(/不是有效的 \.xlsx/);
    const xls = cli('import', 'residents', path.join(dir, '名单.xls'), '--db', db);
    expect(xls.code).toBe(2);
    expect(cli('import', 'residents', list, '--db', db, '--mode', 'some').code).toBe(2);
    expect(content(db)).toEqual(before);
  }, 120_000);
});

describe('the error report', () => {
  it('keeps the original cells (text IDs, dates, rare characters beyond the BMP) and a reason per row, across many rows', async () => {
    const { buildErrorReport } = await import('../../electron/excel/import/error-report.ts');
    const rows: (string | number | Date | null)[][] = [['姓名', '身份证号', '隔离开始日期']];
    const issues = [];
    for (let i = 0; i < 3000; i++) {
      rows.push([`𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇${i}`, wrongCheck(ID(i % 999)), new Date(Date.UTC(2022, 0, 12))]);
      issues.push({ row: i + 2, column: '身份证号', cell: `B${i + 2}`, value: '', reason: '身份证号校验位不正确，请核对号码', code: 'id-checksum' });
    }
    const data = await buildErrorReport({ sheetName: 'S', sheetNames: ['S'], rows, date1904: false, format: 'xlsx' }, 1, issues);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as never);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(3001);
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['姓名', '身份证号', '隔离开始日期', '原行号', '原因']);
    let bad = 0;
    for (let i = 0; i < 3000; i++) {
      const v = (ws.getRow(i + 2).values as unknown[]).slice(1);
      const want = [rows[i + 1][0], rows[i + 1][1], rows[i + 1][2], i + 2, '身份证号：身份证号校验位不正确，请核对号码'];
      if (JSON.stringify(v) !== JSON.stringify(want) && bad++ < 3) expect(v).toEqual(want);
    }
    expect(bad).toBe(0);
    expect(ws.getCell('B2').fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });
});

// Exports follow the retention period: the app's own export files (reports, audit export, purge export, a crashed
// report's .part) older than 数据保留天数 are listed by purge.preview and deleted by purge.run (audited with their
// names); anything else in the folder — a user's own file, a fresh export, a link, a folder — is left alone.
// Real database file, real exports written through the API, real files.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { api } from '../helpers/trust.ts';
import { PRINT_LAYOUTS, REPORTS } from '../../electron/excel/export/index.ts';
import { DOOR_SHEET_TITLE } from '../../electron/excel/export/door-sheet.ts';
import { DOOR_SHEET_FILE_TITLE, findOldExports, isAppExportName, REPORT_TITLES } from '../../electron/domain/purgeExports.ts';

const DAY = 24 * 60 * 60_000;

describe('export retention in the purge', () => {
  let t: TestEnv;
  let dir: string;
  let exportsDir: string;
  beforeEach(async () => {
    dir = tempDir('idesk-purge-exports-');
    t = await makeEnv({ file: path.join(dir, 'desk.db') });
    // Browser mode and these tests: "exports" beside the database (the desktop app: 文档/居家隔离管理台导出).
    exportsDir = path.join(dir, 'exports');
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Sets a file's modification time `days` days before the test clock's now. */
  const age = (file: string, days: number) => {
    const at = new Date(t.clock.now().getTime() - days * DAY);
    fs.utimesSync(file, at, at);
  };
  const write = (name: string, days: number, content = '张三 110101199001011237') => {
    const file = path.join(exportsDir, name);
    fs.writeFileSync(file, content);
    age(file, days);
    return file;
  };
  async function exportReport(key: string, report: 'roster' | 'daily-report', unmasked = false): Promise<string> {
    const { jobId } = await api(t, 'reports.export', { report, date: '2022-01-20', unmasked }, key);
    for (let i = 0; i < 1000; i++) {
      const s = await api(t, 'jobs.status', { jobId }, key);
      if (s.state === 'succeeded') return (s.result as { path: string }).path;
      if (s.state !== 'running') throw new Error(`export ${s.state}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('export did not finish');
  }

  it('lists the old exports in the preview and the run deletes them, audited — and nothing else', async () => {
    const clerk = await t.login('clerk');
    const admin = await t.login('admin');
    // Exports the app really wrote (masked and unmasked), made old.
    const roster = await exportReport(clerk, 'roster', true);
    const daily = await exportReport(clerk, 'daily-report');
    const daily2 = await exportReport(clerk, 'daily-report'); // 每日工作日报_…(2).xlsx
    const auditFile = (await api(t, 'audit.export', {}, admin)).file;
    expect(path.dirname(roster)).toBe(exportsDir);
    expect(path.basename(daily2)).toMatch(/\(2\)\.xlsx$/);
    for (const f of [roster, daily, daily2, auditFile]) age(f, 31);
    const purgeExport = write('到期人员清理前导出-20211201-090000.xlsx', 45);
    const part = write('.0123456789ab.xlsx.part', 40);
    const oldNames = [roster, daily, daily2, auditFile, purgeExport, part].map((f) => path.basename(f));

    // Left alone: a fresh export, the user's own files (old or not), a folder and a link named like exports.
    const fresh = write('物资需求清单_解放道街道_2022-01-19.xlsx', 29);
    const own = [write('我的工作笔记.xlsx', 90), write('隔离人员台账.xlsx', 90), write('隔离人员台账_解放道街道_2022-01-01.xlsx.bak', 90), write('说明.txt', 90)];
    const folder = path.join(exportsDir, '每日工作日报_解放道街道_2021-01-01.xlsx');
    fs.mkdirSync(folder);
    age(folder, 90);
    const outside = path.join(dir, 'elsewhere.xlsx');
    fs.writeFileSync(outside, 'not in the export folder');
    const link = path.join(exportsDir, '操作日志-20211111-111111.xlsx');
    fs.symlinkSync(outside, link);
    const kept = [fresh, ...own, folder, link, outside];

    const preview = await api(t, 'purge.preview', {}, admin);
    expect(preview.counts.residents).toBe(0);
    expect(preview.oldExports.folder).toBe(exportsDir);
    expect(preview.oldExports.count).toBe(6);
    expect([...preview.oldExports.names].sort()).toEqual([...oldNames].sort());
    // Oldest first.
    expect(preview.oldExports.names[0]).toBe('到期人员清理前导出-20211201-090000.xlsx');
    for (const f of [...oldNames.map((n) => path.join(exportsDir, n)), ...kept]) expect(fs.existsSync(f), f).toBe(true);

    const r = await api(t, 'purge.run', { confirm: true }, admin);
    expect([...r.exports.deleted].sort()).toEqual([...oldNames].sort());
    expect(r.exports.failed).toEqual([]);
    for (const n of oldNames) expect(fs.existsSync(path.join(exportsDir, n)), n).toBe(false);
    for (const f of kept) expect(fs.existsSync(f), f).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe('not in the export folder');

    // Audited with the names.
    const rows = t.handle.sqlite.prepare("SELECT user_name, details FROM audit_log WHERE action = 'purge.delete_exports'").all() as { user_name: string; details: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].user_name).toBe('admin');
    const details = JSON.parse(rows[0].details) as { deleted: string[]; failed: unknown[]; retentionDays: number };
    expect([...details.deleted].sort()).toEqual([...oldNames].sort());
    expect(details).toMatchObject({ failed: [], retentionDays: 30 });

    // Nothing old is left: the next preview lists none, and a run deletes nothing (and audits nothing).
    expect((await api(t, 'purge.preview', {}, admin)).oldExports).toEqual({ folder: exportsDir, count: 0, names: [] });
    expect((await api(t, 'purge.run', { confirm: true }, admin)).exports).toEqual({ deleted: [], failed: [] });
    expect(t.handle.sqlite.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'purge.delete_exports'").pluck().get()).toBe(1);
  });

  it('follows the retention setting: a longer period keeps what a shorter one lists', async () => {
    const admin = await t.login('admin');
    fs.mkdirSync(exportsDir, { recursive: true });
    write('隔离人员台账_解放道街道_2021-12-10.xlsx', 40);
    expect((await api(t, 'purge.preview', {}, admin)).oldExports.count).toBe(1);
    await api(t, 'settings.update', { retentionDays: 60 }, admin);
    expect((await api(t, 'purge.preview', {}, admin)).oldExports.count).toBe(0);
    expect((await api(t, 'purge.run', { confirm: true }, admin)).exports.deleted).toEqual([]);
    expect(fs.existsSync(path.join(exportsDir, '隔离人员台账_解放道街道_2021-12-10.xlsx'))).toBe(true);
  });

  it('a missing export folder lists nothing', async () => {
    const admin = await t.login('admin');
    expect((await api(t, 'purge.preview', {}, admin)).oldExports).toEqual({ folder: exportsDir, count: 0, names: [] });
    expect(findOldExports(null, new Date(), 30)).toEqual({ folder: null, count: 0, names: [] });
  });
});

describe('the app’s export names', () => {
  it('cover the title of every report', () => {
    expect([...Object.values(REPORTS), ...Object.values(PRINT_LAYOUTS)].map((r) => r!.title).sort()).toEqual([...REPORT_TITLES].sort());
  });
  it('name the door sheet as it is written', () => {
    expect(DOOR_SHEET_FILE_TITLE).toBe(DOOR_SHEET_TITLE);
  });
  it('are recognised; near misses are not', () => {
    for (const n of ['健康监测记录_解放道街道西大街社区_2022-01-10至2022-01-20.xlsx', '隔离人员台账（打印版）_解放道街道_2022-01-20.xlsx', '下沉干部工作量统计_解放道街道_2022-01-14至2022-01-20.xlsx', '入户排查登记表_金桥小区3号楼_2022-01-20.xlsx', '居家隔离告知书_金桥小区3号楼1单元101_2022-01-20.docx', '解除居家隔离通知书_金桥小区_2022-01-20(2).docx', '.0123456789ab.docx.part', '下沉干部名册_解放道街道_2022-01-20(12).xlsx', '操作日志-20220120-090000.xlsx']) expect(isAppExportName(n), n).toBe(true);
    for (const n of ['健康监测记录.xlsx', '操作日志-2022.xlsx', '到期人员清理前导出-20220120-090000.xlsx.tmp', '副本 隔离人员台账_解放道街道_2022-01-20.xlsx', '.abc.xlsx.part', '名单.xlsx', '居家隔离告知书.docx', '告知书_金桥小区_2022-01-20.docx', '入户排查登记表_金桥小区_2022-01-20.docx']) expect(isAppExportName(n), n).toBe(false);
  });
});

// The 核酸检测轮次报告 as a person prints it (like print-reports.test.ts): a seeded demo subdistrict, a whole-subdistrict
// round with a result list imported through the command line, the report exported by `export round-report`, converted
// to PDF by LibreOffice headless and read back with poppler: A4 landscape, both sheets (按小区, 按楼栋) with the title,
// the header, page numbers and the 合计, and no text printed over other text.
// Needs `apt-get install -y libreoffice-calc-nogui poppler-utils` (CI installs them; see .ci/run). KEEP_PRINT=1 keeps the
// temporary folder (the .xlsx and its PDF) to look at the pages.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { runCli } from '../../electron/cli/run.ts';
import { tempDir } from '../helpers/env.ts';
import { overlaps, printToolsReady, wordsOf, type Word } from '../helpers/print.ts';
import { csvText, listFile } from '../helpers/lists.ts';

const READY = printToolsReady('print-round-report');

const DATE = '2022-01-20';
const dir = tempDir('idesk-print-round-');
const db = path.join(dir, 'demo.db');
afterAll(() => (process.env.KEEP_PRINT ? undefined : fs.rmSync(dir, { recursive: true, force: true })));




let title = '';
let pages = 0;
let size = '';
let text: string[] = [];
let words: Word[][] = [];
let json: { compounds: number; buildings: number; due: number; tested: number };

describe.skipIf(!READY)('核酸检测轮次报告 as printed by LibreOffice', () => {
  beforeAll(async () => {
    const seeded = await runCli(['seed-demo', '--db', db, '--residents', '6000', '--today', DATE, '--seed', '11', '--json']);
    expect(seeded.result.code).toBe(0);
    const created = await runCli(['rounds', 'create', '--db', db, '--date', '2022-01-19', '--end-date', DATE, '--json']);
    expect(created.result.code).toBe(0);
    const roundId = (created.result.json as { id: number }).id;
    // Results for the first 2500 residents with a document number (10 to a tube): some tested, the rest not.
    const sqlite = new SqliteDatabase(db, { readonly: true });
    const people = sqlite.prepare("SELECT name, doc_number FROM residents WHERE doc_number IS NOT NULL AND status != 'transferred' ORDER BY id LIMIT 2500").all() as { name: string; doc_number: string }[];
    sqlite.close();
    const list = await listFile(dir, 'results.csv', csvText([['姓名', '证件号码', '采样时间', '试管号', '结果'], ...people.map((p, i) => [p.name, p.doc_number, '2022-01-19 08:00', `T${Math.floor(i / 10)}`, '阴性'])]));
    const imported = await runCli(['import', 'tests', list, '--db', db, '--round', String(roundId), '--json']);
    expect(imported.result.code, JSON.stringify(imported.result.json)).toBe(0);
    const out = path.join(dir, 'round-report.xlsx');
    const done = await runCli(['export', 'round-report', '--db', db, '--round', String(roundId), '--out', out, '--json']);
    expect(done.result.code, JSON.stringify(done.result.json)).toBe(0);
    json = done.result.json as typeof json;
    title = (done.result.json as { title: string }).title;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.length).toBe(2);
    const profile = path.join(dir, 'lo-profile');
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', '--outdir', dir, out], { stdio: 'ignore', timeout: 180_000 });
    const pdf = path.join(dir, 'round-report.pdf');
    expect(fs.existsSync(pdf)).toBe(true);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    size = /^Page size:\s+(.*)$/m.exec(info)?.[1] ?? '';
    text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).split('\f');
    words = wordsOf(pdf);
  }, 300_000);

  it('A4 landscape; each sheet starts with the title, the header and page numbers; a sane page count', () => {
    expect(title).toMatch(/^.+街道核酸检测轮次报告（2022年1月19日至1月20日，全街道）$/);
    expect(json.tested).toBe(2500);
    // 30 buildings: 按楼栋 runs over two pages, whose header repeats.
    expect(json.buildings).toBeGreaterThanOrEqual(25);
    expect(size).toMatch(/^841\.\d+ x 595\.\d+ pts \(A4\)/);
    // Two sheets, each at least a page; at least 10 rows a page.
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(pages).toBeLessThanOrEqual(Math.ceil((json.compounds + json.buildings) / 10) + 4);
    const flat = text.map((t) => t.replace(/ +/g, ''));
    const starts = flat.map((t, i) => ({ t, i })).filter(({ t }) => t.includes(title));
    // The title is on the first page of each sheet only (按小区 first, then 按楼栋 with its 楼栋 column).
    expect(starts.map((x) => x.i)[0]).toBe(0);
    expect(starts.length).toBe(2);
    expect(flat[starts[1].i]).toContain('楼栋');
    expect(flat[starts[1].i]).toContain('1号楼');
    for (let i = 0; i < pages; i++) {
      expect(flat[i]).toContain(`第${i + 1}页，共${pages}页`);
      // The header row repeats on every page, also on the 按楼栋 pages after the first.
      expect(flat[i]).toContain('应检免检已检未检阳性混管待复核覆盖率');
    }
    // Each sheet ends with the overall 合计 (its 应检 and 免检 0, 已检) and the note.
    const all = flat.join('\n');
    expect(all.match(new RegExp(`(^|\\n)合计${json.due}0${json.tested}`, 'g'))?.length).toBe(2);
    expect(all.match(/说明：应检=范围内登记居住的居民/g)?.length).toBe(2);
  });

  it('no text printed over other text', () => {
    words.forEach((page, i) => expect(overlaps(page), `page ${i + 1}`).toEqual([]));
  });
});

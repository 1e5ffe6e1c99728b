// Upstream resident lists for import tests and the bench: valid people with Chinese names and addresses, written
// as .xlsx with exceljs (the same library upstream offices' files are read with) or as CSV.
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { CellValue } from '../../electron/excel/cell.ts';

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅建国志红文辉海燕鹏飞晓东瑞雪嘉怡子轩浩然';
const COMPOUNDS = ['金桥小区', '侍郎房', '常春里', '芳菲苑', '新华小区', '华苑小区', '惜缘花城', '呈祥紫园', '益寿里小区', '中房馨园'];

export interface ListPerson {
  name: string;
  id: string;
  phone: string;
  community: string;
  compound: string;
  building: number;
  unit: number;
  room: number;
  start: string;
}

/** n distinct valid people; `communities` are cycled. Deterministic for a given n. */
export function people(n: number, communities = ['西大街社区', '华夏里社区'], start = '2022-01-12'): ListPerson[] {
  const out: ListPerson[] = [];
  for (let i = 0; i < n; i++) {
    const year = 1940 + (i % 70);
    const birth = `${year}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    out.push({
      name: SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length] + (i % 3 ? GIVEN[(i * 13) % GIVEN.length] : ''),
      // area code varies so 50,000 people never collide on birth date + sequence
      id: makeIdNumber(String(131000 + Math.floor(i / 999) % 999).padStart(6, '0'), birth, i % 999),
      phone: `13${String(900000000 + i).slice(-9)}`,
      community: communities[i % communities.length],
      compound: COMPOUNDS[Math.floor(i / 7) % COMPOUNDS.length],
      building: 1 + (Math.floor(i / 70) % 30),
      unit: 1 + (i % 4),
      room: 101 + (Math.floor(i / 4) % 2000),
      start,
    });
  }
  return out;
}

export const STANDARD_HEADER = ['序号', '姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];

export function standardRows(list: ListPerson[]): CellValue[][] {
  return list.map((p, i) => [i + 1, p.name, p.id, p.phone, p.community, p.compound, p.building, p.unit, p.room, p.start]);
}

export interface SheetSpec {
  rows: CellValue[][];
  /** Title rows above the header; each merged across the header's width. */
  titles?: string[];
  sheetName?: string;
  /** Further sheets before this one (e.g. an empty one). */
  before?: { name: string; rows: CellValue[][]; hidden?: boolean }[];
  /** Cells to format as text ('@'), by 1-based column. */
  textColumns?: number[];
}

export async function xlsxBuffer(spec: SheetSpec): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const b of spec.before ?? []) {
    const ws = wb.addWorksheet(b.name, b.hidden ? { state: 'hidden' } : undefined);
    for (const r of b.rows) ws.addRow(r);
  }
  const ws = wb.addWorksheet(spec.sheetName ?? 'Sheet1');
  const width = Math.max(1, ...spec.rows.map((r) => r.length));
  for (const t of spec.titles ?? []) {
    const row = ws.addRow([t]);
    ws.mergeCells(row.number, 1, row.number, width);
  }
  for (const r of spec.rows) ws.addRow(r);
  for (const c of spec.textColumns ?? []) ws.getColumn(c).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function csvText(rows: CellValue[][]): string {
  const cell = (v: CellValue) => {
    const s = v instanceof Date ? v.toISOString().slice(0, 10) : v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function writeFile(dir: string, name: string, data: Buffer | string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

// ---------------------------------------------------------------------------------------------------------------
// Running the real import on a list written to a real file.

/** Writes an .xlsx (from a spec), or raw bytes / text, to `dir/name` and returns its path. */
export async function listFile(dir: string, name: string, content: SheetSpec | Buffer | string): Promise<string> {
  const data = typeof content === 'string' || Buffer.isBuffer(content) ? content : await xlsxBuffer(content);
  return writeFile(dir, name, data);
}

/**
 * Every choice a list may need, made (excel/import/confirm.ts): new communities created, people whose period is over
 * imported as running, a foreign title accepted. The lists of the other import tests start on 2022-01-12 under a
 * 2022-01-20 clock and name communities the test database lacks, as they did before these choices existed.
 */
export const CONFIRM_ALL = { createCommunities: 'all', stale: 'import-active', otherSubdistrict: true } as const;

/**
 * An import request for a file on disk (the user's file name is the file's own), with CONFIRM_ALL unless `extra`
 * gives its own `confirm` (undefined: no choice made — the tests of the confirmations themselves).
 */
export function listRequest(file: string, extra: Record<string, unknown> = {}) {
  return { file, fileName: path.basename(file), kind: 'residents' as const, confirm: CONFIRM_ALL, ...extra };
}

/** A valid ID number whose check character is X (for the lowercase-x case). */
export function idEndingInX(area = '131003', birth = '1985-06-15'): string {
  for (let seq = 0; seq < 1000; seq++) {
    const id = makeIdNumber(area, birth, seq);
    if (id.endsWith('X')) return id;
  }
  throw new Error('no X check character found');
}

/** The same number with its check character changed (a typo upstream). */
export function wrongCheck(id: string): string {
  const c = id[17] === '0' ? '1' : '0';
  return id.slice(0, 17) + c;
}

/** Every table's rows (sqlite_sequence included), in rowid order: the database's content, compared before/after. */
export function dumpContent(sqlite: { prepare(sql: string): { all(): unknown[] } }): Record<string, unknown[]> {
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const hasRowid = !/WITHOUT ROWID/i.test(String((sqlite.prepare(`SELECT sql FROM sqlite_master WHERE name = '${t.name.replace(/'/g, "''")}'`).all()[0] as { sql: string | null }).sql ?? ''));
    out[t.name] = sqlite.prepare(`SELECT * FROM "${t.name.replace(/"/g, '""')}"${hasRowid ? ' ORDER BY rowid' : ''}`).all();
  }
  return out;
}

/**
 * One sheet written with exceljs's STREAMING writer. `xlsxBuffer` (wb.xlsx.writeBuffer) hands its XML to JSZip as a
 * string that JSZip encodes in 16K slices, so a character outside the BMP (𠀀, rare name characters) that straddles a
 * slice boundary is written as two U+FFFD: big lists with such characters must be written this way.
 */
export async function xlsxStreamBuffer(spec: { rows: CellValue[][]; titles?: string[]; sheetName?: string }): Promise<Buffer> {
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet(spec.sheetName ?? 'Sheet1');
  const width = Math.max(1, ...spec.rows.map((r) => r.length));
  let n = 0;
  for (const t of spec.titles ?? []) {
    ws.addRow([t]);
    n++;
    ws.mergeCells(n, 1, n, width);
  }
  for (const r of spec.rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

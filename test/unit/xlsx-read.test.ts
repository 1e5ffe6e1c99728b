// The import's own .xlsx reader (electron/excel/xlsx-read.ts) against exceljs, which the import was built on:
// for workbooks written by exceljs with every kind of cell, and for the sample upstream list, both must give the
// same values. Hand-made parts cover what exceljs never writes (prefixed tags, cells without references, inline
// strings with phonetic guides, WPS's Chinese built-in date formats) and broken XML.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { readTable, FileUnreadable, type Table } from '../../electron/excel/read.ts';
import type { CellValue } from '../../electron/excel/cell.ts';
import { isDateFormat } from '../../electron/excel/xlsx-read.ts';
import { makeZip } from '../helpers/zip.ts';
import { people, standardRows, STANDARD_HEADER, xlsxBuffer } from '../helpers/lists.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const read = (data: Buffer, sheet?: string) => readTable(data, { fileName: 'list.xlsx', maxBytes: 100 * 1024 * 1024, sheet });

/** exceljs cell values reduced to plain ones, as the import read them before it had its own reader. */
function plain(v: unknown): CellValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((t) => t.text ?? '').join('');
  if ('formula' in o || 'sharedFormula' in o) return plain(o.result);
  if ('text' in o) return plain(o.text);
  if ('error' in o) return String(o.error);
  return null;
}

/** Trailing empty cells and rows dropped, so the two readers' row lengths do not matter. */
function trim(rows: CellValue[][]): CellValue[][] {
  const out = rows.map((r) => {
    const c = [...r];
    while (c.length && c[c.length - 1] === null) c.pop();
    return c;
  });
  while (out.length && out[out.length - 1].length === 0) out.pop();
  return out;
}

async function viaExceljs(data: Buffer): Promise<{ names: string[]; sheets: CellValue[][][]; date1904: boolean }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const sheets = wb.worksheets.map((ws) => {
    const values = ws.getSheetValues() as unknown[];
    const rows: CellValue[][] = [];
    for (let r = 1; r < values.length; r++) {
      const src = values[r];
      const out: CellValue[] = [];
      if (Array.isArray(src)) for (let c = 1; c < src.length; c++) out.push(plain(src[c]));
      rows.push(out);
    }
    return trim(rows);
  });
  return { names: wb.worksheets.map((w) => w.name), sheets, date1904: !!wb.properties?.date1904 };
}

async function sameAsExceljs(data: Buffer): Promise<Table> {
  const ref = await viaExceljs(data);
  let first: Table | null = null;
  for (let i = 0; i < ref.names.length; i++) {
    if (!ref.sheets[i].some((r) => r.some((c) => c !== null && c !== ''))) continue;
    const t = await read(data, ref.names[i]);
    first ??= t;
    expect(t.sheetNames).toEqual(ref.names);
    expect(t.date1904).toBe(ref.date1904);
    expect(trim(t.rows), `sheet ${ref.names[i]}`).toEqual(ref.sheets[i]);
  }
  expect(first).not.toBeNull();
  return first!;
}

describe('gives the values exceljs gives', () => {
  it('the sample upstream list (title row merged across the columns, two-row header)', async () => {
    const t = await sameAsExceljs(fs.readFileSync(path.join(FIXTURES, 'sample-upstream-list.xlsx')));
    expect(t.rows.length).toBeGreaterThan(5);
  });

  it('a generated list of 2,000 people with a merged title', async () => {
    const data = await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(people(2000))], titles: ['广阳区解放道街道居家隔离人员名单'] });
    const t = await sameAsExceljs(data);
    expect(t.rows[0][0]).toBe('广阳区解放道街道居家隔离人员名单');
    expect(t.rows.length).toBe(2002);
  });

  it('every kind of cell exceljs writes', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('空白页');
    const hidden = wb.addWorksheet('隐藏', { state: 'hidden' });
    hidden.addRow(['隐藏页的内容']);
    const ws = wb.addWorksheet('名单');
    ws.addRow(['文本 & <符号> "引号" \'单引号\'', '  前后空格  ', '', '多行\n文本', '𠀀扩展汉字']);
    ws.addRow([131003199001129460, 0.1 + 0.2, -5, 1e21, 37.25]);
    const dates = ws.addRow([new Date(Date.UTC(2022, 0, 12)), new Date(Date.UTC(2022, 0, 12, 15, 30)), new Date(Date.UTC(1999, 11, 31)), 44573, 44573.5]);
    dates.getCell(1).numFmt = 'yyyy-mm-dd';
    dates.getCell(2).numFmt = 'yyyy"年"m"月"d"日" hh:mm';
    dates.getCell(3).numFmt = 'mm-dd-yy';
    dates.getCell(4).numFmt = '[$-804]yyyy/m/d;@';
    dates.getCell(5).numFmt = '0.00" 天"';
    ws.addRow([true, false, { error: '#N/A' }, { error: '#DIV/0!' }, null]);
    ws.addRow([
      { formula: 'B2*2', result: 0.6 },
      { formula: 'A1&"x"', result: '文本x' },
      { formula: 'TODAY()', result: new Date(Date.UTC(2022, 0, 20)) },
      { formula: 'A1', result: undefined },
      { richText: [{ text: '张', font: { bold: true } }, { text: '三' }] },
    ]);
    ws.getCell('C5').numFmt = 'yyyy-mm-dd';
    ws.addRow([{ text: '链接文字', hyperlink: 'https://example.com' }, { formula: 'ROW()', result: 6 }, { sharedFormula: 'B6', result: 6 }]);
    ws.getCell('A8').value = '跳过一行';
    ws.getCell('F8').value = '隔开的单元格';
    ws.getCell('A10').value = '合并（横）';
    ws.mergeCells('A10:C10');
    ws.getCell('A11').value = '合并（竖）';
    ws.mergeCells('A11:A13');
    ws.getCell('B12').value = 12;
    ws.addRow([]);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const t = await sameAsExceljs(data);
    expect(t.sheetNames).toEqual(['空白页', '隐藏', '名单']);
    // The first visible sheet with content is taken when none is named (exceljs-era reading took the hidden one).
    expect((await read(data)).sheetName).toBe('名单');
    expect((await read(data)).hiddenSheets).toEqual(['隐藏']);
    const list = await read(data, '名单');
    expect(list.rows[2][0]).toEqual(new Date(Date.UTC(2022, 0, 12)));
    expect(list.rows[2][3]).toEqual(new Date(Date.UTC(2022, 0, 12)));
    expect(list.rows[2][4]).toBe(44573.5);
    expect(list.rows[9]).toEqual(['合并（横）', '合并（横）', '合并（横）']);
    expect(list.rows[12][0]).toBe('合并（竖）');
  });

  it('a workbook on the 1904 date system', async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    const ws = wb.addWorksheet('名单');
    ws.addRow(['开始日期', new Date(Date.UTC(2022, 0, 12))]).getCell(2).numFmt = 'yyyy-mm-dd';
    const t = await sameAsExceljs(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(t.date1904).toBe(true);
    expect(t.rows[0][1]).toEqual(new Date(Date.UTC(2022, 0, 12)));
  });
});

// A workbook from hand-written parts, as other programs (WPS, .NET generators) write them.
function book(sheetXml: string, extra: { strings?: string; styles?: string; workbookPr?: string; absolute?: boolean } = {}): Buffer {
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  const rel = (id: string, type: string, target: string) => `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
  const base = extra.absolute ? '/xl/' : '';
  return makeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
    { name: 'xl/workbook.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><workbook ${ns}>${extra.workbookPr ?? ''}<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', 'worksheet', `${base}worksheets/s1.xml`)}${rel('rId2', 'sharedStrings', `${base}strings.xml`)}${rel('rId3', 'styles', `${base}styles.xml`)}</Relationships>`,
      ),
    },
    { name: 'xl/worksheets/s1.xml', data: Buffer.from(sheetXml) },
    { name: 'xl/strings.xml', data: Buffer.from(`<?xml version="1.0"?><sst ${ns}>${extra.strings ?? ''}</sst>`) },
    { name: 'xl/styles.xml', data: Buffer.from(`<?xml version="1.0"?><styleSheet ${ns}>${extra.styles ?? ''}</styleSheet>`) },
  ]);
}

describe('reads what other programs write', () => {
  it('prefixed tags, cells and rows without references, inline strings, phonetic guides, CDATA, a BOM', async () => {
    const sheet =
      '\ufeff<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>' +
      '<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:r><x:t>李</x:t></x:r><x:r><x:t xml:space="preserve">四 </x:t></x:r><x:rPh sb="0" eb="1"><x:t>リ</x:t></x:rPh></x:is></x:c><x:c><x:v>42</x:v></x:c></x:row>' +
      '<x:row r="3"><x:c r="B3" t="str"><x:f>A1</x:f><x:v><![CDATA[公式&结果]]></x:v></x:c><x:c r="D3" t="d"><x:v>2022-01-12</x:v></x:c></x:row>' +
      '</x:sheetData></x:worksheet>';
    const t = await read(book(sheet, { strings: '<si><t>王</t><rPh sb="0" eb="1"><t>ワン</t></rPh></si>', absolute: true }));
    expect(t.rows).toEqual([['王', '李四 ', 42], [], [null, '公式&结果', null, new Date(Date.UTC(2022, 0, 12))]]);
  });

  it("WPS's Chinese built-in date formats and custom date formats become dates; other numbers stay numbers", async () => {
    const styles =
      '<numFmts count="2"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="0.0_ &quot;℃&quot;"/></numFmts>' +
      '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="176"/><xf numFmtId="177"/></cellXfs>';
    const sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" s="1"><v>44573</v></c><c r="B1" s="2"><v>44574</v></c><c r="C1" s="3"><v>37.5</v></c><c r="D1"><v>44573</v></c></row></sheetData></worksheet>';
    const t = await read(book(sheet, { styles }));
    expect(t.rows[0]).toEqual([new Date(Date.UTC(2022, 0, 12)), new Date(Date.UTC(2022, 0, 13)), 37.5, 44573]);
    expect(isDateFormat('yyyy/m/d;@')).toBe(true);
    expect(isDateFormat('[h]:mm')).toBe(true);
    expect(isDateFormat('0.00_);[Red](0.00)')).toBe(false);
    expect(isDateFormat('#,##0 "元"')).toBe(false);
    expect(isDateFormat('General')).toBe(false);
  });

  it('rows formatted but empty down to the last row of the sheet are not kept', async () => {
    const empty = Array.from({ length: 5000 }, (_, i) => `<row r="${i * 200 + 3}" s="1" customFormat="1"/>`).join('');
    const sheet = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>${empty}<row r="1048576" s="1"><c r="A1048576" s="1"/></row></sheetData></worksheet>`;
    const t = await read(book(sheet));
    expect(t.rows).toEqual([['姓名']]);
  });

  it('a sheet whose XML is broken is refused as unreadable, with the Chinese message', async () => {
    const e = await read(book('<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>')).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(FileUnreadable);
    expect((e as FileUnreadable).details).toEqual({ fileError: 'unreadable' });
    expect((e as FileUnreadable).message).toContain('文件内容已损坏');
  });
});

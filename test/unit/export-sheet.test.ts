// The shared report sheet: layout (title, grouped header, frozen panes, print set-up, totals), widths for Chinese
// text, and the safe cell writer — read back through exceljs and as raw XML.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { columnWidth, displayWidth, looksLikeFormula, ReportSheet, safeCellValue } from '../../electron/excel/export/sheet.ts';
import { tempDir } from '../helpers/env.ts';
import { readBack } from './export-fixture.ts';

describe('displayWidth and columnWidth', () => {
  it('counts a CJK or full-width character as two and ASCII as one', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('张三')).toBe(4);
    expect(displayWidth('金桥小区3号楼2单元501')).toBe(8 * 2 + 5);
    expect(displayWidth('ＡＢ，')).toBe(6);
    expect(displayWidth('体温(℃)')).toBe(8);
    expect(displayWidth('𠀀')).toBe(2); // outside the BMP, one character
  });

  it('makes a column as wide as its widest text plus padding, within its bounds, never the omitted default 9', () => {
    expect(columnWidth({ key: 'a', header: '姓名' }, 20)).toBe(22);
    expect(columnWidth({ key: 'a', header: '姓名' }, 200)).toBe(40);
    expect(columnWidth({ key: 'a', header: '姓名', maxWidth: 30 }, 200)).toBe(30);
    expect(columnWidth({ key: 'a', header: '在管隔离人数' }, 1)).toBe(14);
    expect(columnWidth({ key: 'a', header: 'abcdefg' }, 0)).toBe(10);
  });
});

describe('safeCellValue', () => {
  it('keeps formula-looking text as plain text and never returns an object', () => {
    for (const s of ['=HYPERLINK("http://x","y")', '+1', '-2', '@SUM(A1)', '\t=1', '\r\n=1']) {
      expect(looksLikeFormula(s)).toBe(true);
      expect(safeCellValue(s)).toBe(s);
    }
    expect(safeCellValue({ formula: 'SUM(A1)' })).toBe('{"formula":"SUM(A1)"}');
  });

  it('writes ID numbers and phones as text even when they are numbers', () => {
    expect(safeCellValue(13812345678, 'phone')).toBe('13812345678');
    expect(safeCellValue('131002199003071239', 'id')).toBe('131002199003071239');
    expect(safeCellValue(36.5, 'number')).toBe(36.5);
    expect(safeCellValue(12, 'text')).toBe('12');
    expect(safeCellValue(Number.NaN, 'int')).toBeNull();
  });

  it('drops characters XML cannot carry and caps a cell at Excel’s limit', () => {
    expect(safeCellValue('a\u0001b\u0008c\tok')).toBe('abc\tok');
    expect(safeCellValue('x'.repeat(40_000))!.toString().length).toBe(32_767);
    expect(safeCellValue('')).toBeNull();
    expect(safeCellValue(null)).toBeNull();
  });
});

describe('ReportSheet', () => {
  async function write(rows: Record<string, unknown>[], groups = true) {
    const file = path.join(tempDir(), 't.xlsx');
    const s = new ReportSheet({
      file,
      sheetName: '测试',
      title: '广阳区解放道街道测试表（2022年1月20日）',
      subtitle: '填报单位：解放道街道',
      serial: true,
      freezeColumns: 1,
      totalsLabel: '合计',
      columns: [
        { key: 'name', header: '姓名' },
        { key: 'a', header: '新增', kind: 'int', total: 'sum', group: groups ? '物资需求（单）' : undefined },
        { key: 'b', header: '超时', kind: 'int', total: 'sum', group: groups ? '物资需求（单）' : undefined },
        { key: 'flag', header: '异常', total: 'count' },
        { key: 'phone', header: '电话', kind: 'phone' },
        { key: 'notes', header: '备注', maxWidth: 20 },
      ],
      measured: { name: Math.max(...rows.map((r) => displayWidth(String(r.name ?? '')))) },
    });
    s.addGroupRow('金桥小区');
    for (const r of rows) s.addRow(r);
    const { rows: n } = await s.close();
    return { n, rb: await readBack(file) };
  }

  it('writes the title, a grouped two-row header, frozen panes, print set-up and a totals row', async () => {
    const { n, rb } = await write([
      { name: '张三', a: 2, b: 1, flag: '是', phone: '138****5678' },
      { name: '西大街社区金桥花园小区住户代表', a: 5, b: null, flag: '', phone: null },
      { name: 'Li', a: 0, b: 4, flag: '是' },
    ]);
    expect(n).toBe(3);
    expect(rb.merges).toEqual(expect.arrayContaining(['A1:G1', 'A2:G2', 'A3:A4', 'B3:B4', 'C3:D3', 'E3:E4', 'A5:G5']));
    expect(rb.rows[0][0]).toContain('解放道街道');
    expect(rb.rows[0][0]).toContain('2022年1月20日');
    expect(rb.rows[2]).toEqual(['序号', '姓名', '物资需求（单）', '物资需求（单）', '异常', '电话', '备注']);
    expect(rb.rows[3]).toEqual(['序号', '姓名', '新增', '超时', '异常', '电话', '备注']);
    expect(rb.rows[4][0]).toBe('金桥小区');
    expect(rb.rows[5].slice(0, 3)).toEqual([1, '张三', 2]);
    const totals = rb.rows[rb.rows.length - 1];
    expect(totals[0]).toBe('合计');
    expect(totals[2]).toBe(2 + 5 + 0);
    expect(totals[3]).toBe(1 + 4);
    expect(totals[4]).toBe(2); // two cells say 是
    expect(rb.ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 4 });
    expect(rb.ws.pageSetup).toMatchObject({ orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '3:4' });
    expect(rb.ws.getColumn(2).width).toBeGreaterThanOrEqual(displayWidth('西大街社区金桥花园小区住户代表'));
    // the group header 物资需求（单） spans 新增 + 超时 and must fit across them
    expect(rb.ws.getColumn(3).width! + rb.ws.getColumn(4).width!).toBeGreaterThanOrEqual(displayWidth('物资需求（单）'));
  });

  it('uses a single header row when no column has a group', async () => {
    const { rb } = await write([{ name: '张三', a: 1, b: 1 }], false);
    expect(rb.rows[2]).toEqual(['序号', '姓名', '新增', '超时', '异常', '电话', '备注']);
    expect(rb.ws.views[0]).toMatchObject({ ySplit: 3 });
    expect(rb.ws.pageSetup.printTitlesRow).toBe('3:3');
  });

  it('writes hostile text as strings: no formula cell anywhere in the package', async () => {
    const hostile = ['=HYPERLINK("http://evil","点我")', '+1', '-2+3', '@SUM(A1)', '\t=cmd', '\n=1'];
    const { rb } = await write(hostile.map((h, i) => ({ name: h, notes: h, phone: i === 0 ? '=1+1' : null, a: 1 })));
    const sheetXml = rb.parts.get('xl/worksheets/sheet1.xml')!;
    expect(sheetXml).not.toMatch(/<f[ >]/);
    let formulas = 0;
    rb.ws.eachRow({ includeEmpty: true }, (row) =>
      row.eachCell({ includeEmpty: true }, (cell) => {
        if (cell.formula || cell.type === 6 /* ValueType.Formula */) formulas++;
      }),
    );
    expect(formulas).toBe(0);
    const names = rb.rows.slice(5, 5 + hostile.length).map((r) => r[1]);
    expect(names).toEqual(hostile);
    for (const n of names) expect(typeof n).toBe('string');
    expect(rb.rows[5][5]).toBe('=1+1');
  });

  it('removes the partial file when an export is abandoned', async () => {
    const file = path.join(tempDir(), 'gone.xlsx');
    const s = new ReportSheet({ file, sheetName: 'x', title: 't', subtitle: 's', columns: [{ key: 'a', header: 'A' }] });
    s.addRow({ a: 'x' });
    await s.abort();
    const fs = await import('node:fs');
    expect(fs.existsSync(file)).toBe(false);
  });
});

// The error report: the rejected rows with their original cells, the row number they had, and a 原因 column,
// so the clerk fixes them in Excel and imports just this file again. Cells with a problem are shaded.
import { PassThrough } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Table } from '../read.ts';
import type { RowIssue } from './issues.ts';

const SHADE: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFDE2E1' } };

function columnIndex(cellRef: string): number | null {
  const m = cellRef.match(/^([A-Z]+)\d+$/);
  if (!m) return null;
  let n = 0;
  for (const ch of m[1]) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** Display width of text, a CJK character counting double. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e80 ? 2 : 1;
  return w;
}

/**
 * Written with exceljs's streaming writer into memory: wb.xlsx.writeBuffer hands the XML to JSZip as a string that is
 * encoded in 16K slices, which turns a character outside the BMP (rare name characters such as 𠀀) into two U+FFFD
 * when it straddles a slice boundary.
 */
export async function buildErrorReport(table: Table, headerRow: number, issues: RowIssue[]): Promise<Buffer> {
  const byRow = new Map<number, RowIssue[]>();
  for (const i of issues) if (i.row !== null) byRow.set(i.row, [...(byRow.get(i.row) ?? []), i]);
  const header = table.rows[headerRow - 1] ?? [];
  const width = Math.max(header.length, ...[...byRow.keys()].map((r) => table.rows[r - 1]?.length ?? 0));
  const headings = [...Array.from({ length: width }, (_, i) => header[i] ?? ''), '原行号', '原因'];
  const widths = headings.map((h) => textWidth(String(h ?? '')));
  const lines = [...byRow.keys()]
    .sort((a, b) => a - b)
    .map((row) => {
      const cells = table.rows[row - 1] ?? [];
      const reasons = byRow.get(row)!;
      const values = [...Array.from({ length: width }, (_, i) => cells[i] ?? null), row, reasons.map((r) => (r.column ? `${r.column}：${r.reason}` : r.reason)).join('；')];
      values.forEach((v, i) => (widths[i] = Math.max(widths[i], textWidth(v instanceof Date ? '2022-01-12' : String(v ?? '')))));
      return { cells, reasons, values };
    });

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  // Loaded here, not with the module: an import that rejects nothing never loads exceljs.
  const { default: excel } = await import('exceljs');
  const wb = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('未导入的行', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = widths.map((w) => ({ width: Math.min(Math.max(w + 2, 8), 80) }));
  const head = ws.addRow(headings);
  head.font = { bold: true };
  head.commit();
  for (const { cells, reasons, values } of lines) {
    const added = ws.addRow(values);
    for (const r of reasons) {
      const col = columnIndex(r.cell);
      if (col !== null) added.getCell(col + 1).fill = SHADE;
    }
    // Dates keep a date format; ID numbers that were text stay text.
    cells.forEach((v, i) => {
      if (v instanceof Date) added.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
    added.commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

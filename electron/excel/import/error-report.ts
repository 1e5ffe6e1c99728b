// The error report: the rejected rows with their original cells, the row number they had, and a 原因 column,
// so the clerk fixes them in Excel and imports just this file again. Cells with a problem are shaded.
import ExcelJS from 'exceljs';
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

export async function buildErrorReport(table: Table, headerRow: number, issues: RowIssue[]): Promise<Buffer> {
  const byRow = new Map<number, RowIssue[]>();
  for (const i of issues) if (i.row !== null) byRow.set(i.row, [...(byRow.get(i.row) ?? []), i]);
  const header = table.rows[headerRow - 1] ?? [];
  const width = Math.max(header.length, ...[...byRow.keys()].map((r) => table.rows[r - 1]?.length ?? 0));
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('未导入的行', { views: [{ state: 'frozen', ySplit: 1 }] });
  const headings = [...Array.from({ length: width }, (_, i) => header[i] ?? ''), '原行号', '原因'];
  ws.addRow(headings).font = { bold: true };
  const widths = headings.map((h) => textWidth(String(h ?? '')));
  for (const row of [...byRow.keys()].sort((a, b) => a - b)) {
    const cells = table.rows[row - 1] ?? [];
    const reasons = byRow.get(row)!;
    const values = [...Array.from({ length: width }, (_, i) => cells[i] ?? null), row, reasons.map((r) => (r.column ? `${r.column}：${r.reason}` : r.reason)).join('；')];
    const added = ws.addRow(values);
    for (const r of reasons) {
      const col = columnIndex(r.cell);
      if (col !== null) added.getCell(col + 1).fill = SHADE;
    }
    values.forEach((v, i) => (widths[i] = Math.max(widths[i], textWidth(v instanceof Date ? '2022-01-12' : String(v ?? '')))));
    // Keep ID numbers readable as text where they are text; dates keep a date format.
    cells.forEach((v, i) => {
      if (v instanceof Date) added.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
  }
  ws.columns.forEach((c, i) => (c.width = Math.min(Math.max(widths[i] + 2, 8), 80)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

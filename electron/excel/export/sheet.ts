// The government-style sheet every report shares: merged title and info rows, a one- or two-row header with merged
// groups, frozen panes, a 合计 row, CJK-aware widths, A4-landscape print set-up and cells that can never be formulas.
// Written with exceljs's streaming writer: each row is committed as it is added, so a report never sits in memory.
import type ExcelJS from 'exceljs';
import fs from 'node:fs';
import { createRequire } from 'node:module';

let loaded: typeof ExcelJS | null = null;
/** exceljs, loaded when the first report is written: a command that writes none (import) does not wait for it. */
const exceljs = (): typeof ExcelJS => (loaded ??= createRequire(import.meta.url)('exceljs') as typeof ExcelJS);

export type CellKind = 'text' | 'id' | 'phone' | 'date' | 'int' | 'number';

export interface ColumnDef {
  key: string;
  header: string;
  /** Header of a merged group above this column (adjacent columns with the same group share one cell). */
  group?: string;
  kind?: CellKind;
  /** Lower bound of the width in display units (a CJK character counts 2). */
  minWidth?: number;
  /** Upper bound; longer values wrap inside the cell. Default 40. */
  maxWidth?: number;
  /** What the 合计 row shows in this column: the sum of the numbers or the count of non-empty cells. */
  total?: 'sum' | 'count';
  /** The 合计 cell as words (a count says what it counts: 共 22 单) instead of a bare number. */
  totalText?: (n: number) => string;
  /** Excel number format for numeric kinds, e.g. '0.0' for a temperature. */
  numFmt?: string;
  align?: 'left' | 'center' | 'right';
}

export interface SheetOptions {
  file: string;
  sheetName: string;
  /** Row 1, merged across the table: who, what and which date — e.g. 广阳区解放道街道隔离人员台账（2022年1月20日）. */
  title: string;
  /** Row 2, merged: 统计范围, 导出人 and time, masking note. */
  subtitle: string;
  columns: ColumnDef[];
  /** Widest value of each column in display units, measured before writing: the streaming writer emits widths first. */
  measured?: Record<string, number>;
  /** A 序号 column in front, numbered 1..n over data rows. */
  serial?: boolean;
  /** Columns frozen at the left besides the serial column (e.g. the name). */
  freezeColumns?: number;
  /** Label of the totals row ('合计'); omit for no totals row. */
  totalsLabel?: string;
  creator?: string;
  /** Another sheet of the same file: the workbook of a sheet closed with { last: false } (sheets are written in turn). */
  workbook?: ExcelJS.stream.xlsx.WorkbookWriter;
}

const MAX_CELL_CHARS = 32_767; // Excel's limit per cell
const DEFAULT_MAX_WIDTH = 40;
const FONT = '宋体';
/** Widths of values whose length is known in advance (YYYY-MM-DD, an 18-digit ID number, an 11-digit mobile). */
const FIXED_WIDTHS: Partial<Record<CellKind, number>> = { date: 10, id: 18, phone: 11 };

/** East Asian wide and full-width characters take two columns of a fixed-width grid; everything else one. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      // ℃ №, circled numbers, box drawing and shapes: "ambiguous" width, drawn full-width by Chinese fonts.
      (c >= 0x2100 && c <= 0x214f) ||
      (c >= 0x2460 && c <= 0x25ff) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      c >= 0x20000;
    w += wide ? 2 : 1;
  }
  return w;
}

/** Points per line of 11-pt text as LibreOffice lays it out with a CJK font (Noto Sans CJK's line is about 1.45 em). */
export const LINE_HEIGHT = 16;

/**
 * How many lines a wrapped cell takes in a column `width` units wide: a paragraph no wider than the column (what
 * columnWidth sizes for) is one line; a longer one its display width over what a line holds, a little less than the
 * width (cell padding; a CJK glyph is a bit over two units), rounded up: a row a line too tall wastes a little paper,
 * one a line too short prints over its neighbours.
 */
export function wrappedLines(text: string, width: number): number {
  const perLine = Math.max(1, (width - 1) / 1.05);
  let lines = 0;
  for (const para of text.split(/\r?\n/)) {
    const w = displayWidth(para);
    lines += w <= width ? 1 : Math.ceil(w / perLine);
  }
  return lines;
}

/** Text that starts like a formula (= + - @) or with tab/CR/LF: harmless here, but worth a name in tests and reviews. */
export function looksLikeFormula(s: string): boolean {
  return /^[=+\-@\t\r\n]/.test(s);
}

// XML 1.0 forbids most C0 controls; exceljs would write them raw and Excel would call the file damaged.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * The only way a value reaches a cell. Text is always a plain string cell (exceljs makes a formula only from a
 * {formula} object, which never gets here) and its column is formatted '@' so editing it in Excel keeps it text;
 * numbers stay numbers only in numeric columns; ID numbers and phones are text whatever they look like.
 */
export function safeCellValue(v: unknown, kind: CellKind = 'text'): string | number | null {
  if (v === null || v === undefined || v === '') return null;
  if ((kind === 'int' || kind === 'number') && typeof v === 'number') return Number.isFinite(v) ? v : null;
  let s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  s = s.replace(XML_INVALID, '');
  if (s.length > MAX_CELL_CHARS) s = s.slice(0, MAX_CELL_CHARS - 1) + '…';
  return s === '' ? null : s;
}

const thin = { style: 'thin' as const, color: { argb: 'FF000000' } };
const BORDER = { top: thin, left: thin, bottom: thin, right: thin };

function columnLetter(n: number): string {
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

interface Col extends ColumnDef {
  kind: CellKind;
  width: number;
  style: Partial<ExcelJS.Style>;
  totalStyle: Partial<ExcelJS.Style>;
}

function isNumeric(kind: CellKind): boolean {
  return kind === 'int' || kind === 'number';
}

/** Width in Excel character units: widest of header, measured values and the minimum, plus padding, capped. */
export function columnWidth(c: ColumnDef, measured: number | undefined): number {
  const want = Math.max(displayWidth(c.header), measured ?? 0, c.minWidth ?? 0) + 2;
  const w = Math.min(Math.max(want, 6), Math.max(c.maxWidth ?? DEFAULT_MAX_WIDTH, c.minWidth ?? 0));
  // exceljs treats width 9 as "default" and leaves it out of the file, where Excel's default is only 8.43.
  return w === 9 ? 10 : w;
}

export class ReportSheet {
  /** The file's workbook (shared by the sheets of a file with several). */
  readonly wb: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly ws: ExcelJS.Worksheet;
  private readonly cols: Col[];
  private readonly totals = new Map<string, number>();
  private readonly groupStyle: Partial<ExcelJS.Style>;
  private next: number;
  private dataRows = 0;
  private closed = false;
  readonly opts: SheetOptions;
  /** Last row of the header (the frozen pane and the repeated print titles end here). */
  readonly headerEnd: number;

  constructor(opts: SheetOptions) {
    this.opts = opts;
    const defs: ColumnDef[] = opts.serial ? [{ key: '__serial', header: '序号', kind: 'int', minWidth: 4, align: 'center' }, ...opts.columns] : opts.columns;
    const hasGroups = defs.some((c) => c.group);
    this.headerEnd = hasGroups ? 4 : 3;
    this.cols = defs.map((c) => {
      const kind = c.kind ?? 'text';
      const numeric = isNumeric(kind);
      const align = c.align ?? (numeric || kind === 'date' ? 'center' : 'left');
      const wrap = kind === 'text';
      // One style object per column, reused by every cell: exceljs caches style ids by object identity.
      const style: Partial<ExcelJS.Style> = {
        font: { name: FONT, size: 11 },
        border: BORDER,
        alignment: { horizontal: align, vertical: 'middle', wrapText: wrap },
        numFmt: numeric ? c.numFmt ?? (kind === 'int' ? '0' : 'General') : '@',
      };
      const totalStyle: Partial<ExcelJS.Style> = { ...style, font: { name: FONT, size: 11, bold: true } };
      return { ...c, kind, width: columnWidth(c, opts.measured?.[c.key] ?? FIXED_WIDTHS[kind]), style, totalStyle };
    });
    this.widenForGroups();
    this.groupStyle = {
      font: { name: FONT, size: 11, bold: true },
      border: BORDER,
      alignment: { horizontal: 'left', vertical: 'middle' },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } },
      numFmt: '@',
    };
    const freezeX = (opts.serial ? 1 : 0) + (opts.freezeColumns ?? 0);
    this.wb = opts.workbook ?? new (exceljs().stream.xlsx.WorkbookWriter)({ filename: opts.file, useStyles: true, useSharedStrings: false });
    if (!opts.workbook) this.wb.creator = opts.creator ?? '居家隔离管理台';
    // Views and page set-up are written when the sheet opens, so they must be given here, not set later.
    this.ws = this.wb.addWorksheet(opts.sheetName, {
      views: [{ state: 'frozen', xSplit: freezeX, ySplit: this.headerEnd, topLeftCell: `${columnLetter(freezeX + 1)}${this.headerEnd + 1}`, activeCell: 'A1' }],
      pageSetup: {
        paperSize: 9, // A4
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0, // as many pages tall as it takes
        horizontalCentered: true,
        printTitlesRow: `3:${this.headerEnd}`,
        margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
      headerFooter: { oddFooter: '&C第 &P 页，共 &N 页', differentFirst: false, differentOddEven: false },
    } as Partial<ExcelJS.AddWorksheetOptions>);
    this.ws.columns = this.cols.map((c) => ({ key: c.key, width: c.width }));
    this.next = 1;
    this.writeTitle();
    this.writeHeader();
  }

  /** A group header spanning narrow columns (物资需求 over four counts) must still fit: widen its last column. */
  private widenForGroups(): void {
    for (let i = 0; i < this.cols.length; ) {
      const g = this.cols[i].group;
      let j = i + 1;
      if (g) while (j < this.cols.length && this.cols[j].group === g) j++;
      if (g) {
        const span = this.cols.slice(i, j).reduce((s, c) => s + c.width, 0);
        const need = displayWidth(g) + 2;
        if (span < need) this.cols[j - 1].width += need - span;
      }
      i = j;
    }
  }

  private get lastCol(): string {
    return columnLetter(this.cols.length);
  }

  private writeTitle(): void {
    const title = this.ws.getRow(1);
    title.height = 30;
    const t = title.getCell(1);
    t.value = safeCellValue(this.opts.title);
    t.style = { font: { name: FONT, size: 16, bold: true }, alignment: { horizontal: 'center', vertical: 'middle' } };
    this.ws.mergeCells(`A1:${this.lastCol}1`);
    const sub = this.ws.getRow(2);
    sub.height = 20;
    const s = sub.getCell(1);
    s.value = safeCellValue(this.opts.subtitle);
    s.style = { font: { name: FONT, size: 10 }, alignment: { horizontal: 'left', vertical: 'middle' } };
    this.ws.mergeCells(`A2:${this.lastCol}2`);
    title.commit();
    sub.commit();
    this.next = 3;
  }

  private writeHeader(): void {
    const style: Partial<ExcelJS.Style> = {
      font: { name: FONT, size: 11, bold: true },
      border: BORDER,
      alignment: { horizontal: 'center', vertical: 'middle', wrapText: true },
      fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
      numFmt: '@',
    };
    const two = this.headerEnd === 4;
    const top = this.ws.getRow(3);
    const bottom = two ? this.ws.getRow(4) : top;
    top.height = 22;
    if (two) bottom.height = 22;
    // Every header cell gets the style first (borders of merged areas are drawn per cell), then values, then merges.
    this.cols.forEach((_, i) => {
      top.getCell(i + 1).style = style;
      bottom.getCell(i + 1).style = style;
    });
    for (let i = 0; i < this.cols.length; ) {
      const c = this.cols[i];
      const L = columnLetter(i + 1);
      if (!two) {
        top.getCell(i + 1).value = safeCellValue(c.header);
        i++;
        continue;
      }
      if (!c.group) {
        top.getCell(i + 1).value = safeCellValue(c.header);
        this.ws.mergeCells(`${L}3:${L}4`);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < this.cols.length && this.cols[j].group === c.group) j++;
      top.getCell(i + 1).value = safeCellValue(c.group);
      if (j - i > 1) this.ws.mergeCells(`${L}3:${columnLetter(j)}3`);
      for (let k = i; k < j; k++) bottom.getCell(k + 1).value = safeCellValue(this.cols[k].header);
      i = j;
    }
    top.commit();
    if (two) bottom.commit();
    this.next = this.headerEnd + 1;
  }

  /** Number of data rows written so far (group headings and totals excluded). */
  get rows(): number {
    return this.dataRows;
  }

  /** One data row: values by column key, written safely and committed to the file at once. */
  addRow(values: Record<string, unknown>): void {
    if (this.closed) throw new Error('sheet already closed');
    this.dataRows++;
    const row = this.ws.getRow(this.next++);
    let lines = 1;
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i];
      const v = c.key === '__serial' ? this.dataRows : safeCellValue(values[c.key], c.kind);
      const cell = row.getCell(i + 1);
      cell.value = v;
      cell.style = c.style;
      if (c.kind === 'text' && typeof v === 'string') lines = Math.max(lines, wrappedLines(v, c.width));
      if (c.total === 'sum' && typeof v === 'number') this.totals.set(c.key, (this.totals.get(c.key) ?? 0) + v);
      else if (c.total === 'count' && v !== null) this.totals.set(c.key, (this.totals.get(c.key) ?? 0) + 1);
    }
    // Excel grows a wrapped row when it opens the file; LibreOffice and WPS print it one line tall, over its neighbours.
    if (lines > 1) row.height = lines * LINE_HEIGHT + 4;
    row.commit();
  }

  /** A full-width heading inside the table, e.g. one per compound in the delivery list. */
  addGroupRow(text: string): void {
    const n = this.next++;
    const row = this.ws.getRow(n);
    for (let i = 0; i < this.cols.length; i++) row.getCell(i + 1).style = this.groupStyle;
    row.getCell(1).value = safeCellValue(text);
    this.ws.mergeCells(`A${n}:${this.lastCol}${n}`);
    row.commit();
  }

  /**
   * A bold 合计 / 小计 row inside the table or at its end, with values given (a rate cannot be summed): the label fills
   * the first `span` columns (merged); not a data row and not added to the 合计 of close().
   */
  addTotalsRow(label: string, values: Record<string, unknown>, span = 1): void {
    if (this.closed) throw new Error('sheet already closed');
    const n = this.next++;
    const row = this.ws.getRow(n);
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i];
      const cell = row.getCell(i + 1);
      cell.style = c.totalStyle;
      if (i >= span) cell.value = safeCellValue(values[c.key], c.kind);
    }
    const first = row.getCell(1);
    first.value = safeCellValue(label);
    first.style = { ...this.cols[0].totalStyle, alignment: { horizontal: 'center', vertical: 'middle', wrapText: true }, numFmt: '@' };
    const width = this.cols.slice(0, Math.max(1, span)).reduce((w, c) => w + c.width, 0);
    const lines = wrappedLines(label, width);
    if (lines > 1) row.height = lines * LINE_HEIGHT + 4;
    if (span > 1) this.ws.mergeCells(`A${n}:${columnLetter(span)}${n}`);
    row.commit();
  }

  /** A note below the table (说明：…): merged across it, plain, wrapped, as tall as its lines. */
  addNoteRow(text: string): void {
    if (this.closed) throw new Error('sheet already closed');
    const n = this.next++;
    const row = this.ws.getRow(n);
    const cell = row.getCell(1);
    cell.value = safeCellValue(text);
    cell.style = { font: { name: FONT, size: 10 }, alignment: { horizontal: 'left', vertical: 'top', wrapText: true }, numFmt: '@' };
    const lines = wrappedLines(text, this.cols.reduce((w, c) => w + c.width, 0));
    row.height = lines * LINE_HEIGHT + 4;
    this.ws.mergeCells(`A${n}:${this.lastCol}${n}`);
    row.commit();
  }

  /**
   * Writes the 合计 row (when asked for), finishes the sheet and — unless `last: false` (another sheet follows, made
   * with `workbook: this.wb`) — the file; returns the data row count.
   */
  async close(opts: { last?: boolean } = {}): Promise<{ rows: number }> {
    if (this.closed) return { rows: this.dataRows };
    this.closed = true;
    if (this.opts.totalsLabel) {
      const n = this.next++;
      const row = this.ws.getRow(n);
      const firstTotal = this.cols.findIndex((c) => c.total);
      const labelSpan = firstTotal > 0 ? firstTotal : 1;
      for (let i = 0; i < this.cols.length; i++) {
        const c = this.cols[i];
        const cell = row.getCell(i + 1);
        cell.style = c.totalStyle;
        if (c.total) {
          const n = Math.round((this.totals.get(c.key) ?? 0) * 100) / 100;
          cell.value = c.totalText ? c.totalText(n) : n;
          if (c.totalText) cell.style = { ...c.totalStyle, alignment: { horizontal: 'center', vertical: 'middle' }, numFmt: '@' };
        }
      }
      const label = row.getCell(1);
      label.value = this.opts.totalsLabel;
      label.style = { ...this.cols[0].totalStyle, alignment: { horizontal: 'center', vertical: 'middle' }, numFmt: '@' };
      if (labelSpan > 1) this.ws.mergeCells(`A${n}:${columnLetter(labelSpan)}${n}`);
      row.commit();
    }
    this.ws.commit();
    if (opts.last !== false) await this.wb.commit();
    return { rows: this.dataRows };
  }

  /** Gives up on a failed or cancelled export and removes the partial file. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      try {
        this.ws.commit();
        await this.wb.commit();
      } catch {
        // the file is being thrown away; a second error says nothing new
      }
    }
    await fs.promises.rm(this.opts.file, { force: true });
  }
}

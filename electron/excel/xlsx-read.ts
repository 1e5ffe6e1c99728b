// Reads the cell values of an .xlsx workbook straight from its XML parts (inflated within the limits by inspectZip in
// read.ts) with one scan per part: no styles, fonts or cell objects are built, which makes it
// several times faster and lighter than loading the workbook with exceljs (a 50,000-row list: ~0.5 s instead of
// ~2.7 s; the scanner is xml-scan.ts). The values are the ones exceljs gives (the import was built on those), tested side by side in
// test/unit/xlsx-read.test.ts:
// - shared and inline strings (rich text runs joined, phonetic guides left out), numbers, booleans, error codes;
// - numbers in a date format become Dates (serial → UTC midnight of the wall date; 1904 workbooks shifted);
//   unlike exceljs this also knows the built-in Chinese date formats 27–36 and 50–58 that WPS uses;
// - formulas give their cached result; cells of a merged range repeat the top-left value;
// - tags may carry a namespace prefix (x:c), cells and rows may omit their r= reference.
// Where exceljs is wrong, this reader is not: Excel's _xHHHH_ escapes are decoded (a carriage return inside a cell is
// written _x000D_), an empty shared-string cell <v/> is empty (not string #0), the 1904 flag is read from the
// workbook's own <workbookPr> (not reset by the x14:/x15:workbookPr that Excel 2016+ adds in extLst), the workbook is
// found through _rels/.rels wherever it is, and a part declared in another encoding (encoding="GBK") is decoded.
import { decodeXstring, parse, XlsxFormatError, XlsxNotWorkbook } from './xlsx-xml.ts';
import type { CellValue } from './cell.ts';

export { decodeXstring, XlsxEncodingError, XlsxFormatError, XlsxNotWorkbook } from './xlsx-xml.ts';

/** The checked entries of a zip (read.ts inspectZip): the names it holds, and an entry's bytes, inflated when asked for within the limits. */
export interface ZipParts {
  /** Whether the zip holds this part; names are compared without regard to case, as Open Packaging requires. */
  has(name: string): boolean;
  /** The entry's bytes (undefined when there is none); throws FileUnreadable past a limit or on damaged data. */
  read(name: string): Buffer | undefined;
}

export interface XlsxSheet {
  name: string;
  /** Path of the sheet's XML part inside the zip, or null when the workbook names a part it does not contain. */
  part: string | null;
  /** Hidden (or "very hidden") in Excel: kept out of the default choice, marked in the sheet picker. */
  hidden: boolean;
}

export interface XlsxBook {
  sheets: XlsxSheet[];
  date1904: boolean;
  /** Rows of one sheet: rows[i] is Excel's row i + 1, rows[i][j] column j + 1; trailing empty cells dropped. */
  readSheet(sheet: XlsxSheet): CellValue[][];
}

/** "AB12" → 28 (column of a cell reference, 1-based); 0 when there are no letters. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower-case
    if (c < 0x61 || c > 0x7a) break;
    col = col * 26 + (c - 0x60);
  }
  return col;
}

function rowOf(ref: string): number {
  const m = /\d+$/.exec(ref);
  return m ? Number(m[0]) : 0;
}

/** Resolves a relationship target against the folder of the part that names it ("xl/"). */
function resolvePart(base: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : base + target).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

// Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones).
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format code that shows a date or time: y m d h s (or b, Buddhist year) outside quotes, brackets and escapes. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*]/g, '')
    .replace(/\\.|_.|\*./g, '');
  return /[ymdhsb]/i.test(bare.replace(/General/gi, ''));
}

/** Excel serial day → the Date exceljs gives: midnight UTC of the wall date (time of day kept). */
function serialDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

function sharedStrings(part: string, buf: Buffer | undefined): string[] {
  const out: string[] = [];
  if (!buf) return out;
  let cur = '';
  let inT = false;
  let inPh = 0;
  parse(part, buf, {
    open: (n) => {
      if (n === 't') inT = inPh === 0;
      else if (n === 'si') cur = '';
      else if (n === 'rPh') inPh++;
    },
    close: (n) => {
      if (n === 't') inT = false;
      else if (n === 'si') out.push(decodeXstring(cur));
      else if (n === 'rPh') inPh--;
    },
    text: (s) => {
      if (inT) cur += s;
    },
  });
  return out;
}

/** For each cell style index (c s="…"), whether its number format shows a date. */
function dateStyles(part: string, buf: Buffer | undefined): boolean[] {
  if (!buf) return [];
  const custom = new Map<number, string>();
  const xfs: number[] = [];
  let inCellXfs = false;
  // Only the workbook's number formats: those of differential formats (dxfs, for conditional formatting) may reuse an id.
  let inNumFmts = false;
  parse(part, buf, {
    open: (n, t) => {
      if (n === 'numFmt' && inNumFmts) custom.set(Number(t.get('numFmtId')), t.get('formatCode') ?? '');
      else if (n === 'numFmts') inNumFmts = true;
      else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfs.push(Number(t.get('numFmtId') ?? 0));
    },
    close: (n) => {
      if (n === 'cellXfs') inCellXfs = false;
      else if (n === 'numFmts') inNumFmts = false;
    },
  });
  return xfs.map((id) => (custom.has(id) ? isDateFormat(custom.get(id)!) : BUILTIN_DATE_FORMATS.has(id)));
}

const OFFICE_DOCUMENT = /\/officeDocument$/;

/**
 * The workbook part: the package's main part named by _rels/.rels (Excel writes xl/workbook.xml, other writers put
 * it elsewhere), else xl/workbook.xml. XlsxNotWorkbook when there is none (a .docx names word/document.xml).
 */
function findWorkbook(parts: ZipParts): string {
  const rels = parts.read('_rels/.rels');
  let main: string | null = null;
  if (rels) {
    try {
      parse('_rels/.rels', rels, {
        open: (n, t) => {
          if (main === null && n === 'Relationship' && t.get('TargetMode') !== 'External' && OFFICE_DOCUMENT.test(t.get('Type') ?? '')) main = resolvePart('', t.get('Target') ?? '');
        },
      });
    } catch (e) {
      // A damaged package index does not hide a workbook where Excel puts it.
      if (!(e instanceof XlsxFormatError)) throw e;
    }
  }
  if (main !== null && parts.has(main)) return main;
  if (parts.has('xl/workbook.xml')) return 'xl/workbook.xml';
  throw new XlsxNotWorkbook(main === null ? 'no workbook part' : `main part ${main} missing`);
}

/** Opens a workbook from the zip's parts (each read only when needed). Throws XlsxFormatError when they do not make one. */
export function openXlsx(parts: ZipParts): XlsxBook {
  const wbPart = findWorkbook(parts);
  const wbXml = parts.read(wbPart);
  if (!wbXml) throw new XlsxFormatError(`${wbPart} missing`);
  const dir = wbPart.slice(0, wbPart.lastIndexOf('/') + 1);
  const declared: { name: string; rid: string; hidden: boolean }[] = [];
  let date1904 = false;
  let root = '';
  let depth = 0;
  let inSheets = false;
  parse(wbPart, wbXml, {
    open: (n, t) => {
      depth++;
      if (depth === 1) root = n;
      // Children of <workbook> only: Excel 2016+ also writes <x14:workbookPr>/<x15:workbookPr> deeper, in extLst,
      // and those carry no date1904 (reading them reset a 1904 workbook's dates by 1,462 days).
      else if (depth === 2) {
        if (n === 'workbookPr') date1904 = ['1', 'true'].includes(t.get('date1904') ?? '');
        else if (n === 'sheets') inSheets = true;
      } else if (depth === 3 && inSheets && n === 'sheet') {
        const state = t.get('state');
        declared.push({ name: t.get('name') ?? '', rid: t.get('id') ?? '', hidden: state === 'hidden' || state === 'veryHidden' });
      }
    },
    close: (n) => {
      if (depth === 2 && n === 'sheets') inSheets = false;
      depth--;
    },
  });
  if (root !== 'workbook') throw new XlsxNotWorkbook(`${wbPart} is <${root}>`);
  const targets = new Map<string, string>();
  let stylesPart = `${dir}styles.xml`;
  let stringsPart = `${dir}sharedStrings.xml`;
  const relsPart = `${dir}_rels/${wbPart.slice(dir.length)}.rels`;
  const rels = parts.read(relsPart);
  if (rels) {
    parse(relsPart, rels, {
      open: (n, t) => {
        if (n !== 'Relationship') return;
        if (t.get('TargetMode') === 'External') return;
        const target = resolvePart(dir, t.get('Target') ?? '');
        const type = t.get('Type') ?? '';
        targets.set(t.get('Id') ?? '', target);
        if (type.endsWith('/styles')) stylesPart = target;
        else if (type.endsWith('/sharedStrings')) stringsPart = target;
      },
    });
  }
  const sheets = declared.map((s, i) => {
    const part = targets.get(s.rid) ?? `${dir}worksheets/sheet${i + 1}.xml`;
    return { name: s.name, part: parts.has(part) ? part : null, hidden: s.hidden };
  });
  let strings: string[] | null = null;
  let dates: boolean[] | null = null;
  return {
    sheets,
    date1904,
    readSheet(sheet) {
      if (sheet.part === null) throw new XlsxFormatError(`sheet ${sheet.name}: part missing`);
      strings ??= sharedStrings(stringsPart, parts.read(stringsPart));
      dates ??= dateStyles(stylesPart, parts.read(stylesPart));
      return readSheetXml(sheet.part, parts.read(sheet.part)!, strings, dates, date1904);
    },
  };
}

/** A cell's reference, type and style: read together, in one pass over its tag. */
const CELL_ATTRIBUTES = ['r', 't', 's'] as const;

function readSheetXml(part: string, buf: Buffer, strings: string[], dates: boolean[], date1904: boolean): CellValue[][] {
  const cellAttributes: (string | undefined)[] = [undefined, undefined, undefined];
  const rows: CellValue[][] = [];
  const merges: string[] = [];
  let inData = false;
  let row: CellValue[] = [];
  let rowNo = 0;
  let col = 0;
  let type = 'n';
  let style = 0;
  // Text of the cell's <v>, and of its inline string's <t> runs.
  let v: string | null = null;
  let inline: string | null = null;
  let inV = false;
  let inT = false;
  let inIs = false;
  let inPh = 0;

  const cellValue = (): CellValue => {
    switch (type) {
      case 's': {
        // <v/> is an empty cell, not shared string #0 (Number('') is 0: the list's title read into an empty cell).
        if (v === null || v.trim() === '') return null;
        return strings[Number(v)] ?? null;
      }
      case 'inlineStr':
        return inline !== null ? decodeXstring(inline) : v;
      case 'str':
        return v === null ? null : decodeXstring(v);
      case 'b':
        return v === null || v.trim() === '' ? null : v.trim() === '1' || v.trim() === 'true';
      case 'e':
        return v;
      case 'd': {
        if (v === null) return null;
        const d = new Date(v.includes('T') || v.length > 10 ? v : `${v}T00:00:00Z`);
        return Number.isNaN(d.getTime()) ? v : d;
      }
      default: {
        if (v === null || v.trim() === '') return null;
        const n = Number(v);
        if (!Number.isFinite(n)) return v;
        return dates[style] ? serialDate(n, date1904) : n;
      }
    }
  };

  parse(part, buf, {
    open: (n, t) => {
      if (!inData) {
        if (n === 'sheetData') inData = true;
        else if (n === 'mergeCell') merges.push(t.get('ref') ?? '');
        return;
      }
      switch (n) {
        case 'c': {
          t.many(CELL_ATTRIBUTES, cellAttributes);
          const ref = cellAttributes[0];
          const c = ref ? columnOf(ref) : 0;
          col = c > 0 ? c : col + 1;
          type = cellAttributes[1] ?? 'n';
          const s = cellAttributes[2];
          style = s ? Number(s) : 0;
          v = null;
          inline = null;
          break;
        }
        case 'v':
          inV = true;
          v = '';
          break;
        case 'row': {
          const r = Number(t.get('r'));
          rowNo = Number.isInteger(r) && r > rowNo ? r : rowNo + 1;
          row = [];
          col = 0;
          break;
        }
        case 'is':
          inIs = true;
          inline = '';
          break;
        case 't':
          inT = inIs && inPh === 0;
          break;
        case 'rPh':
          inPh++;
          break;
      }
    },
    close: (n) => {
      if (!inData) return;
      switch (n) {
        case 'v':
          inV = false;
          break;
        case 'c': {
          const value = cellValue();
          if (value !== null) {
            while (row.length < col - 1) row.push(null);
            row[col - 1] = value;
          }
          break;
        }
        case 'row':
          // Rows without a value are not stored: a sheet formatted down to row 1,048,576 stays as long as its data.
          if (row.length > 0) {
            while (rows.length < rowNo - 1) rows.push([]);
            rows[rowNo - 1] = row;
          }
          break;
        case 't':
          inT = false;
          break;
        case 'is':
          inIs = false;
          break;
        case 'rPh':
          inPh--;
          break;
        case 'sheetData':
          inData = false;
          break;
      }
    },
    text: (s) => {
      if (inV) v += s;
      else if (inT) inline += s;
    },
  });
  fillMerges(rows, merges, rowNo);
  return rows;
}

/** Cells of a merged range repeat its top-left value (as exceljs shows them), within the rows (up to the last the sheet lists) and columns in use. */
function fillMerges(rows: CellValue[][], merges: string[], lastRow: number) {
  if (merges.length === 0) return;
  const width = rows.reduce((w, r) => Math.max(w, r.length), 0);
  // Excel never overlaps merged ranges; a file that does (by accident or on purpose) must not make this quadratic.
  let budget = Math.max(lastRow, rows.length) * Math.max(width, 1);
  for (const ref of merges) {
    const [a, b = a] = ref.split(':');
    const top = rowOf(a);
    const left = columnOf(a);
    const bottom = Math.min(rowOf(b), lastRow);
    const right = Math.min(columnOf(b), width);
    if (top < 1 || left < 1 || top > rows.length) continue;
    const master = rows[top - 1][left - 1] ?? null;
    if (master === null) continue;
    budget -= (bottom - top + 1) * (right - left + 1);
    if (budget < 0) break;
    while (rows.length < bottom) rows.push([]);
    for (let r = top; r <= bottom; r++) {
      const cells = rows[r - 1];
      for (let c = left; c <= right; c++) {
        if (r === top && c === left) continue;
        while (cells.length < c - 1) cells.push(null);
        cells[c - 1] = master;
      }
    }
  }
}

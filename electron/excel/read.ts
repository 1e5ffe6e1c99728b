// Safe reading of an uploaded .xlsx or .csv into a grid of plain cell values: checks name, size and (for .xlsx)
// the zip container BEFORE any parser touches it, so hostile files fail with a clear Chinese message.
import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import iconv from 'iconv-lite';
import { AppError } from '../shared/errors.ts';
import { msg, type Message } from '../shared/messages/index.ts';
import { openXlsx, XlsxEncodingError, XlsxFormatError, XlsxNotWorkbook, type XlsxSheet, type ZipParts } from './xlsx-read.ts';
import { isOle, oleKind } from './ole.ts';
import type { CellValue } from './cell.ts';

export interface Table {
  sheetName: string;
  sheetNames: string[];
  /** The sheets hidden in Excel (never chosen by default; the sheet picker marks them). */
  hiddenSheets?: string[];
  /** rows[i] is the row Excel shows as i + 1; rows[i][j] is column j + 1. Empty rows are kept so numbers line up. */
  rows: CellValue[][];
  /** Workbooks on the 1904 date system shift serial numbers by 1462 days. */
  date1904: boolean;
  format: 'xlsx' | 'csv';
}

export type FileErrorKind = 'extension' | 'too-large' | 'empty-file' | 'not-zip' | 'zip-bomb' | 'not-excel' | 'encrypted' | 'old-xls' | 'unreadable' | 'empty-sheet' | 'no-sheet' | 'encoding';

/** A file that cannot be read at all (CLI exit 2); nothing was changed. `details.fileError` says which kind. */
export class FileUnreadable extends AppError {
  constructor(kind: FileErrorKind, m: Message) {
    super('VALIDATION', m, { details: { fileError: kind } });
  }
}

export interface ZipLimits {
  maxEntries: number;
  maxTotalUncompressed: number;
  /** Ratio uncompressed/compressed tolerated for an entry larger than ratioFloorBytes (XML sheets reach ~30-100). */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 5000,
  maxTotalUncompressed: 1024 * 1024 * 1024,
  maxRatio: 250,
  ratioFloorBytes: 1024 * 1024,
};

export interface ReadOptions {
  /** The name the user gave the file (only its extension is trusted, to pick the reader). */
  fileName: string;
  maxBytes: number;
  sheet?: string;
  zipLimits?: ZipLimits;
}

const MB = 1024 * 1024;

export function tooLarge(bytes: number, maxBytes: number): FileUnreadable {
  return new FileUnreadable('too-large', msg('file.tooLarge', { mb: (bytes / MB).toFixed(1), max: Math.round(maxBytes / MB) }));
}

/** Refuses a file by its name and size before anything reads it (also used when a file is uploaded). */
export function assertImportable(fileName: string, bytes: number, maxBytes: number): '.xlsx' | '.csv' {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.xls' || ext === '.et' || ext === '.ett' || ext === '.xlt') {
    throw new FileUnreadable('extension', msg('file.oldFormat', { ext }));
  }
  if (ext !== '.xlsx' && ext !== '.csv') {
    throw new FileUnreadable('extension', msg('file.extension', { name: fileName }));
  }
  if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
  if (bytes === 0) throw new FileUnreadable('empty-file', msg('file.empty'));
  return ext;
}

export async function readTable(data: Buffer, opts: ReadOptions): Promise<Table> {
  const ext = assertImportable(opts.fileName, data.length, opts.maxBytes);
  const table = ext === '.csv' ? readCsv(data) : await readXlsx(data, opts);
  if (!table.rows.some((r) => r.some((c) => !isBlank(c)))) {
    throw new FileUnreadable('empty-sheet', msg('file.emptySheet', { sheet: table.sheetName }));
  }
  return table;
}

export function isBlank(v: CellValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

// ---------------------------------------------------------------------------------------------------------------
// .xlsx

const notExcel = () => new FileUnreadable('not-excel', msg('file.zipNotExcel'));

async function readXlsx(data: Buffer, opts: ReadOptions): Promise<Table> {
  const parts = await inspectZip(data, opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
  const unreadable = () => new FileUnreadable('unreadable', msg('file.damaged'));
  try {
    const book = openXlsx(parts);
    const sheetNames = book.sheets.map((s) => s.name);
    const hiddenSheets = book.sheets.filter((s) => s.hidden).map((s) => s.name);
    if (book.sheets.length === 0) throw new FileUnreadable('no-sheet', msg('file.noSheets'));
    let sheet: XlsxSheet | undefined;
    let rows: CellValue[][] | undefined;
    if (opts.sheet) {
      sheet = book.sheets.find((s) => s.name === opts.sheet) ?? book.sheets.find((s) => s.name.trim() === opts.sheet!.trim());
      if (!sheet) throw new FileUnreadable('no-sheet', msg('file.noSuchSheet', { sheet: opts.sheet, sheets: sheetNames.join('、') }));
    } else {
      // The first visible sheet with any content (a title page or an empty first sheet is passed over); a hidden
      // sheet (a 下拉选项 list of choices in front) only when no visible one has any.
      const visible = book.sheets.filter((s) => !s.hidden);
      for (const s of [...visible, ...book.sheets.filter((x) => x.hidden)]) {
        if (s.part === null) continue;
        const r = book.readSheet(s);
        if (r.some((cells) => cells.some((c) => c !== null && c !== ''))) {
          sheet = s;
          rows = r;
          break;
        }
      }
      sheet ??= visible[0] ?? book.sheets[0];
    }
    rows ??= sheet.part === null ? [] : book.readSheet(sheet);
    return { sheetName: sheet.name, sheetNames, hiddenSheets, rows, date1904: book.date1904, format: 'xlsx' };
  } catch (e) {
    if (e instanceof XlsxNotWorkbook) throw notExcel();
    if (e instanceof XlsxEncodingError) {
      throw new FileUnreadable('encoding', msg('file.encoding', { encoding: e.encoding }));
    }
    if (e instanceof XlsxFormatError) throw unreadable();
    throw e;
  }
}

/**
 * Reads the zip's central directory and checks it before any entry is inflated: a zip bomb (too many entries, too many
 * bytes, or an absurd compression ratio) is refused without being expanded, and a truncated or damaged zip fails here
 * with a clear message instead of deep inside the parser. Entries are inflated only when the reader asks for one (media,
 * drawings and pivot caches never are); inflation itself stops at the ratio and total limits, since the headers can lie.
 */
export async function inspectZip(data: Buffer, limits: ZipLimits): Promise<ZipParts> {
  const notZip = () =>
    new FileUnreadable('not-zip', msg('file.notZip'));
  const bomb = (why: Message) => new FileUnreadable('zip-bomb', msg('file.bomb', { why }));
  const tooMuch = () => bomb(msg('file.bombSize', { mb: Math.round(limits.maxTotalUncompressed / MB) }));
  if (isOle(data)) throw oleFileError(data);
  if (data.length < 22 || data.readUInt32LE(0) !== 0x04034b50) throw notZip();
  // Bytes after the end record (padding some upload tools and mail gateways add) are not part of the zip.
  data = data.subarray(0, zipEnd(data));
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, z) => (err || !z ? reject(notZip()) : resolve(z))),
  );
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw bomb(msg('file.bombEntries', { count: zip.entryCount }));
  }
  const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
    const list: yauzl.Entry[] = [];
    zip.on('error', () => reject(notZip()));
    zip.on('end', () => resolve(list));
    zip.on('entry', (entry: yauzl.Entry) => {
      list.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
  zip.close();
  // Part names are case-insensitive (Open Packaging Conventions): xl/SharedStrings.xml is xl/sharedStrings.xml.
  const byName = new Map<string, yauzl.Entry>();
  let declared = 0;
  for (const entry of entries) {
    byName.set(entry.fileName.toLowerCase(), entry);
    if (entry.isEncrypted()) throw new FileUnreadable('encrypted', msg('file.passwordZip'));
    if (entry.fileName.endsWith('/')) continue;
    const declaredRatio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize > limits.ratioFloorBytes && declaredRatio > limits.maxRatio) throw bomb(msg('file.bombRatio', { ratio: Math.round(declaredRatio) }));
    if ((declared += entry.uncompressedSize) > limits.maxTotalUncompressed) throw tooMuch();
  }
  // Whether it is a workbook (and where) is for openXlsx to find, through _rels/.rels.
  if (!byName.has('[content_types].xml')) throw notExcel();
  let inflated = 0;
  return {
    has: (name) => byName.has(name.toLowerCase()),
    read(name) {
      const entry = byName.get(name.toLowerCase());
      if (!entry || entry.fileName.endsWith('/')) return undefined;
      const totalLeft = limits.maxTotalUncompressed - inflated;
      const ratioCap = Math.max(limits.ratioFloorBytes, entry.compressedSize * limits.maxRatio);
      const bytes = inflateEntry(data, entry, { maxBytes: Math.min(totalLeft, ratioCap), notZip, tooBig: () => (totalLeft <= ratioCap ? tooMuch() : bomb(msg('file.bombRatioOver', { ratio: limits.maxRatio }))) });
      inflated += bytes.length;
      return bytes;
    },
  };
}

/**
 * Where the zip ends: just after its end-of-central-directory record and comment. yauzl takes the last record
 * signature and insists that the comment run to the end of the file, so a zip followed by padding is refused; here the
 * last record that points at a central directory is taken, whatever follows it. The whole length when none is found
 * (yauzl then says why).
 */
function zipEnd(data: Buffer): number {
  const sig = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
  for (let at = data.lastIndexOf(sig, data.length - 22); at >= 0; at = at > 0 ? data.lastIndexOf(sig, at - 1) : -1) {
    const end = at + 22 + data.readUInt16LE(at + 20);
    if (end > data.length) continue;
    const entries = data.readUInt16LE(at + 10);
    const cdSize = data.readUInt32LE(at + 12);
    const cdOffset = data.readUInt32LE(at + 16);
    // Zip64 keeps the real offset elsewhere (yauzl reads it); otherwise the directory must lie before the record.
    if (cdOffset === 0xffffffff || entries === 0xffff) return end;
    if (cdOffset + cdSize <= at && (entries === 0 || (cdOffset + 4 <= data.length && data.readUInt32LE(cdOffset) === 0x02014b50))) return end;
  }
  return data.length;
}

/** An OLE compound file named .xlsx: a password-protected workbook, an old .xls, or another old Office document. */
function oleFileError(data: Buffer): FileUnreadable {
  switch (oleKind(data)) {
    case 'encrypted':
      return new FileUnreadable('encrypted', msg('file.passwordOle'));
    case 'xls':
      return new FileUnreadable('old-xls', msg('file.oldXls'));
    default:
      return new FileUnreadable('not-excel', msg('file.otherOffice'));
  }
}

/** One entry's bytes, inflated in one synchronous call (the import runs in a worker thread), size and CRC checked. */
function inflateEntry(data: Buffer, entry: yauzl.Entry, o: { maxBytes: number; notZip: () => Error; tooBig: () => Error }): Buffer {
  const at = entry.relativeOffsetOfLocalHeader;
  if (at + 30 > data.length || data.readUInt32LE(at) !== 0x04034b50) throw o.notZip();
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
  if (start + entry.compressedSize > data.length) throw o.notZip();
  const packed = data.subarray(start, start + entry.compressedSize);
  let out: Buffer;
  if (entry.compressionMethod === 0) out = packed;
  else if (entry.compressionMethod === 8) {
    try {
      // One output chunk of the declared size (+1 to see the end): no chunks to join. A lying size only costs joins.
      const chunkSize = Math.max(64, Math.min(entry.uncompressedSize + 1, o.maxBytes + 1, 256 * MB));
      out = zlib.inflateRawSync(packed, { maxOutputLength: Math.max(o.maxBytes, 1), chunkSize });
    } catch (e) {
      throw (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? o.tooBig() : o.notZip();
    }
  } else throw o.notZip();
  if (out.length > o.maxBytes) throw o.tooBig();
  if (out.length !== entry.uncompressedSize || zlib.crc32(out) >>> 0 !== entry.crc32 >>> 0) throw o.notZip();
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// .csv

/** UTF-8 (with or without BOM) when it decodes strictly; UTF-16 with a BOM; otherwise GBK (GB18030), as WPS/Excel save it in China. */
export function decodeText(data: Buffer): string {
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return new TextDecoder('utf-8').decode(data.subarray(3));
  if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return iconv.decode(data, 'gb18030');
  }
}

function readCsv(data: Buffer): Table {
  const text = decodeText(data);
  if (text.includes('\u0000')) throw new FileUnreadable('encoding', msg('file.binaryCsv'));
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? '\t' : ',';
  return { sheetName: 'CSV', sheetNames: ['CSV'], rows: parseCsv(text, delimiter), date1904: false, format: 'csv' };
}

/** RFC 4180: quoted fields may hold delimiters, quotes ("") and line breaks. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

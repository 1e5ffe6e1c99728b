// Cell-level normalisation of upstream lists: text, dates in every form clerks type, ID numbers (with the reason
// they are wrong, as a code and in Chinese), sex words. Pure functions; the checks themselves live in shared/idcard.ts.
import { checkIdNumber, toHalfWidth } from '../../shared/idcard.ts';
import { isIsoDate } from '../../domain/dates.ts';
import type { Category, DocType, Sex } from '../../db/schema.ts';
import type { CellValue } from '../cell.ts';

/**
 * Full-width digits and letters (and the ideographic space) to half-width. Chinese punctuation — ，：（）、 — is
 * part of the text and stays as typed (notes are written back in reports exactly as the clerk wrote them).
 */
export function halfWidthAlnum(s: string): string {
  if (!/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3000]/.test(s)) return s;
  return s.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Any cell as trimmed text, full-width digits and letters half-width ('' when empty). Dates become YYYY-MM-DD; numbers keep their digits. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return utcDate(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  return halfWidthAlnum(v).replace(/\u00a0/g, ' ').trim();
}

/**
 * exceljs turns date cells into Dates at UTC midnight of the wall date (Excel has no time zones), so the UTC
 * fields are the date the clerk typed. Rounded to the minute first: serials like 44573.99999999 mean the next day.
 */
function utcDate(d: Date): string {
  return new Date(Math.round(d.getTime() / 60_000) * 60_000).toISOString().slice(0, 10);
}

const EXCEL_EPOCH_1900 = Date.UTC(1899, 11, 30);
const EXCEL_EPOCH_1904 = Date.UTC(1904, 0, 1);

/** An Excel serial day number (a date cell formatted as General) → YYYY-MM-DD; only 1955…2119 is plausible. */
export function serialToDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial) || serial < 20_000 || serial > 80_000) return null;
  const base = date1904 ? EXCEL_EPOCH_1904 : EXCEL_EPOCH_1900;
  return utcDate(new Date(base + Math.round(serial * 86_400) * 1000));
}

function ymd(y: number, m: number, d: number): string | null {
  const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isIsoDate(s) ? s : null;
}

/**
 * A date from a date cell, an Excel serial number, or text: 2022-01-12, 2022/1/12, 2022.1.12, 2022年1月12日,
 * 20220112, each optionally followed by a time; "1月12日" (no year) is taken in today's year, or the year before
 * when that would be in the future. null when unreadable.
 */
export function parseDate(v: CellValue | undefined, todayDate: string, date1904 = false): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return utcDate(v);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 19_000_101 && v <= 21_001_231) return ymd(Math.floor(v / 10_000), Math.floor(v / 100) % 100, v % 100);
    return serialToDate(v, date1904);
  }
  if (typeof v !== 'string') return null;
  const s = toHalfWidth(v).replace(/\s+/g, ' ').trim();
  if (!s) return null;
  let m = s.match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}(?:[:时点]\d{0,2}(?:[:分]\d{0,2}秒?)?)?.*)?$/);
  if (m) return ymd(+m[1], +m[2], +m[3]);
  m = s.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (m) return ymd(+m[1], +m[2], +m[3]);
  m = s.match(/^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/);
  if (m) {
    const year = +todayDate.slice(0, 4);
    const d = ymd(year, +m[1], +m[2]);
    if (!d) return null;
    return d > todayDate ? ymd(year - 1, +m[1], +m[2]) : d;
  }
  // A serial number that arrived as text (CSV saved from a sheet whose date column was General).
  if (/^\d{5}(\.\d+)?$/.test(s)) return serialToDate(Number(s), date1904);
  return null;
}

export type IdErrorCode =
  | 'id-missing'
  | 'id-number-cell-precision-lost'
  | 'id-scientific-notation'
  | 'id-format'
  | 'id-birth-date-impossible'
  | 'id-birth-date-future'
  | 'id-checksum';

export type IdParse =
  | { ok: true; number: string; birthDate: string; sex: Sex; upgraded: boolean }
  | { ok: false; code: IdErrorCode; reason: string };

/**
 * A resident ID number from a cell. A NUMBER cell of 16+ digits has already lost digits (Excel keeps 15
 * significant digits), so it is refused and never guessed; a 15-digit legacy number in a number cell is exact.
 */
export function parseIdCell(v: CellValue | undefined, todayDate: string): IdParse {
  if (typeof v === 'number') {
    const digits = Number.isFinite(v) ? Math.abs(Math.trunc(v)).toLocaleString('en-US', { useGrouping: false }) : '';
    if (digits.length >= 16 || !Number.isInteger(v)) {
      return {
        ok: false,
        code: 'id-number-cell-precision-lost',
        reason: `身份证号存成了数字格式，Excel 只保留 15 位有效数字，后几位已丢失（表中显示为 ${digits}）。请把该列设为“文本”格式，重新填写正确号码后再导入`,
      };
    }
    v = digits;
  }
  const s = toHalfWidth(cellText(v)).replace(/[\s-]/g, '').toUpperCase();
  if (!s) return { ok: false, code: 'id-missing', reason: '缺少身份证号' };
  if (/^\d+(\.\d+)?E\+?\d+$/.test(s)) {
    return { ok: false, code: 'id-scientific-notation', reason: `身份证号显示为科学计数法（${s}），后几位已丢失。请把该列设为“文本”格式，重新填写正确号码后再导入` };
  }
  const r = checkIdNumber(s, todayDate);
  if (r.ok) return r;
  if (!/^(\d{15}|\d{17}[\dX])$/.test(s)) return { ok: false, code: 'id-format', reason: r.reason };
  const full = s.length === 15 ? s.slice(0, 6) + '19' + s.slice(6) : s;
  const birth = `${full.slice(6, 10)}-${full.slice(10, 12)}-${full.slice(12, 14)}`;
  if (!isIsoDate(birth) || birth < '1890-01-01') return { ok: false, code: 'id-birth-date-impossible', reason: r.reason };
  if (birth > todayDate) return { ok: false, code: 'id-birth-date-future', reason: r.reason };
  return { ok: false, code: 'id-checksum', reason: r.reason };
}

/** 男/女/男性/女性/M/F → sex; '' → null; anything else → undefined (unreadable). */
export function parseSex(v: CellValue | undefined): Sex | null | undefined {
  const s = cellText(v).toUpperCase();
  if (!s) return null;
  if (s === '男' || s === '男性' || s === 'M' || s === '1') return 'M';
  if (s === '女' || s === '女性' || s === 'F' || s === '2') return 'F';
  return undefined;
}

const DOC_TYPE_WORDS: [RegExp, DocType][] = [
  [/^(居民)?身份证(号码?)?$|^二代身份证$/, '居民身份证'],
  [/港澳/, '港澳居民来往内地通行证'],
  [/台湾|台胞/, '台湾居民来往大陆通行证'],
  [/永久居留|永居/, '外国人永久居留身份证'],
  [/护照/, '护照'],
  [/^无(证件)?$/, '无证件'],
];

/** 证件类型 cell → document type; '' → 居民身份证 (the usual case); undefined when unknown. */
export function parseDocType(v: CellValue | undefined): DocType | undefined {
  const s = cellText(v).replace(/\s+/g, '');
  if (!s) return '居民身份证';
  for (const [re, t] of DOC_TYPE_WORDS) if (re.test(s)) return t;
  return undefined;
}

const CATEGORY_WORDS: [RegExp, Category][] = [
  [/^次密(接|切接触者?)?$/, '次密接'],
  [/^密(接|切接触者?)$/, '密接'],
  [/入境/, '入境'],
  [/中高风险|高风险|中风险/, '中高风险地区来返'],
  [/^其他$/, '其他'],
];

/** 人员类别 cell → category; '' → null (use the default); undefined when unknown. */
export function parseCategory(v: CellValue | undefined): Category | null | undefined {
  const s = cellText(v).replace(/\s+/g, '');
  if (!s) return null;
  for (const [re, c] of CATEGORY_WORDS) if (re.test(s)) return c;
  return undefined;
}

// The words upstream lists use for each column, and the mapping from header cells to fields (overridable by the caller).
import { toHalfWidth } from '../../shared/idcard.ts';
import { fail } from '../../shared/errors.ts';
import type { CellValue } from '../cell.ts';

export type ResidentField =
  | 'name'
  | 'docNumber'
  | 'phone'
  | 'sex'
  | 'community'
  | 'compound'
  | 'building'
  | 'unit'
  | 'room'
  | 'address'
  | 'startDate'
  | 'notes'
  | 'docType'
  | 'category'
  | 'birthDate'
  | 'guardian'
  | 'needs'
  | 'seq';

export type TestField = 'name' | 'docNumber' | 'phone' | 'sampleDate' | 'testType' | 'result' | 'tube' | 'seq';

export const RESIDENT_SYNONYMS: Record<ResidentField, string[]> = {
  name: ['姓名', '名字', '居民姓名', '隔离人员姓名'],
  docNumber: ['身份证号', '身份证号码', '证件号码', '公民身份号码', '身份证', '证件号'],
  phone: ['联系电话', '手机号', '手机号码', '电话', '联系方式'],
  sex: ['性别'],
  community: ['社区', '所属社区', '居委会'],
  compound: ['小区', '小区名称', '所在小区'],
  building: ['楼号', '楼栋', '楼栋号', '栋'],
  unit: ['单元', '单元号'],
  room: ['房号', '房间号', '门牌号', '户号'],
  address: ['住址', '地址', '居住地址', '详细地址'],
  startDate: ['隔离开始日期', '开始隔离时间', '隔离起始日期', '隔离开始时间', '开始日期'],
  notes: ['备注'],
  docType: ['证件类型'],
  category: ['人员类别', '人员类型'],
  birthDate: ['出生日期', '出生年月日', '出生年月', '生日'],
  // The name or document number of the person's guardian (another person of the list or of the database, same household).
  guardian: ['监护人', '监护人姓名', '监护人证件号码', '监护人身份证号', '监护人身份证号码', '监护人证件号'],
  needs: ['特殊需求', '特殊人群', '特殊需求人群', '重点人群', '特殊情况'],
  // A row counter: recognised so it is neither imported nor reported as an unknown column.
  seq: ['序号', '编号'],
};

export const TEST_SYNONYMS: Record<TestField, string[]> = {
  name: RESIDENT_SYNONYMS.name,
  docNumber: [...RESIDENT_SYNONYMS.docNumber, '护照号', '护照号码', '通行证号', '通行证号码'],
  phone: RESIDENT_SYNONYMS.phone,
  sampleDate: ['采样日期', '采样时间', '检测日期'],
  testType: ['检测类型', '检测方式'],
  result: ['检测结果', '结果'],
  tube: ['试管号', '试管编号', '管号', '采样管号', '试管条码', '条码号'],
  seq: RESIDENT_SYNONYMS.seq,
};

export const RESIDENT_FIELD_LABELS: Record<ResidentField, string> = {
  name: '姓名',
  docNumber: '身份证号',
  phone: '联系电话',
  sex: '性别',
  community: '社区',
  compound: '小区',
  building: '楼号',
  unit: '单元',
  room: '房号',
  address: '住址',
  startDate: '隔离开始日期',
  notes: '备注',
  docType: '证件类型',
  category: '人员类别',
  birthDate: '出生日期',
  guardian: '监护人',
  needs: '特殊需求',
  seq: '序号',
};

export const TEST_FIELD_LABELS: Record<TestField, string> = {
  name: '姓名',
  docNumber: '身份证号',
  phone: '联系电话',
  sampleDate: '采样日期',
  testType: '检测类型',
  result: '检测结果',
  tube: '试管号',
  seq: '序号',
};

/** A header cell as compared with the synonyms: half-width, no spaces, no line breaks, no trailing marks like * or ：. */
export function headerKey(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  return toHalfWidth(String(v))
    .replace(/\s+/g, '')
    .replace(/[*:：()（）]/g, '')
    .trim();
}

/** word → field, built once per synonym table. */
export function synonymIndex<F extends string>(synonyms: Record<F, string[]>): Map<string, F> {
  const m = new Map<string, F>();
  for (const [field, words] of Object.entries(synonyms) as [F, string[]][]) for (const w of words) m.set(headerKey(w), field);
  return m;
}

export interface ColumnMapping<F extends string> {
  /** field → 0-based column index. */
  fields: Partial<Record<F, number>>;
  /** Header texts of columns nothing reads (a warning). */
  ignored: { column: number; header: string }[];
  /** Every non-empty header cell with what it was mapped to (for the preview). */
  columns: { column: number; header: string; field: F | null }[];
}

/**
 * Maps header cells to fields. `override` (field → header text or 1-based column number) comes from the wizard or
 * the CLI and wins over the synonyms (null: do not read that field at all); the first column holding a synonym wins when two do.
 */
export function mapColumns<F extends string>(
  header: CellValue[],
  index: Map<string, F>,
  override: Partial<Record<F, string | number | null>> = {},
): ColumnMapping<F> {
  const fields: Partial<Record<F, number>> = {};
  const taken = new Set<number>();
  for (const [field, target] of Object.entries(override) as [F, string | number | null][]) {
    if (target === undefined || target === null || target === '') continue;
    const col = typeof target === 'number' ? target - 1 : header.findIndex((h) => headerKey(h) === headerKey(target));
    if (col >= 0 && col < Math.max(header.length, 1000)) {
      fields[field] = col;
      taken.add(col);
    }
  }
  header.forEach((h, col) => {
    if (taken.has(col)) return;
    const f = index.get(headerKey(h));
    if (f !== undefined && fields[f] === undefined && !(f in override)) {
      fields[f] = col;
      taken.add(col);
    }
  });
  const byColumn = new Map<number, F>();
  for (const [f, c] of Object.entries(fields) as [F, number][]) byColumn.set(c, f);
  const columns: ColumnMapping<F>['columns'] = [];
  const ignored: ColumnMapping<F>['ignored'] = [];
  header.forEach((h, col) => {
    const text = headerKey(h);
    if (!text) return;
    const field = byColumn.get(col) ?? null;
    columns.push({ column: col, header: String(h).trim(), field });
    if (field === null) ignored.push({ column: col, header: String(h).trim() });
  });
  return { fields, ignored, columns };
}

/** Excel's column letters for a 0-based index: 0 → A, 26 → AA. */
export function columnLetter(col: number): string {
  let s = '';
  let n = col + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Refuses a list without the columns it cannot do without (false entries are columns that are present). */
export function requireColumns(missing: (string | false)[]): void {
  const names = missing.filter((m): m is string => !!m);
  if (names.length === 0) return;
  throw fail('VALIDATION', 'import.missingColumns', { columns: names.join('、') }, { details: { missingColumns: names } });
}

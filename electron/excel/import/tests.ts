// Test-result lists (核酸/抗原 results from the testing site): same reading and checking machinery as resident lists;
// rows are matched by ID number to people in a running episode (unmatched ones are listed, never created) and
// recorded with recordTestResult, which opens an alert for a positive result.
import type { Ctx } from '../../domain/context.ts';
import { inTx } from '../../domain/context.ts';
import { audit } from '../../domain/audit.ts';
import { nowIso } from '../../domain/clock.ts';
import { recordTestResult } from '../../domain/tests.ts';
import type { TestResult, TestType } from '../../db/schema.ts';
import { scopeOf, type Actor } from '../../domain/actor.ts';
import { isBlank, type Table } from '../read.ts';
import type { CellValue } from '../cell.ts';
import { mapColumns, requireColumns, synonymIndex, TEST_FIELD_LABELS, TEST_SYNONYMS, type TestField } from './columns.ts';
import { findHeaderRow } from './header.ts';
import { cellText, parseDate, parseIdCell } from './normalise.ts';
import { checkPhone, normaliseOtherDocument } from '../../shared/idcard.ts';
import { IssueList, type RowIssue } from './issues.ts';
import { matchResidents, noMatchReason } from './match.ts';
import { mappingView, type ListAnalysis } from './residents.ts';
import type { CommitHooks, ImportMode } from './commit.ts';

export interface TestImportOptions {
  sheet?: string;
  mapping?: Partial<Record<TestField, string | number | null>>;
}

export interface PlannedTest {
  row: number;
  name: string;
  /** The document number as the list gave it, normalised (an ID number checked and upgraded; any other document as written). */
  docNumber: string | null;
  /** The mobile number, when the list has one (matched with the name when there is no document number). */
  phone: string | null;
  sampleDate: string;
  /** HH:MM when the list gave a time. */
  sampleTime: string | null;
  testType: TestType;
  result: TestResult;
  /** 试管号; rows of the list sharing one are a pooled sample (10混1). */
  tubeNo: string | null;
  pooled: boolean;
}

export type TestAnalysis = ListAnalysis<PlannedTest>;

const TEST_INDEX = synonymIndex(TEST_SYNONYMS);

function parseTestType(v: CellValue | undefined): TestType | undefined {
  const s = cellText(v).replace(/\s+/g, '');
  if (/核酸|PCR/i.test(s)) return '核酸';
  if (/抗原/.test(s)) return '抗原';
  return undefined;
}

function parseResult(v: CellValue | undefined): TestResult | undefined {
  const s = cellText(v).replace(/\s+/g, '');
  if (/^(阴性?|-|－|negative)$/i.test(s)) return '阴性';
  if (/^(阳性?|\+|＋|positive)$/i.test(s)) return '阳性';
  if (/^(待出结果|待出|未出|待检)$/.test(s)) return '待出结果';
  return undefined;
}

/** A document number of any type: an ID number (15 or 18 digits) is checked as one; anything else is kept as written. */
function parseDocCell(v: CellValue | undefined, todayDate: string): { ok: true; number: string | null } | { ok: false; code: string; reason: string } {
  if (isBlank(v)) return { ok: true, number: null };
  if (typeof v === 'number' && Math.abs(v) < 1e14 && Number.isInteger(v)) return { ok: true, number: String(Math.abs(v)) };
  const text = typeof v === 'number' ? '' : normaliseOtherDocument(cellText(v)).replace(/-/g, '');
  if (typeof v === 'number' || /^(\d{15}|\d{17}[\dX])$/.test(text) || /^\d+(\.\d+)?E\+?\d+$/.test(text)) {
    const id = parseIdCell(v, todayDate);
    return id.ok ? { ok: true, number: id.number } : id;
  }
  if (!/^[A-Z0-9]{4,30}$/.test(text)) return { ok: false, code: 'doc-format', reason: `证件号码“${cellText(v)}”不像身份证号、护照或通行证号码，请核对` };
  return { ok: true, number: text };
}

/** The time of a sample, HH:MM, when the cell has one (a date-time cell, an Excel serial with a fraction, or text). */
function parseSampleTime(v: CellValue | undefined): string | null {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (v instanceof Date) return v.getUTCHours() || v.getUTCMinutes() ? `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}` : null;
  if (typeof v === 'number') {
    const minutes = Math.round((v - Math.floor(v)) * 1440);
    return minutes > 0 && minutes < 1440 ? `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}` : null;
  }
  const m = /(\d{1,2})[:：时](\d{2})/.exec(cellText(v));
  return m && Number(m[1]) < 24 && Number(m[2]) < 60 ? `${pad(Number(m[1]))}:${m[2]}` : null;
}

export function analyseTests(table: Table, opts: TestImportOptions, ctx: { today: string }): TestAnalysis {
  const header = findHeaderRow(table.rows, TEST_INDEX, '姓名、身份证号、采样日期、检测结果');
  const headerCells = table.rows[header.index];
  const m = mapColumns(headerCells, TEST_INDEX, opts.mapping ?? {});
  const f = m.fields;
  requireColumns([f.docNumber === undefined && f.phone === undefined && '身份证号（或证件号码、联系电话）', f.sampleDate === undefined && '采样日期', f.result === undefined && '检测结果']);
  const issues = new IssueList(headerCells);
  for (const c of m.ignored) issues.warn(null, c.column, null, 'column-ignored', `“${c.header}”列不是可识别的列，未导入`);
  if (f.testType === undefined) issues.warn(null, undefined, null, 'test-type-default', '名单没有“检测类型”列，全部按核酸检测记录');
  const people: PlannedTest[] = [];
  const rejected: number[] = [];
  const seen = new Map<string, number>();
  let blankRows = 0;
  let dataRows = 0;
  for (let i = header.index + 1; i < table.rows.length; i++) {
    const cells = table.rows[i];
    const row = i + 1;
    if (cells.every((c, col) => col === f.seq || isBlank(c))) {
      blankRows++;
      continue;
    }
    const get = (field: TestField): CellValue | undefined => (f[field] === undefined ? undefined : cells[f[field]!]);
    dataRows++;
    const before = issues.errors.length;
    const name = cellText(get('name'));
    const doc = parseDocCell(get('docNumber'), ctx.today);
    if (!doc.ok) issues.error(row, f.docNumber, get('docNumber'), doc.code, doc.reason);
    const phone = isBlank(get('phone')) ? null : checkPhone(cellText(get('phone'))).phone;
    if (doc.ok && !doc.number) {
      if (!phone) issues.error(row, f.docNumber ?? f.phone, get('docNumber'), 'id-missing', '缺少证件号码（没有证件号码时请填写联系电话和姓名）');
      else if (!name) issues.error(row, f.name, get('name'), 'name-missing', '按联系电话匹配时须填写姓名');
    }
    const dateRaw = get('sampleDate');
    const sampleDate = parseDate(dateRaw, ctx.today, table.date1904);
    if (isBlank(dateRaw)) issues.error(row, f.sampleDate, dateRaw, 'sample-date-missing', '缺少采样日期');
    else if (!sampleDate) issues.error(row, f.sampleDate, dateRaw, 'sample-date-unreadable', '采样日期无法识别，请写成 2022-01-12 或 2022年1月12日');
    else if (sampleDate > ctx.today) issues.error(row, f.sampleDate, dateRaw, 'sample-date-future', `采样日期 ${sampleDate} 晚于今天`);
    const testType = f.testType === undefined || isBlank(get('testType')) ? '核酸' : parseTestType(get('testType'));
    if (!testType) issues.error(row, f.testType, get('testType'), 'test-type-unknown', '检测类型应为“核酸”或“抗原”');
    const result = parseResult(get('result'));
    if (!result) issues.error(row, f.result, get('result'), 'result-unknown', '检测结果应为“阴性”“阳性”或“待出结果”');
    const tubeNo = normaliseOtherDocument(cellText(get('tube'))) || null;
    const who = doc.ok && doc.number ? doc.number : `${phone}|${name}`;
    if ((doc.ok && doc.number) || phone) {
      if (sampleDate && testType) {
        const key = `${who}|${sampleDate}|${testType}|${tubeNo ?? ''}`;
        const first = seen.get(key);
        if (first !== undefined) issues.error(row, f.docNumber ?? f.phone, get('docNumber') ?? get('phone'), 'test-duplicate-in-file', `与第${first}行是同一人同一天的同类检测，请只保留一行`);
        else seen.set(key, row);
      }
    }
    if (issues.errors.length > before) rejected.push(row);
    else
      people.push({ row, name, docNumber: (doc as { number: string | null }).number, phone, sampleDate: sampleDate!, sampleTime: parseSampleTime(dateRaw), testType: testType!, result: result!, tubeNo, pooled: false });
  }
  markPooled(people, (p, reason) => {
    issues.error(p.row, f.result, null, 'tube-results-differ', reason);
    rejected.push(p.row);
  });
  return {
    sheetName: table.sheetName,
    sheetNames: table.sheetNames,
    headerRow: header.index + 1,
    title: header.title,
    mapping: mappingView(m, TEST_FIELD_LABELS),
    dataRows,
    blankRows,
    people: people.filter((p) => !rejected.includes(p.row)),
    errors: issues.errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)),
    warnings: issues.warnings,
    rejectedRows: [...new Set(rejected)].sort((a, b) => a - b),
  };
}

/**
 * Rows sharing a tube number are one pooled sample (10混1): marked pooled. A tube has one result; rows of one tube
 * that disagree are refused (the list is wrong), each saying which rows differ.
 */
function markPooled(people: PlannedTest[], refuse: (p: PlannedTest, reason: string) => void): void {
  const tubes = new Map<string, PlannedTest[]>();
  for (const p of people) if (p.tubeNo) tubes.set(p.tubeNo, [...(tubes.get(p.tubeNo) ?? []), p]);
  for (const [tube, rows] of tubes) {
    if (rows.length < 2) continue;
    for (const p of rows) p.pooled = true;
    const results = new Set(rows.map((p) => p.result));
    if (results.size > 1) {
      const list = rows.map((p) => `第${p.row}行${p.result}`).join('、');
      for (const p of rows) refuse(p, `试管号 ${tube} 是一个混管，各行的检测结果不一致（${list}），同一试管只能有一个结果，请核对后再导入`);
    }
  }
}

export interface TestPlan {
  matched: (PlannedTest & { residentId: number })[];
  /** Rows whose person is not in the database or has no running episode: listed, not created. */
  unmatched: RowIssue[];
  /** Results already recorded (same person, date, type, result): skipped. */
  duplicates: RowIssue[];
  warnings: RowIssue[];
}

/**
 * Matches rows to people under watch: by document number of any type or by phone and name (match.ts), then to their
 * running episode. With an actor confined to one community (a committee member), people of other communities are not
 * matched.
 */
export async function planTests(ctx: Pick<Ctx, 'db'> & { actor?: Actor }, people: PlannedTest[]): Promise<TestPlan> {
  const scope = ctx.actor ? scopeOf(ctx.actor) : null;
  const plan: TestPlan = { matched: [], unmatched: [], duplicates: [], warnings: [] };
  const matches = await matchResidents(ctx.db, people);
  const residentIds = [...new Set([...matches.values()].flatMap((m) => ('resident' in m ? [m.resident.id] : [])))];
  const episodes = new Map<number, { episodeId: number; startDate: string }>();
  for (let i = 0; i < residentIds.length; i += 900) {
    const rows = await ctx.db.selectFrom('episodes').select(['id', 'residentId', 'startDate']).where('status', '=', 'active').where('residentId', 'in', residentIds.slice(i, i + 900)).execute();
    for (const e of rows) episodes.set(e.residentId, { episodeId: e.id, startDate: e.startDate });
  }
  const issue = (p: PlannedTest, code: string, reason: string): RowIssue => ({ row: p.row, column: '', cell: '', value: p.name, reason, code });
  const recorded = new Set<string>();
  const episodeIds = [...new Set([...episodes.values()].map((f) => f.episodeId))];
  for (let i = 0; i < episodeIds.length; i += 900) {
    const rows = await ctx.db.selectFrom('tests').select(['episodeId', 'sampleDate', 'testType', 'result']).where('episodeId', 'in', episodeIds.slice(i, i + 900)).execute();
    for (const t of rows) recorded.add(`${t.episodeId}|${t.sampleDate}|${t.testType}|${t.result}`);
  }
  for (const p of people) {
    const m = matches.get(p.row)!;
    const r = 'resident' in m ? m.resident : null;
    const e = r ? episodes.get(r.id) : undefined;
    if (!r || !e) {
      if (!r && m && 'code' in m && m.code === 'ambiguous') plan.unmatched.push(issue(p, 'ambiguous', noMatchReason(p, m)));
      else plan.unmatched.push(issue(p, 'not-isolating', `${p.name || '此人'} 不在系统的在管隔离/监测人员中，未登记此结果`));
      continue;
    }
    if (scope !== null && r.communityId !== scope) {
      plan.unmatched.push(issue(p, 'out-of-scope', `${p.name || '此人'} 不属于本社区，未登记此结果（请交街道工作人员导入）`));
      continue;
    }
    if (p.sampleDate < e.startDate) {
      plan.unmatched.push(issue(p, 'before-episode', `采样日期 ${p.sampleDate} 早于 ${r.name} 本次隔离的开始日期 ${e.startDate}，未登记此结果`));
      continue;
    }
    if (recorded.has(`${e.episodeId}|${p.sampleDate}|${p.testType}|${p.result}`)) {
      plan.duplicates.push(issue(p, 'test-already-recorded', `${r.name} ${p.sampleDate} 的${p.testType}结果已登记过，跳过`));
      continue;
    }
    if (p.name && p.name !== r.name) plan.warnings.push(issue(p, 'name-differs', `该证件号码在系统中登记的姓名是“${r.name}”，与名单中的“${p.name}”不同，请核实`));
    plan.matched.push({ ...p, residentId: r.id });
  }
  return plan;
}

export interface TestImportSummary {
  status: 'written' | 'rejected';
  batchId: number | null;
  recorded: number;
  /** Alerts opened for positive results. */
  alerts: number;
  skipped: number;
  unmatched: RowIssue[];
  errors: RowIssue[];
  warnings: RowIssue[];
}

export async function commitTests(ctx: Ctx, a: TestAnalysis, opts: { mode: ImportMode; fileName: string }, hooks: CommitHooks = {}): Promise<TestImportSummary> {
  const rejected = async (): Promise<TestImportSummary> => {
    const plan = await planTests(ctx, a.people);
    return { status: 'rejected', batchId: null, recorded: 0, alerts: 0, skipped: plan.duplicates.length, unmatched: plan.unmatched, errors: a.errors, warnings: [...a.warnings, ...plan.warnings, ...plan.duplicates] };
  };
  if (opts.mode === 'all-or-nothing' && a.errors.length > 0) return rejected();
  return inTx(ctx, async (tx) => {
    const batch = await tx.db
      .insertInto('importBatches')
      .values({ kind: 'tests', fileName: opts.fileName, userName: tx.actor.username, at: nowIso(tx.clock), counts: '{}', undoneAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await planTests(tx, a.people);
    let alerts = 0;
    let done = 0;
    for (const p of plan.matched) {
      const r = await recordTestResult(tx, { residentId: p.residentId, sampleDate: p.sampleDate, testType: p.testType, result: p.result, source: 'import', importBatchId: batch.id });
      if (r.alertId) alerts++;
      hooks.progress?.({ done: ++done, total: plan.matched.length, phase: '写入' });
      if (done % 500 === 0) hooks.checkCancelled?.();
    }
    const counts = { rows: a.dataRows, recorded: plan.matched.length, alerts, skipped: plan.duplicates.length, unmatched: plan.unmatched.length, errors: a.errors.length, mode: opts.mode };
    await tx.db.updateTable('importBatches').set({ counts: JSON.stringify(counts) }).where('id', '=', batch.id).execute();
    await audit(tx, { action: 'import.tests', entity: 'import_batch', entityId: batch.id, extra: { fileName: opts.fileName, ...counts } });
    return {
      status: 'written',
      batchId: batch.id,
      recorded: plan.matched.length,
      alerts,
      skipped: plan.duplicates.length,
      unmatched: plan.unmatched,
      errors: a.errors,
      warnings: [...a.warnings, ...plan.warnings, ...plan.duplicates],
    };
  });
}

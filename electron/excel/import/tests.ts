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
import { IssueList, type RowIssue } from './issues.ts';
import { mappingView, type ListAnalysis } from './residents.ts';
import type { CommitHooks, ImportMode } from './commit.ts';

export interface TestImportOptions {
  sheet?: string;
  mapping?: Partial<Record<TestField, string | number | null>>;
}

export interface PlannedTest {
  row: number;
  name: string;
  docNumber: string;
  sampleDate: string;
  testType: TestType;
  result: TestResult;
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

export function analyseTests(table: Table, opts: TestImportOptions, ctx: { today: string }): TestAnalysis {
  const header = findHeaderRow(table.rows, TEST_INDEX, '姓名、身份证号、采样日期、检测结果');
  const headerCells = table.rows[header.index];
  const m = mapColumns(headerCells, TEST_INDEX, opts.mapping ?? {});
  const f = m.fields;
  requireColumns([f.docNumber === undefined && '身份证号', f.sampleDate === undefined && '采样日期', f.result === undefined && '检测结果']);
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
    const id = parseIdCell(get('docNumber'), ctx.today);
    if (!id.ok) issues.error(row, f.docNumber, get('docNumber'), id.code, id.reason);
    const dateRaw = get('sampleDate');
    const sampleDate = parseDate(dateRaw, ctx.today, table.date1904);
    if (isBlank(dateRaw)) issues.error(row, f.sampleDate, dateRaw, 'sample-date-missing', '缺少采样日期');
    else if (!sampleDate) issues.error(row, f.sampleDate, dateRaw, 'sample-date-unreadable', '采样日期无法识别，请写成 2022-01-12 或 2022年1月12日');
    else if (sampleDate > ctx.today) issues.error(row, f.sampleDate, dateRaw, 'sample-date-future', `采样日期 ${sampleDate} 晚于今天`);
    const testType = f.testType === undefined || isBlank(get('testType')) ? '核酸' : parseTestType(get('testType'));
    if (!testType) issues.error(row, f.testType, get('testType'), 'test-type-unknown', '检测类型应为“核酸”或“抗原”');
    const result = parseResult(get('result'));
    if (!result) issues.error(row, f.result, get('result'), 'result-unknown', '检测结果应为“阴性”“阳性”或“待出结果”');
    if (id.ok && sampleDate && testType) {
      const key = `${id.number}|${sampleDate}|${testType}`;
      const first = seen.get(key);
      if (first !== undefined) issues.error(row, f.docNumber, get('docNumber'), 'test-duplicate-in-file', `与第${first}行是同一人同一天的同类检测，请只保留一行`);
      else seen.set(key, row);
    }
    if (issues.errors.length > before) rejected.push(row);
    else people.push({ row, name, docNumber: (id as { number: string }).number, sampleDate: sampleDate!, testType: testType!, result: result! });
  }
  return {
    sheetName: table.sheetName,
    sheetNames: table.sheetNames,
    headerRow: header.index + 1,
    title: header.title,
    mapping: mappingView(m, TEST_FIELD_LABELS),
    dataRows,
    blankRows,
    people,
    errors: issues.errors,
    warnings: issues.warnings,
    rejectedRows: rejected,
  };
}

export interface TestPlan {
  matched: (PlannedTest & { residentId: number })[];
  /** Rows whose person is not in the database or has no running episode: listed, not created. */
  unmatched: RowIssue[];
  /** Results already recorded (same person, date, type, result): skipped. */
  duplicates: RowIssue[];
  warnings: RowIssue[];
}

/** With an actor confined to one community (a committee member), people of other communities are not matched. */
export async function planTests(ctx: Pick<Ctx, 'db'> & { actor?: Actor }, people: PlannedTest[]): Promise<TestPlan> {
  const scope = ctx.actor ? scopeOf(ctx.actor) : null;
  const plan: TestPlan = { matched: [], unmatched: [], duplicates: [], warnings: [] };
  const found = new Map<string, { id: number; name: string; communityId: number; episodeId: number; startDate: string }>();
  const numbers = [...new Set(people.map((p) => p.docNumber))];
  for (let i = 0; i < numbers.length; i += 900) {
    const rows = await ctx.db
      .selectFrom('residents as r')
      .innerJoin('episodes as e', (j) => j.onRef('e.residentId', '=', 'r.id').on('e.status', '=', 'active'))
      .select(['r.id', 'r.name', 'r.docNumber', 'r.communityId', 'e.id as episodeId', 'e.startDate'])
      .where('r.docType', '=', '居民身份证')
      .where('r.docNumber', 'in', numbers.slice(i, i + 900))
      .execute();
    for (const r of rows) found.set(r.docNumber!, r);
  }
  const issue = (p: PlannedTest, code: string, reason: string): RowIssue => ({ row: p.row, column: '', cell: '', value: p.name, reason, code });
  const recorded = new Set<string>();
  const episodeIds = [...new Set([...found.values()].map((f) => f.episodeId))];
  for (let i = 0; i < episodeIds.length; i += 900) {
    const rows = await ctx.db.selectFrom('tests').select(['episodeId', 'sampleDate', 'testType', 'result']).where('episodeId', 'in', episodeIds.slice(i, i + 900)).execute();
    for (const t of rows) recorded.add(`${t.episodeId}|${t.sampleDate}|${t.testType}|${t.result}`);
  }
  for (const p of people) {
    const r = found.get(p.docNumber);
    if (!r) {
      plan.unmatched.push(issue(p, 'not-isolating', `${p.name || '此人'} 不在系统的在管隔离/监测人员中，未登记此结果`));
      continue;
    }
    if (scope !== null && r.communityId !== scope) {
      plan.unmatched.push(issue(p, 'out-of-scope', `${p.name || '此人'} 不属于本社区，未登记此结果（请交街道工作人员导入）`));
      continue;
    }
    if (p.sampleDate < r.startDate) {
      plan.unmatched.push(issue(p, 'before-episode', `采样日期 ${p.sampleDate} 早于 ${r.name} 本次隔离的开始日期 ${r.startDate}，未登记此结果`));
      continue;
    }
    if (recorded.has(`${r.episodeId}|${p.sampleDate}|${p.testType}|${p.result}`)) {
      plan.duplicates.push(issue(p, 'test-already-recorded', `${r.name} ${p.sampleDate} 的${p.testType}结果已登记过，跳过`));
      continue;
    }
    if (p.name && p.name !== r.name) plan.warnings.push(issue(p, 'name-differs', `该身份证号在系统中登记的姓名是“${r.name}”，与名单中的“${p.name}”不同，请核实`));
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

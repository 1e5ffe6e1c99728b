// A test round's result list (全员核酸, from the test site): read and checked as any test-result list (tests.ts
// analyseTests: any document type, phone + name, 试管号 and 10混1 pooled tubes), then matched to every resident of the
// round's scope — not only the isolated. Rows matching nobody, or somebody outside the round, are listed and never
// created. Written in one transaction with the import batch (rounds-results.ts writes each row and opens the alerts).
import type { Ctx } from '../../domain/context.ts';
import { inTx } from '../../domain/context.ts';
import { audit } from '../../domain/audit.ts';
import { nowIso } from '../../domain/clock.ts';
import { getRound, inScope, type RoundScope } from '../../domain/rounds-scope.ts';
import { recordRoundResult } from '../../domain/rounds-results.ts';
import { fail } from '../../shared/errors.ts';
import type { RowIssue } from './issues.ts';
import type { CommitHooks, ImportMode } from './commit.ts';
import { matchResidents, noMatchReason } from './match.ts';
import type { PlannedTest, TestAnalysis, TestImportSummary } from './tests.ts';

export interface RoundTestPlan {
  matched: (PlannedTest & { residentId: number; communityId: number })[];
  unmatched: RowIssue[];
  duplicates: RowIssue[];
  warnings: RowIssue[];
}

/** The round, refused when it is closed (nothing more is imported into it). */
export async function openRound(ctx: Ctx, roundId: number): Promise<RoundScope> {
  const s = await getRound(ctx, roundId);
  if (s.round.status === 'closed') throw fail('VALIDATION', 'rounds.importRoundClosed', { name: s.round.name });
  return s;
}

export async function planRoundTests(ctx: Ctx, s: RoundScope, people: PlannedTest[]): Promise<RoundTestPlan> {
  const plan: RoundTestPlan = { matched: [], unmatched: [], duplicates: [], warnings: [] };
  const issue = (p: PlannedTest, code: string, reason: string): RowIssue => ({ row: p.row, column: '', cell: '', value: p.name, reason, code });
  const matches = await matchResidents(ctx.db, people);
  const ids = [...new Set([...matches.values()].flatMap((m) => ('resident' in m ? [m.resident.id] : [])))];
  const recorded = new Set<string>();
  for (let i = 0; i < ids.length; i += 900) {
    const rows = await ctx.db
      .selectFrom('tests')
      .select(['residentId', 'sampleDate', 'testType', 'tubeNo', 'result'])
      .where('roundId', '=', s.round.id)
      .where('residentId', 'in', ids.slice(i, i + 900))
      .execute();
    for (const t of rows) recorded.add(`${t.residentId}|${t.sampleDate}|${t.testType}|${t.tubeNo ?? ''}|${t.result}`);
  }
  for (const p of people) {
    const m = matches.get(p.row)!;
    if (!('resident' in m)) {
      plan.unmatched.push(issue(p, m.code === 'ambiguous' ? 'ambiguous' : 'not-found', noMatchReason(p, m)));
      continue;
    }
    const r = m.resident;
    if (!inScope(s.communityIds, r.communityId)) {
      plan.unmatched.push(issue(p, 'out-of-round', `${r.name} 不在本轮次（${s.round.name}）的范围内，未登记此结果`));
      continue;
    }
    if (recorded.has(`${r.id}|${p.sampleDate}|${p.testType}|${p.tubeNo ?? ''}|${p.result}`)) {
      plan.duplicates.push(issue(p, 'test-already-recorded', `${r.name} ${p.sampleDate} 的${p.testType}结果已登记过，跳过`));
      continue;
    }
    if (p.name && p.name !== r.name) plan.warnings.push(issue(p, 'name-differs', `该证件号码在系统中登记的姓名是“${r.name}”，与名单中的“${p.name}”不同，请核实`));
    if (p.sampleDate < s.round.startDate || p.sampleDate > s.round.endDate) {
      plan.warnings.push(issue(p, 'sample-date-outside-round', `采样日期 ${p.sampleDate} 不在本轮次的日期（${s.round.startDate}${s.round.endDate === s.round.startDate ? '' : ` 至 ${s.round.endDate}`}）内，请核实`));
    }
    plan.matched.push({ ...p, residentId: r.id, communityId: r.communityId });
  }
  return plan;
}

/** What a round's import adds to a test-result summary: the round, and the people flagged for a single-tube re-test. */
export interface RoundImportSummary extends TestImportSummary {
  roundId: number;
  retest: number;
}

export async function commitRoundTests(ctx: Ctx, roundId: number, a: TestAnalysis, opts: { mode: ImportMode; fileName: string }, hooks: CommitHooks = {}): Promise<RoundImportSummary> {
  const s = await openRound(ctx, roundId);
  if (opts.mode === 'all-or-nothing' && a.errors.length > 0) {
    const plan = await planRoundTests(ctx, s, a.people);
    return { status: 'rejected', batchId: null, recorded: 0, alerts: 0, skipped: plan.duplicates.length, unmatched: plan.unmatched, errors: a.errors, warnings: [...a.warnings, ...plan.warnings, ...plan.duplicates], roundId, retest: 0 };
  }
  return inTx(ctx, async (tx) => {
    const batch = await tx.db
      .insertInto('importBatches')
      .values({ kind: 'tests', fileName: opts.fileName, userName: tx.actor.username, at: nowIso(tx.clock), counts: '{}', undoneAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const plan = await planRoundTests(tx, s, a.people);
    let alerts = 0;
    let retest = 0;
    let done = 0;
    for (const p of plan.matched) {
      const r = await recordRoundResult(tx, {
        roundId,
        residentId: p.residentId,
        communityId: p.communityId,
        sampleDate: p.sampleDate,
        sampleTime: p.sampleTime ? `${p.sampleDate} ${p.sampleTime}` : null,
        testType: p.testType,
        result: p.result,
        tubeNo: p.tubeNo,
        pooled: p.pooled,
        importBatchId: batch.id,
      });
      if (r.alertId) alerts++;
      if (p.pooled && p.result === '阳性') retest++;
      hooks.progress?.({ done: ++done, total: plan.matched.length, phase: '写入' });
      if (done % 500 === 0) hooks.checkCancelled?.();
    }
    const counts = { rows: a.dataRows, recorded: plan.matched.length, alerts, retest, skipped: plan.duplicates.length, unmatched: plan.unmatched.length, errors: a.errors.length, mode: opts.mode, roundId };
    await tx.db.updateTable('importBatches').set({ counts: JSON.stringify(counts) }).where('id', '=', batch.id).execute();
    await audit(tx, { action: 'import.tests', entity: 'import_batch', entityId: batch.id, extra: { fileName: opts.fileName, ...counts } });
    return {
      status: 'written' as const,
      batchId: batch.id,
      recorded: plan.matched.length,
      alerts,
      skipped: plan.duplicates.length,
      unmatched: plan.unmatched,
      errors: a.errors,
      warnings: [...a.warnings, ...plan.warnings, ...plan.duplicates],
      roundId,
      retest,
    };
  });
}

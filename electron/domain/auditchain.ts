// Checking the audit trail's hash chain from the app (the audit viewer's 校验 button): the same check as the CLI's
// `verify` (db/audit-chain.ts), recorded in audit_chain_checks (the viewer shows the newest) and itself audited.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { requirePermission } from './actor.ts';
import { lastCheckedHead, verifyAuditChain, type ChainAnchor } from '../db/audit-chain.ts';

export interface AuditChainCheck {
  at: string;
  userName: string;
  ok: boolean;
  /** Rows checked. */
  rows: number;
  headId: number | null;
  /** The first row that did not verify. */
  brokenId: number | null;
  problems: string[];
}

/** The newest recorded check, or null when the chain was never checked from the app. */
export async function lastAuditChainCheck(ctx: Ctx): Promise<AuditChainCheck | null> {
  const r = await ctx.db.selectFrom('auditChainChecks').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!r) return null;
  let problems: string[];
  try {
    problems = JSON.parse(r.problems) as string[];
  } catch {
    problems = [r.problems];
  }
  return { at: r.at, userName: r.userName, ok: r.ok === 1, rows: r.rows, headId: r.headId, brokenId: r.brokenId, problems };
}

/** Checks the whole chain and its triggers now (admin), records the result and audits it. `anchors`: backups' heads. */
export async function checkAuditChainNow(ctx: Ctx, anchors: ChainAnchor[] = []): Promise<AuditChainCheck> {
  requirePermission(ctx.actor, 'audit.verify');
  // The walk reads page by page outside any transaction: the app's other requests (and a job's writes) go on meanwhile,
  // and rows appended during it only extend the chain. Recording the result is one short transaction afterwards.
  const report = await verifyAuditChain(ctx.db, [...(await lastCheckedHead(ctx.db)), ...anchors]);
  const check: AuditChainCheck = {
    at: nowIso(ctx.clock),
    userName: ctx.actor.username,
    ok: report.ok,
    rows: report.rows,
    headId: report.head?.id ?? null,
    brokenId: report.firstBrokenId,
    problems: report.problems,
  };
  await inTx(ctx, async (tx) => {
    // The audit row first: it takes the write lock before anything else is written.
    await audit(tx, { action: 'audit.verify', entity: 'audit', extra: { ok: check.ok, rows: check.rows, brokenId: check.brokenId, problems: check.problems.slice(0, 5) } });
    await tx.db
      .insertInto('auditChainChecks')
      .values({
        at: check.at,
        userName: check.userName,
        ok: check.ok ? 1 : 0,
        rows: check.rows,
        // Only a sound chain's head becomes the anchor the next check holds the chain to.
        headId: report.ok ? check.headId : null,
        headHash: report.ok ? (report.head?.hash ?? null) : null,
        brokenId: check.brokenId,
        problems: JSON.stringify(check.problems),
      })
      .execute();
  });
  return check;
}

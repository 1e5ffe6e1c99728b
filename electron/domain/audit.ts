// The append-only audit trail: every write, login, export, reveal and purge. The table's triggers refuse UPDATE/DELETE;
// every row is hash-chained to the one before it (db/audit-chain.ts), and this file is the only writer of audit_log.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { nowIso } from './clock.ts';
import type { Db } from '../db/open.ts';
import type { AuditAction } from '../shared/auditActions.ts';
import { isPostgres, lockAuditChain, takeIds } from '../db/engine.ts';
import { chainPrevHash, detailsCommit, pgChainHeadAndIds, newNonces, REANCHOR_ACTION, rowHash, SCRUBBED_DETAILS, toRanges } from '../db/audit-chain.ts';

export interface AuditInput {
  /** One of the named actions (shared/auditActions.ts), so every action written has its words. */
  action: AuditAction;
  entity?: string;
  entityId?: number | null;
  residentId?: number | null;
  before?: unknown;
  after?: unknown;
  extra?: Record<string, unknown>;
}

/** Keeps only the fields that changed, so before/after stay small and readable. */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>) {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of Object.keys(after)) {
    if (k === 'version' || k === 'updatedAt') continue;
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}

function auditRow(ctx: Ctx, entry: AuditInput, at: string) {
  const details: Record<string, unknown> = { ...(entry.extra ?? {}) };
  if (entry.before !== undefined) details.before = entry.before;
  if (entry.after !== undefined) details.after = entry.after;
  return {
    at,
    userName: ctx.actor.username,
    action: entry.action,
    entity: entry.entity ?? null,
    entityId: entry.entityId ?? null,
    residentId: entry.residentId ?? null,
    details: Object.keys(details).length ? JSON.stringify(details) : null,
  };
}

type AuditValues = ReturnType<typeof auditRow>;

/**
 * Appends rows to the chain inside the caller's transaction. The lock comes first (db/engine.ts lockAuditChain: on
 * SQLite a no-op DELETE that takes the write lock, on PostgreSQL an advisory lock), so the head read next is the
 * newest one and no other connection (a job worker, another server) can append before this transaction ends:
 * two writers never chain off the same row. (Were the head read under a read snapshot, SQLite would refuse the write
 * with SQLITE_BUSY_SNAPSHOT rather than fork the chain; taking the lock first avoids that error.)
 */
async function appendChained(db: Db, rows: AuditValues[]): Promise<void> {
  if (!db.isTransaction) throw new Error('appendChained needs a transaction');
  await lockAuditChain(db);
  let prev: string;
  let id: number;
  if (isPostgres(db)) {
    // One round trip instead of four (head, table lock, next id, sequence): the lock is held until commit.
    const head = await pgChainHeadAndIds(db, rows.length);
    prev = head.prev;
    id = head.next - 1;
  } else {
    prev = await chainPrevHash(db);
    id = (await takeIds(db, 'audit_log', rows.length)) - 1;
  }
  const nonces = newNonces(rows.length);
  const chained = rows.map((r, i) => {
    id++;
    const hash = rowHash(prev, { ...r, id }, detailsCommit(nonces[i], r.details));
    prev = hash;
    return { ...r, id, nonce: nonces[i], detailsHash: null, hash };
  });
  // 10 values a row: 1,500 rows stay well under SQLite's bound-parameter limit.
  for (let i = 0; i < chained.length; i += 1500) await db.insertInto('auditLog').values(chained.slice(i, i + 1500)).execute();
}

export async function audit(ctx: Ctx, entry: AuditInput): Promise<void> {
  await auditMany(ctx, [entry]);
}

/** Many audit rows in few statements (bulk imports); same rows as audit() would write one by one. */
export async function auditMany(ctx: Ctx, entries: AuditInput[]): Promise<void> {
  if (!entries.length) return;
  const at = nowIso(ctx.clock);
  const rows = entries.map((e) => auditRow(ctx, e, at));
  await inTx(ctx, (tx) => appendChained(tx.db, rows));
}

/**
 * A purge's scrub of audit entries about the people it removes: details become {"purged":true}, the nonce goes and
 * the row keeps its hash plus its commitment to the former details, so the chain stays intact. Then one re-anchoring
 * entry (itself chained) names the rows scrubbed and the purge's counts; verify refuses a scrubbed row it does not
 * name. Rows already scrubbed and re-anchor entries are left as they are. MUST run inside the purge's transaction
 * while audit_purge_gate holds its row (the DELETE trigger). Returns the ids newly scrubbed.
 */
export async function scrubAuditRows(ctx: Ctx, ids: number[]): Promise<number[]> {
  if (!ctx.db.isTransaction) throw new Error('scrubAuditRows needs a transaction');
  const done: number[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    // In id order: PostgreSQL's trigger (pg/audit.ts) checks each re-inserted row against the one before it.
    const rows = (await ctx.db.selectFrom('auditLog').selectAll().where('id', 'in', ids.slice(i, i + 500)).orderBy('id').execute()).filter(
      (r) => r.nonce !== null && r.action !== REANCHOR_ACTION,
    );
    if (!rows.length) continue;
    await ctx.db.deleteFrom('auditLog').where('id', 'in', rows.map((r) => r.id)).execute();
    await ctx.db
      .insertInto('auditLog')
      .values(rows.map((r) => ({ ...r, details: SCRUBBED_DETAILS, nonce: null, detailsHash: detailsCommit(r.nonce!, r.details) })))
      .execute();
    for (const r of rows) done.push(r.id);
  }
  return done;
}

/** The re-anchoring entry after a purge's scrub (see scrubAuditRows). */
export async function auditReanchor(ctx: Ctx, scrubbed: number[], extra: Record<string, unknown>): Promise<void> {
  await audit(ctx, { action: REANCHOR_ACTION, entity: 'audit', extra: { ...extra, scrubbed: scrubbed.length, ids: toRanges(scrubbed) } });
}

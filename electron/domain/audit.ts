// The append-only audit trail: every write, login, export, reveal and purge. The table's triggers refuse UPDATE/DELETE.
import type { Ctx } from './context.ts';
import { nowIso } from './clock.ts';

export interface AuditInput {
  action: string;
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

export async function audit(ctx: Ctx, entry: AuditInput): Promise<void> {
  await ctx.db.insertInto('auditLog').values(auditRow(ctx, entry, nowIso(ctx.clock))).execute();
}

/** Many audit rows in few statements (bulk imports); same rows as audit() would write one by one. */
export async function auditMany(ctx: Ctx, entries: AuditInput[]): Promise<void> {
  const at = nowIso(ctx.clock);
  const rows = entries.map((e) => auditRow(ctx, e, at));
  // 7 values a row: 2000 rows stay well under SQLite's bound-parameter limit.
  for (let i = 0; i < rows.length; i += 2000) await ctx.db.insertInto('auditLog').values(rows.slice(i, i + 2000)).execute();
}

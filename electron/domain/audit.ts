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

export async function audit(ctx: Ctx, entry: AuditInput): Promise<void> {
  const details: Record<string, unknown> = { ...(entry.extra ?? {}) };
  if (entry.before !== undefined) details.before = entry.before;
  if (entry.after !== undefined) details.after = entry.after;
  await ctx.db
    .insertInto('auditLog')
    .values({
      at: nowIso(ctx.clock),
      userName: ctx.actor.username,
      action: entry.action,
      entity: entry.entity ?? null,
      entityId: entry.entityId ?? null,
      residentId: entry.residentId ?? null,
      details: Object.keys(details).length ? JSON.stringify(details) : null,
    })
    .execute();
}

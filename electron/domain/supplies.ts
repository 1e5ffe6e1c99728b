// Supply requests (物资需求): logging a household's need and the delivery workflow (分派 → 配送 → 送达, or 取消).
// Every transition keeps its time and user in supply_transitions; every write is audited and version-checked.
// Rules (categories, transition table, overdue) live in supplyRules.ts; list and detail in supplyViews.ts; board, run
// sheet and day's numbers in supplyBoard.ts; the household finder in supplyHouseholds.ts.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import type { AuditAction } from '../shared/auditActions.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { asMessage, fail, invalid, issue, notFound, type FieldIssue } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import { toHalfWidth } from '../shared/idcard.ts';
import { canTransition, defaultUrgency, SUPPLY_CATEGORIES } from './supplyRules.ts';
import { getSupplyRequest, type SupplyDetail } from './supplyViews.ts';
import type { SupplyCategory, SupplyRequest, SupplyStatus, Urgency } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

// ---------------------------------------------------------------------------------------------------------------
// Logging a request

export interface SupplyItemInput {
  name: string;
  quantity?: string | null;
}

export interface CreateSupplyInput {
  householdId: number;
  category: SupplyCategory;
  /** Defaults to urgent for 药品 and 就医, else normal. */
  urgency?: Urgency | null;
  items: SupplyItemInput[];
  requestedBy?: string | null;
  notes?: string | null;
  amountCents?: number | null;
}

export const MAX_SUPPLY_ITEMS = 30;

const clean = (s: string | null | undefined) => toHalfWidth(String(s ?? '')).replace(/\s+/g, ' ').trim();

/** Items as the clerk typed them: trimmed, blank lines dropped, 1..30 lines. */
export function normaliseItems(items: SupplyItemInput[]): { name: string; quantity: string }[] {
  const out = (items ?? []).map((i) => ({ name: clean(i.name), quantity: clean(i.quantity) })).filter((i) => i.name || i.quantity);
  const issues: FieldIssue[] = [];
  out.forEach((i, n) => {
    if (!i.name) issues.push(issue(`items.${n}.name`, 'supplies.itemNameMissing', { line: n + 1 }));
    if (i.name.length > 60) issues.push(issue(`items.${n}.name`, 'supplies.itemNameLong', { line: n + 1 }));
    if (i.quantity.length > 30) issues.push(issue(`items.${n}.quantity`, 'supplies.quantityLong', { line: n + 1 }));
  });
  if (out.length === 0) issues.push(issue('items', 'rule.itemsRequired'));
  if (out.length > MAX_SUPPLY_ITEMS) issues.push(issue('items', 'supplies.tooManyItems', { max: MAX_SUPPLY_ITEMS }));
  if (issues.length) throw invalid('common.cannotSave', { problems: issues.map(asMessage) }, issues);
  return out;
}

function checkAmount(amountCents: number | null | undefined): number | null {
  if (amountCents == null) return null;
  if (!Number.isInteger(amountCents) || amountCents < 0 || amountCents > 100_000_000) {
    throw invalid('supplies.amountBad', undefined, [issue('amountCents', 'supplies.amountWrong')]);
  }
  return amountCents;
}

export async function createSupplyRequest(ctx: Ctx, input: CreateSupplyInput): Promise<SupplyDetail> {
  if (!SUPPLY_CATEGORIES.includes(input.category)) throw invalid('supplies.pickCategory', undefined, [issue('category', 'supplies.categoryWrong')]);
  const urgency = input.urgency ?? defaultUrgency(input.category);
  if (urgency !== 'normal' && urgency !== 'urgent') throw invalid('supplies.urgencyBad', undefined, [issue('urgency', 'supplies.urgencyWrong')]);
  const items = normaliseItems(input.items);
  const amountCents = checkAmount(input.amountCents);
  const requestedBy = clean(input.requestedBy).slice(0, 50) || null;
  const notes = input.notes?.trim().slice(0, 500) || null;
  const id = await inTx(ctx, async (ctx) => {
    const h = await ctx.db.selectFrom('households').select(['id', 'communityId', 'compoundId', 'address']).where('id', '=', input.householdId).executeTakeFirst();
    if (!h) throw notFound('thing.household');
    assertInScope(ctx.actor, h.communityId);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('supplyRequests')
      .values({
        householdId: h.id,
        communityId: h.communityId,
        compoundId: h.compoundId,
        category: input.category,
        urgency,
        requestedBy,
        notes,
        status: 'new',
        cadreId: null,
        amountCents,
        paid: 0,
        cancelReason: null,
        createdBy: ctx.actor.username,
        statusAt: at,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await ctx.db.insertInto('supplyItems').values(items.map((i) => ({ requestId: row.id, ...i }))).execute();
    await ctx.db.insertInto('supplyTransitions').values({ requestId: row.id, fromStatus: null, toStatus: 'new', userName: ctx.actor.username, note: null, at }).execute();
    await audit(ctx, {
      action: 'supply.create',
      entity: 'supply_request',
      entityId: row.id,
      after: { householdId: h.id, address: h.address, category: input.category, urgency, items, requestedBy, notes, amountCents },
    });
    return row.id;
  });
  return getSupplyRequest(ctx, id);
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow

const AUDIT_ACTIONS: Record<SupplyStatus, AuditAction> = {
  new: 'supply.create',
  assigned: 'supply.assign',
  delivering: 'supply.start_delivery',
  delivered: 'supply.deliver',
  cancelled: 'supply.cancel',
};

async function loadRequest(ctx: Ctx, id: number): Promise<SupplyRequest> {
  const r = await ctx.db.selectFrom('supplyRequests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('thing.supply');
  assertInScope(ctx.actor, r.communityId);
  return r;
}

/** One status move: table check, version check, transition row with time and user, audit. */
async function transition(
  ctx: Ctx,
  input: { id: number; version: number },
  to: SupplyStatus,
  opts: { note?: string | null; set?: Partial<Pick<SupplyRequest, 'cadreId' | 'cancelReason'>>; check?: (ctx: Ctx, r: SupplyRequest) => Promise<void> } = {},
): Promise<SupplyDetail> {
  await inTx(ctx, async (ctx) => {
    const r = await loadRequest(ctx, input.id);
    if (!canTransition(r.status, to)) {
      const why = r.status === 'delivered' || r.status === 'cancelled' ? msg('supplies.closed') : msg('supplies.followFlow');
      const params = { status: msg(`label.supplyStatus.${r.status}` as const), action: msg(`label.supplyAction.${to}` as const), why };
      throw fail('VALIDATION', 'supplies.badTransition', params, { details: { status: r.status, to } });
    }
    await opts.check?.(ctx, r);
    const at = nowIso(ctx.clock);
    await updateVersioned(ctx, 'supplyRequests', r.id, input.version, { ...opts.set, status: to, statusAt: at, updatedAt: at }, 'thing.supply');
    const note = opts.note?.trim() || null;
    await ctx.db.insertInto('supplyTransitions').values({ requestId: r.id, fromStatus: r.status, toStatus: to, userName: ctx.actor.username, note, at }).execute();
    const before: Record<string, unknown> = { status: r.status };
    const after: Record<string, unknown> = { status: to };
    for (const k of Object.keys(opts.set ?? {}) as (keyof SupplyRequest)[]) {
      before[k] = r[k];
      after[k] = (opts.set as Record<string, unknown>)[k];
    }
    await audit(ctx, { action: r.status === 'assigned' && to === 'assigned' ? 'supply.reassign' : AUDIT_ACTIONS[to], entity: 'supply_request', entityId: r.id, before, after, extra: note ? { note } : undefined });
  });
  return getSupplyRequest(ctx, input.id);
}

/** 分派 (or 改派) to a cadre who is 在岗 today, posted to the request's community. */
export async function assignSupplyRequest(ctx: Ctx, input: { id: number; version: number; cadreId: number; note?: string | null }): Promise<SupplyDetail> {
  return transition(ctx, input, 'assigned', {
    note: input.note,
    set: { cadreId: input.cadreId },
    check: async (ctx, r) => {
      const c = await ctx.db.selectFrom('cadres').select(['id', 'name', 'status', 'communityId', 'dutyFrom', 'dutyTo']).where('id', '=', input.cadreId).executeTakeFirst();
      if (!c) throw notFound('thing.cadre');
      if (r.status === 'assigned' && r.cadreId === c.id) throw invalid('supplies.alreadyAssigned', { name: c.name });
      if (c.status === 'withdrawn') throw invalid('supplies.cadreWithdrawn', { name: c.name }, [issue('cadreId', 'supplies.cadreWithdrawnField')]);
      if (c.status !== 'on_duty') throw invalid('supplies.cadreResting', { name: c.name }, [issue('cadreId', 'supplies.cadreRestingField')]);
      const d = today(ctx.clock);
      if ((c.dutyFrom && d < c.dutyFrom) || (c.dutyTo && d > c.dutyTo)) {
        throw invalid('supplies.cadreOffDuty', { name: c.name, from: c.dutyFrom ?? '…', to: c.dutyTo ?? '…' }, [issue('cadreId', 'supplies.cadreOffDutyField')]);
      }
      if (c.communityId !== null && c.communityId !== r.communityId) {
        throw invalid('supplies.cadreElsewhere', { name: c.name }, [issue('cadreId', 'supplies.cadreElsewhereField')]);
      }
    },
  });
}

export async function startDelivery(ctx: Ctx, input: { id: number; version: number; note?: string | null }): Promise<SupplyDetail> {
  return transition(ctx, input, 'delivering', { note: input.note });
}

export async function markDelivered(ctx: Ctx, input: { id: number; version: number; note?: string | null }): Promise<SupplyDetail> {
  return transition(ctx, input, 'delivered', { note: input.note });
}

export async function cancelSupplyRequest(ctx: Ctx, input: { id: number; version: number; reason: string }): Promise<SupplyDetail> {
  const reason = input.reason?.trim();
  if (!reason) throw invalid('supplies.cancelReason', undefined, [issue('reason', 'supplies.cancelReasonField')]);
  return transition(ctx, input, 'cancelled', { note: reason, set: { cancelReason: reason.slice(0, 500) } });
}

/** 代购金额 and 已收款 for purchases made on the household's behalf; does not move the status. */
export async function setPayment(ctx: Ctx, input: { id: number; version: number; amountCents: number | null; paid: boolean }): Promise<SupplyDetail> {
  const amountCents = checkAmount(input.amountCents);
  if (input.paid && amountCents === null) throw invalid('supplies.amountBeforePaid', undefined, [issue('amountCents', 'supplies.amountRequired')]);
  await inTx(ctx, async (ctx) => {
    const r = await loadRequest(ctx, input.id);
    await updateVersioned(ctx, 'supplyRequests', r.id, input.version, { amountCents, paid: input.paid ? 1 : 0 }, 'thing.supply');
    await audit(ctx, {
      action: 'supply.payment',
      entity: 'supply_request',
      entityId: r.id,
      before: { amountCents: r.amountCents, paid: !!r.paid },
      after: { amountCents, paid: input.paid },
    });
  });
  return getSupplyRequest(ctx, input.id);
}

// Supply requests (物资需求): logging a household's need and the delivery workflow (分派 → 配送 → 送达, or 取消).
// Every transition keeps its time and user in supply_transitions; every write is audited and version-checked.
// Rules (categories, transition table, overdue) live in supplyRules.ts; lists and numbers in supplyViews.ts.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso, today } from './clock.ts';
import { assertInScope } from './actor.ts';
import { AppError, invalid, notFound, type FieldIssue } from '../shared/errors.ts';
import { toHalfWidth } from './idcard.ts';
import { canTransition, defaultUrgency, SUPPLY_CATEGORIES, SUPPLY_STATUS_LABELS } from './supplyRules.ts';
import { getSupplyRequest, type SupplyDetail } from './supplyViews.ts';
import type { SupplyCategory, SupplyRequest, SupplyStatus, Urgency } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export * from './supplyRules.ts';
export * from './supplyViews.ts';

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
    if (!i.name) issues.push({ field: `items.${n}.name`, message: `第${n + 1}行缺少物品名称` });
    if (i.name.length > 60) issues.push({ field: `items.${n}.name`, message: `第${n + 1}行物品名称过长（最多60字）` });
    if (i.quantity.length > 30) issues.push({ field: `items.${n}.quantity`, message: `第${n + 1}行数量过长（最多30字）` });
  });
  if (out.length === 0) issues.push({ field: 'items', message: '请至少填写一项物品或事项' });
  if (out.length > MAX_SUPPLY_ITEMS) issues.push({ field: 'items', message: `一条需求最多${MAX_SUPPLY_ITEMS}行，请分成几条登记` });
  if (issues.length) throw invalid(`无法保存：${issues.map((i) => i.message).join('；')}`, issues);
  return out;
}

function checkAmount(amountCents: number | null | undefined): number | null {
  if (amountCents == null) return null;
  if (!Number.isInteger(amountCents) || amountCents < 0 || amountCents > 100_000_000) {
    throw invalid('代购金额不正确（应为不小于0的金额）', [{ field: 'amountCents', message: '金额不正确' }]);
  }
  return amountCents;
}

export async function createSupplyRequest(ctx: Ctx, input: CreateSupplyInput): Promise<SupplyDetail> {
  if (!SUPPLY_CATEGORIES.includes(input.category)) throw invalid('请选择需求类别', [{ field: 'category', message: '类别不正确' }]);
  const urgency = input.urgency ?? defaultUrgency(input.category);
  if (urgency !== 'normal' && urgency !== 'urgent') throw invalid('紧急程度应为“普通”或“紧急”', [{ field: 'urgency', message: '不正确' }]);
  const items = normaliseItems(input.items);
  const amountCents = checkAmount(input.amountCents);
  const requestedBy = clean(input.requestedBy).slice(0, 50) || null;
  const notes = input.notes?.trim().slice(0, 500) || null;
  const id = await inTx(ctx, async (ctx) => {
    const h = await ctx.db.selectFrom('households').select(['id', 'communityId', 'compoundId', 'address']).where('id', '=', input.householdId).executeTakeFirst();
    if (!h) throw notFound('该户');
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

const ACTION_LABELS: Record<SupplyStatus, string> = {
  new: '登记',
  assigned: '分派',
  delivering: '开始配送',
  delivered: '标记送达',
  cancelled: '取消',
};

const AUDIT_ACTIONS: Record<SupplyStatus, string> = {
  new: 'supply.create',
  assigned: 'supply.assign',
  delivering: 'supply.start_delivery',
  delivered: 'supply.deliver',
  cancelled: 'supply.cancel',
};

async function loadRequest(ctx: Ctx, id: number): Promise<SupplyRequest> {
  const r = await ctx.db.selectFrom('supplyRequests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('该物资需求');
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
      const why = r.status === 'delivered' || r.status === 'cancelled' ? '该需求已办结，不能再改动。' : '请刷新后按流程办理。';
      throw new AppError('VALIDATION', `该需求当前状态为“${SUPPLY_STATUS_LABELS[r.status]}”，不能${ACTION_LABELS[to]}。${why}`, {
        details: { status: r.status, to },
      });
    }
    await opts.check?.(ctx, r);
    const at = nowIso(ctx.clock);
    await updateVersioned(ctx, 'supplyRequests', r.id, input.version, { ...opts.set, status: to, statusAt: at, updatedAt: at }, '该物资需求');
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
      if (!c) throw notFound('该下沉干部');
      if (r.status === 'assigned' && r.cadreId === c.id) throw invalid(`该需求已分派给${c.name}，无需重复分派。`);
      if (c.status === 'withdrawn') throw invalid(`${c.name}已撤回，不能分派。请选择一名在岗的下沉干部。`, [{ field: 'cadreId', message: '该干部已撤回' }]);
      if (c.status !== 'on_duty') throw invalid(`${c.name}正在轮休，不能分派。请选择一名在岗的下沉干部。`, [{ field: 'cadreId', message: '该干部轮休中' }]);
      const d = today(ctx.clock);
      if ((c.dutyFrom && d < c.dutyFrom) || (c.dutyTo && d > c.dutyTo)) {
        throw invalid(`${c.name}的在岗日期为 ${c.dutyFrom ?? '…'} 至 ${c.dutyTo ?? '…'}，今天不在岗。请选择其他干部或先修改其在岗日期。`, [{ field: 'cadreId', message: '今天不在岗' }]);
      }
      if (c.communityId !== null && c.communityId !== r.communityId) {
        throw invalid(`${c.name}派驻在其他社区，不能分派本社区的需求。请选择本社区的干部，或先在干部名册中调整其派驻社区。`, [{ field: 'cadreId', message: '不是本社区的干部' }]);
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
  if (!reason) throw invalid('取消须填写原因', [{ field: 'reason', message: '请填写取消原因' }]);
  return transition(ctx, input, 'cancelled', { note: reason, set: { cancelReason: reason.slice(0, 500) } });
}

/** 代购金额 and 已收款 for purchases made on the household's behalf; does not move the status. */
export async function setPayment(ctx: Ctx, input: { id: number; version: number; amountCents: number | null; paid: boolean }): Promise<SupplyDetail> {
  const amountCents = checkAmount(input.amountCents);
  if (input.paid && amountCents === null) throw invalid('标记已收款前请先填写代购金额', [{ field: 'amountCents', message: '请填写金额' }]);
  await inTx(ctx, async (ctx) => {
    const r = await loadRequest(ctx, input.id);
    await updateVersioned(ctx, 'supplyRequests', r.id, input.version, { amountCents, paid: input.paid ? 1 : 0 }, '该物资需求');
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

// Abnormal-condition alerts (异常告警): opened by abnormal check-ins and positive tests, closed by recording what was done.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { invalid, notFound } from '../shared/errors.ts';
import type { Alert, AlertStatus } from '../db/schema.ts';
import type { Page } from './residents.ts';
import { updateVersioned } from './versioned.ts';

export const ALERT_ACTIONS = ['上报', '送医', '复测正常', '转运', '其他'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export interface OpenAlertInput {
  residentId: number;
  episodeId: number | null;
  communityId: number;
  checkinId?: number | null;
  testId?: number | null;
  date: string;
  reason: string;
}

/** Internal: called by check-ins and test results inside their own transaction; the caller has checked scope. */
export async function openAlert(ctx: Ctx, input: OpenAlertInput): Promise<Alert> {
  const at = nowIso(ctx.clock);
  const row = await ctx.db
    .insertInto('alerts')
    .values({
      residentId: input.residentId,
      episodeId: input.episodeId,
      communityId: input.communityId,
      checkinId: input.checkinId ?? null,
      testId: input.testId ?? null,
      date: input.date,
      reason: input.reason,
      status: 'open',
      action: null,
      actionNote: null,
      closedBy: null,
      closedAt: null,
      createdAt: at,
      updatedAt: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(ctx, {
    action: 'alert.open',
    entity: 'alert',
    entityId: row.id,
    residentId: input.residentId,
    after: { date: input.date, reason: input.reason, checkinId: row.checkinId, testId: row.testId },
  });
  return row;
}

export interface AlertQuery {
  status?: AlertStatus;
  communityId?: number;
  residentId?: number;
  offset?: number;
  limit?: number;
  withTotal?: boolean;
}

export interface AlertRow {
  id: number;
  version: number;
  residentId: number;
  name: string;
  communityId: number;
  community: string;
  compound: string;
  address: string;
  episodeId: number | null;
  checkinId: number | null;
  testId: number | null;
  date: string;
  reason: string;
  status: AlertStatus;
  action: string | null;
  actionNote: string | null;
  closedBy: string | null;
  closedAt: string | null;
  createdAt: string;
}

function alertQuery(ctx: Ctx, q: AlertQuery) {
  let query = ctx.db.selectFrom('alerts as a');
  const scope = scopeOf(ctx.actor);
  if (scope !== null) query = query.where('a.communityId', '=', scope);
  if (q.communityId) query = query.where('a.communityId', '=', q.communityId);
  if (q.residentId) query = query.where('a.residentId', '=', q.residentId);
  if (q.status) query = query.where('a.status', '=', q.status);
  return query;
}

/** Newest first; paged in SQL (index alerts_status serves the usual "open in my community" list). */
export async function listAlerts(ctx: Ctx, q: AlertQuery = {}): Promise<Page<AlertRow>> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const rows = await alertQuery(ctx, q)
    .innerJoin('residents as r', 'r.id', 'a.residentId')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'a.communityId')
    .innerJoin('places as p', 'p.id', 'h.compoundId')
    .select([
      'a.id',
      'a.version',
      'a.residentId',
      'r.name',
      'a.communityId',
      'c.name as community',
      'p.name as compound',
      'h.address',
      'a.episodeId',
      'a.checkinId',
      'a.testId',
      'a.date',
      'a.reason',
      'a.status',
      'a.action',
      'a.actionNote',
      'a.closedBy',
      'a.closedAt',
      'a.createdAt',
    ])
    .orderBy('a.createdAt', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  let total: number | null = null;
  if (q.withTotal !== false) {
    const t = await alertQuery(ctx, q).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    total = Number(t.n);
  }
  return { rows, total };
}

export interface CloseAlertInput {
  id: number;
  version: number;
  action: AlertAction;
  note?: string | null;
}

/** Records what was done about an alert (action, note, who, when) and closes it. */
export async function closeAlert(ctx: Ctx, input: CloseAlertInput): Promise<Alert> {
  if (!ALERT_ACTIONS.includes(input.action)) throw invalid(`处理方式应为：${ALERT_ACTIONS.join('、')}`, [{ field: 'action', message: '请选择处理方式' }]);
  const note = input.note?.trim() || null;
  if (input.action === '其他' && !note) throw invalid('处理方式为“其他”时，请在说明中写明做了什么', [{ field: 'note', message: '请填写处理说明' }]);
  return inTx(ctx, async (ctx) => {
    const a = await ctx.db.selectFrom('alerts').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!a) throw notFound('该告警');
    assertInScope(ctx.actor, a.communityId);
    if (a.status !== 'open') throw invalid(`该告警已由${a.closedBy ?? '他人'}处理（${a.action ?? ''}），无需重复处理。请刷新列表。`);
    const at = nowIso(ctx.clock);
    await updateVersioned(ctx, 'alerts', a.id, input.version, { status: 'closed', action: input.action, actionNote: note, closedBy: ctx.actor.displayName, closedAt: at, updatedAt: at }, '该告警');
    await audit(ctx, {
      action: 'alert.close',
      entity: 'alert',
      entityId: a.id,
      residentId: a.residentId,
      before: { status: 'open' },
      after: { status: 'closed', action: input.action, actionNote: note },
    });
    return ctx.db.selectFrom('alerts').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
  });
}

// Abnormal-condition alerts (异常告警): opened by abnormal check-ins and positive tests, closed by recording what was done.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { assertInScope, scopeOf } from './actor.ts';
import { invalid, issue, notFound } from '../shared/errors.ts';
import { msg } from '../shared/messages/index.ts';
import type { Alert, AlertStatus } from '../db/schema.ts';
import type { Page } from './residents-list.ts';
import { ALERT_ACTIONS, type AlertAction } from '../shared/enums.ts';
import { parseAlertReason, type AlertReasonParts } from './alertReason.ts';
import { updateVersioned } from './versioned.ts';
import { checkPlaceFilter, householdsIn } from './place-filter.ts';


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
  /** Alerts of people whose household (the one the row shows) lies in this compound / building. */
  compoundId?: number;
  buildingId?: number;
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
  /** The reason as parts a screen words in its own language; null when the text is not one this app writes. */
  reasonParts: AlertReasonParts | null;
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
  const households = householdsIn(ctx, q);
  if (households) query = query.where('a.residentId', 'in', (sub) => sub.selectFrom('residents as fr').select('fr.id').where('fr.householdId', 'in', households));
  if (q.status) query = query.where('a.status', '=', q.status);
  return query;
}

/** Newest first; paged in SQL (index alerts_status serves the usual "open in my community" list). */
export async function listAlerts(ctx: Ctx, q: AlertQuery = {}): Promise<Page<AlertRow>> {
  await checkPlaceFilter(ctx, q);
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
  return { rows: rows.map((r) => ({ ...r, reasonParts: parseAlertReason(r.reason) })), total };
}

export interface CloseAlertInput {
  id: number;
  version: number;
  action: AlertAction;
  note?: string | null;
}

/** Records what was done about an alert (action, note, who, when) and closes it. */
export async function closeAlert(ctx: Ctx, input: CloseAlertInput): Promise<Alert> {
  if (!ALERT_ACTIONS.includes(input.action)) throw invalid('alerts.actionBad', { choices: ALERT_ACTIONS.join('、') }, [issue('action', 'alerts.pickAction')]);
  const note = input.note?.trim() || null;
  if (input.action === '其他' && !note) throw invalid('alerts.otherNeedsNote', undefined, [issue('note', 'alerts.noteRequired')]);
  return inTx(ctx, async (ctx) => {
    const a = await ctx.db.selectFrom('alerts').selectAll().where('id', '=', input.id).executeTakeFirst();
    if (!a) throw notFound('thing.alert');
    assertInScope(ctx.actor, a.communityId);
    if (a.status !== 'open') throw invalid('alerts.alreadyClosed', { by: a.closedBy ?? msg('alerts.someoneElse'), action: a.action ?? '' });
    const at = nowIso(ctx.clock);
    await updateVersioned(ctx, 'alerts', a.id, input.version, { status: 'closed', action: input.action, actionNote: note, closedBy: ctx.actor.displayName, closedAt: at, updatedAt: at }, 'thing.alert');
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

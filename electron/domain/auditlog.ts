// Reading the audit trail: filtered and paged in SQL (newest first), personal values masked. The Excel export reads
// it through auditPages (excel/export/audit.ts exportAudit).
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { Ctx } from './context.ts';
import { addDays } from './dates.ts';
import { maskDetails } from '../shared/idcard.ts';
import { scopeOf } from './actor.ts';
import type { Page } from './residents-list.ts';
import type { Database } from '../db/schema.ts';
import { auditActionLabel } from '../shared/auditActions.ts';

export interface AuditQuery {
  userName?: string;
  /** Exact action ('resident.update'), or a prefix ending in '.' ('resident.') for a whole area. */
  action?: string;
  /** Dates 'YYYY-MM-DD' (office time), both inclusive. */
  from?: string;
  to?: string;
  residentId?: number;
  entity?: string;
  offset?: number;
  limit?: number;
  withTotal?: boolean;
}

export interface AuditRow {
  id: number;
  at: string;
  userName: string;
  action: string;
  /** The action in Chinese when known. */
  actionLabel: string;
  entity: string | null;
  entityId: number | null;
  residentId: number | null;
  /** Parsed details with ID numbers, birth dates and phones masked. */
  details: unknown;
  /** The entry's personal values were removed by a purge. */
  purged: boolean;
}

/** An entry as the audit viewer lists it: with the names behind the ids (listAudit). */
export interface AuditListRow extends AuditRow {
  /** The acting account's display name; null for the built-in cli/system users and unknown names. */
  userDisplayName: string | null;
  /** The person's name, as the residents list shows it to this reader; null when purged or outside their scope. */
  residentName: string | null;
  /** The record's name: an account's display name, a person's, a place's or a cadre's; null when not known. */
  entityName: string | null;
}

/** Masks ID numbers, birth dates and phones wherever they sit in a details object (before/after, extra). */
export { maskDetails };

type Eb = ExpressionBuilder<Database, 'auditLog'>;
type AuditDbRow = Selectable<Database['auditLog']>;

function filters(q: AuditQuery) {
  return (eb: Eb) => {
    const c = [];
    if (q.userName) c.push(eb('userName', '=', q.userName));
    if (q.action) c.push(q.action.endsWith('.') ? eb('action', 'like', `${q.action.replace(/[\\%_]/g, '')}%`) : eb('action', '=', q.action));
    if (q.from) c.push(eb('at', '>=', q.from));
    // `at` is an ISO instant in office time: everything before the next day's midnight.
    if (q.to) c.push(eb('at', '<', addDays(q.to, 1)));
    if (q.residentId) c.push(eb('residentId', '=', q.residentId));
    if (q.entity) c.push(eb('entity', '=', q.entity));
    return eb.and(c);
  };
}

function toRow({ nonce: _n, detailsHash: _d, hash: _h, ...r }: AuditDbRow): AuditRow {
  let details: unknown = null;
  if (r.details) {
    try {
      details = maskDetails(JSON.parse(r.details));
    } catch {
      details = r.details;
    }
  }
  const purged = !!details && typeof details === 'object' && (details as { purged?: unknown }).purged === true;
  return { ...r, actionLabel: auditActionLabel(r.action, 'zh'), details, purged };
}

const uniq = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined))];

/**
 * Puts names to the ids of a page of entries, in a few lookups: accounts by user name and id, people (only those the
 * reader may see in the residents list: a committee member's own community), places and cadres.
 */
async function withNames(ctx: Ctx, rows: AuditRow[]): Promise<AuditListRow[]> {
  const of = (entity: string) => uniq(rows.filter((r) => r.entity === entity).map((r) => r.entityId));
  const userNames = uniq(rows.map((r) => r.userName));
  const userIds = of('user');
  const residentIds = uniq([...rows.map((r) => r.residentId), ...of('resident')]);
  const placeIds = of('place');
  const cadreIds = of('cadre');
  const users = userNames.length || userIds.length
    ? await ctx.db
        .selectFrom('users')
        .select(['id', 'username', 'displayName'])
        .where((eb) => eb.or([eb('username', 'in', userNames.length ? userNames : ['']), eb('id', 'in', userIds.length ? userIds : [0])]))
        .execute()
    : [];
  const scope = scopeOf(ctx.actor);
  const people = residentIds.length
    ? await ctx.db
        .selectFrom('residents')
        .select(['id', 'name'])
        .where('id', 'in', residentIds)
        .$if(scope !== null, (qb) => qb.where('communityId', '=', scope!))
        .execute()
    : [];
  const places = placeIds.length ? await ctx.db.selectFrom('places').select(['id', 'name']).where('id', 'in', placeIds).execute() : [];
  const cadres = cadreIds.length ? await ctx.db.selectFrom('cadres').select(['id', 'name']).where('id', 'in', cadreIds).execute() : [];
  const byUsername = new Map(users.map((u) => [u.username, u.displayName]));
  const names: Record<string, Map<number, string>> = {
    user: new Map(users.map((u) => [u.id, u.displayName])),
    resident: new Map(people.map((p) => [p.id, p.name])),
    place: new Map(places.map((p) => [p.id, p.name])),
    cadre: new Map(cadres.map((c) => [c.id, c.name])),
  };
  return rows.map((r) => ({
    ...r,
    userDisplayName: byUsername.get(r.userName) ?? null,
    residentName: r.residentId ? (names.resident.get(r.residentId) ?? null) : null,
    entityName: r.entity && r.entityId ? (names[r.entity]?.get(r.entityId) ?? null) : null,
  }));
}

export async function listAudit(ctx: Ctx, q: AuditQuery = {}): Promise<Page<AuditListRow>> {
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const rows = await ctx.db
    .selectFrom('auditLog')
    .selectAll()
    .where(filters(q))
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  let total: number | null = null;
  if (q.withTotal ?? offset === 0) {
    const t = await ctx.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).where(filters(q)).executeTakeFirstOrThrow();
    total = Number(t.n);
  }
  return { rows: await withNames(ctx, rows.map(toRow)), total };
}

/** Reads the filtered log newest first in keyset pages, so a long log is never held whole. */
export async function* auditPages(ctx: Ctx, q: AuditQuery, pageSize = 2000): AsyncGenerator<AuditRow[]> {
  let last: { at: string; id: number } | null = null;
  for (;;) {
    const cursor: { at: string; id: number } | null = last;
    const rows: AuditDbRow[] = await ctx.db
      .selectFrom('auditLog')
      .selectAll()
      .where(filters(q))
      .$if(cursor !== null, (qb) => qb.where((eb) => eb.or([eb('at', '<', cursor!.at), eb.and([eb('at', '=', cursor!.at), eb('id', '<', cursor!.id)])])))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(pageSize)
      .execute();
    if (!rows.length) return;
    last = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
    yield rows.map(toRow);
  }
}

/** Whether the audit log shows the actor exporting exactly this file (among their 500 newest exports). */
export async function exportedBy(ctx: Ctx, file: string): Promise<boolean> {
  const rows = await ctx.db
    .selectFrom('auditLog')
    .select('details')
    .where('action', 'in', ['report.export', 'report.notices'])
    .where('userName', '=', ctx.actor.username)
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.some((r) => {
    try {
      return (JSON.parse(r.details ?? '{}') as { path?: string }).path === file;
    } catch {
      return false;
    }
  });
}

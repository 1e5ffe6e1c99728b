// Optimistic locking in one place: a row is changed only if nobody changed it since the caller read it.
// UPDATE … SET …, version = version + 1, updatedAt = now WHERE id = ? AND version = <the version the caller saw>;
// no row changed means someone else was first (or the row is gone): CONFLICT, nothing written. The CONFLICT says who
// changed the row last and when (details {by, at, current}), so the window can show 已被 X 于 HH:mm 修改 and offer to
// reapply the user's values on top of the current version.
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Ctx } from './context.ts';
import { nowIso } from './clock.ts';
import { conflict, fail, type AppError } from '../shared/errors.ts';
import type { ThingKey } from '../shared/messages/index.ts';
import { msg } from '../shared/messages/index.ts';
import { CLI_ACTOR, SYSTEM_ACTOR } from './actor.ts';
import type { Database } from '../db/schema.ts';

/** Tables whose rows carry an id, a version and an updatedAt. */
export type VersionedTable = {
  [T in keyof Database]: Database[T] extends { id: unknown; version: unknown; updatedAt: string } ? T : never;
}[keyof Database];

/** The changed columns (version is the helper's; updatedAt defaults to now). */
export type VersionedSet<T extends VersionedTable> = Omit<Updateable<Database[T]>, 'id' | 'version'>;

/**
 * Applies `set` to row `id` of `table` if its version is still `expected`, bumping the version; throws
 * a CONFLICT (staleConflict: who changed it last, when) when no row matched. `what` names the thing, as conflict() does.
 */
export async function updateVersioned<T extends VersionedTable>(
  ctx: Pick<Ctx, 'db' | 'clock'>,
  table: T,
  id: number,
  expected: number,
  set: VersionedSet<T>,
  what: Parameters<typeof conflict>[0],
): Promise<void> {
  // One generic table name defeats Kysely's per-table column types; the signature above keeps callers typed.
  const db = ctx.db as unknown as Kysely<Record<string, { id: number; version: number; updatedAt: string }>>;
  const r = await db
    .updateTable(table as string)
    .set({ updatedAt: nowIso(ctx.clock), ...(set as object), version: sql<number>`version + 1` })
    .where('id', '=', id)
    .where('version', '=', expected)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw await staleConflict(ctx, table, id, what);
}

/** Who last changed a row and when; `current` is the row's version now (absent when the row is gone). */
export interface ConflictDetails {
  /** The display name of whoever wrote the newest audited change (absent when no audit row names one). */
  by?: string;
  /** When the row was last changed (ISO with offset). */
  at?: string;
  current?: number;
}

/** The audit entity each versioned table's changes are recorded under (audit()'s `entity`). */
const AUDIT_ENTITY: Record<VersionedTable, string> = {
  places: 'place',
  households: 'household',
  residents: 'resident',
  episodes: 'episode',
  checkins: 'checkin',
  tests: 'test',
  alerts: 'alert',
  supplyRequests: 'supply_request',
  cadres: 'cadre',
  users: 'user',
  testRounds: 'test_round',
  needSchedules: 'need_schedule',
  cadreGroups: 'cadre_group',
  doorVisits: 'door_visit',
};

/** Audit actions that look at a record without changing it: never "who changed it last". */
const NOT_CHANGES = ['resident.view', 'resident.reveal_phone', 'resident.reveal_document', 'cadre.reveal_phone', 'auth.login', 'auth.login_failed', 'auth.logout'];

/**
 * Finds who changed row `id` of `table` last and when: the newest audit row of that record that is a change (a
 * view or a login is not), its user's display name; without one, the row's updatedAt alone.
 */
export async function lastChange(ctx: Pick<Ctx, 'db'>, table: VersionedTable, id: number): Promise<ConflictDetails> {
  const db = ctx.db as unknown as Kysely<Record<string, { id: number; version: number; updatedAt: string }>>;
  const row = await db.selectFrom(table as string).select(['version', 'updatedAt']).where('id', '=', id).executeTakeFirst();
  const last = await ctx.db
    .selectFrom('auditLog')
    .select(['userName', 'at'])
    .where('entity', '=', AUDIT_ENTITY[table])
    .where('entityId', '=', id)
    .where('action', 'not in', NOT_CHANGES)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const out: ConflictDetails = {};
  if (last) {
    out.by = await displayNameOf(ctx, last.userName);
    out.at = last.at;
  } else if (row) {
    out.at = row.updatedAt;
  }
  if (row) out.current = row.version;
  return out;
}

async function displayNameOf(ctx: Pick<Ctx, 'db'>, username: string): Promise<string> {
  const u = await ctx.db.selectFrom('users').select('displayName').where('username', '=', username).executeTakeFirst();
  if (u) return u.displayName;
  for (const a of [CLI_ACTOR, SYSTEM_ACTOR]) if (a.username === username) return a.displayName;
  return username;
}

/** The CONFLICT of a stale write to row `id`: the usual message, with who/when/current version in its details. */
export async function staleConflict(ctx: Pick<Ctx, 'db'>, table: VersionedTable, id: number, what: ThingKey = 'thing.record'): Promise<AppError> {
  const details = await lastChange(ctx, table, id);
  return fail('CONFLICT', 'common.conflict', { what: msg(what) }, { details });
}

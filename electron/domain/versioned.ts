// Optimistic locking in one place: a row is changed only if nobody changed it since the caller read it.
// UPDATE … SET …, version = version + 1, updatedAt = now WHERE id = ? AND version = <the version the caller saw>;
// no row changed means someone else was first (or the row is gone): CONFLICT, nothing written.
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Ctx } from './context.ts';
import { nowIso } from './clock.ts';
import { conflict } from '../shared/errors.ts';
import type { Database } from '../db/schema.ts';

/** Tables whose rows carry an id, a version and an updatedAt. */
export type VersionedTable = {
  [T in keyof Database]: Database[T] extends { id: unknown; version: unknown; updatedAt: string } ? T : never;
}[keyof Database];

/** The changed columns (version is the helper's; updatedAt defaults to now). */
export type VersionedSet<T extends VersionedTable> = Omit<Updateable<Database[T]>, 'id' | 'version'>;

/**
 * Applies `set` to row `id` of `table` if its version is still `expected`, bumping the version; throws
 * conflict(what) when no row matched. `what` is whatever conflict() names the thing with.
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
  if (Number(r.numUpdatedRows) === 0) throw conflict(what);
}

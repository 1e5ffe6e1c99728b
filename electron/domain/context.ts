// What every domain function receives: the database, who is acting, and the clock.
import type { Db } from '../db/open.ts';
import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';
import type { BulkInsert } from '../db/job-connection.ts';
import { actingAs } from '../db/acting-user.ts';

export interface Ctx {
  db: Db;
  actor: Actor;
  clock: Clock;
  /** Present on a job's own connection (db/job-connection.ts); bulk writers fall back to `db` without it. */
  bulkInsert?: BulkInsert;
}

/**
 * Runs fn in a transaction, reusing the caller's when already inside one, on behalf of ctx.actor: the database learns
 * the acting user here (db/acting-user.ts: set_config on PostgreSQL, the change-log rows stamped on SQLite).
 */
export async function inTx<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return actingAs(ctx.db, ctx.actor, () => fn(ctx));
  return ctx.db.transaction().execute((trx) => actingAs(trx, ctx.actor, () => fn({ ...ctx, db: trx })));
}

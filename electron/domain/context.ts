// What every domain function receives: the database, who is acting, and the clock.
import type { Db } from '../db/open.ts';
import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';
import type { BulkInsert } from '../db/job-connection.ts';

export interface Ctx {
  db: Db;
  actor: Actor;
  clock: Clock;
  /** Present on a job's own connection (db/job-connection.ts); bulk writers fall back to `db` without it. */
  bulkInsert?: BulkInsert;
}

/** Runs fn in a transaction, reusing the caller's when already inside one. */
export async function inTx<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  return ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx }));
}

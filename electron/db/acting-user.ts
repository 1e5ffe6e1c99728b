// Who a write transaction acts for, as the database itself sees it (issue 17: the acting user per transaction).
// PostgreSQL: the transaction starts with set_config('idesk.actor', …, true) (SET LOCAL: gone at commit or rollback),
// so its triggers know the user without being told row by row: change_log.actor defaults to it (migration 0016) and
// the audit chain's trigger (pg/audit.ts) refuses an audit row written in another user's name.
// SQLite has no per-transaction setting a trigger can read (a temp table is out of a main-schema trigger's reach, and
// an application function would make the file unwritable by anything else), so it fills the same column from here:
// the change-log rows this transaction added get the user. It takes the write lock first (as an audited write does
// anyway) and notes the log's head; SQLite has one writer at a time, so every row above that head is this one's.
// domain/context.ts inTx is the one caller: every write transaction of the domain goes through it.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres, lockAuditChain } from './engine.ts';

/** The same type as open.ts's Db (named here: open.ts is above this file in the import graph). */
type Db = Kysely<Database>;

export interface ActingUser {
  username: string;
  userId: number | null;
}

/** PostgreSQL: the user each transaction (or savepoint object) was last set to, so nested calls cost nothing. */
const pgSet = new WeakMap<object, ActingUser>();
/** SQLite: the user of the call that stamps this transaction's change-log rows when it returns. */
const liteActive = new WeakMap<object, string>();

/** The custom settings a PostgreSQL transaction carries (read with current_setting(name, true)). */
export const ACTOR_SETTING = 'idesk.actor';
export const ACTOR_ID_SETTING = 'idesk.actor_id';

/** Runs fn inside the transaction `db` on behalf of `user` (db must be a transaction). */
export async function actingAs<T>(db: Db, user: ActingUser, fn: () => Promise<T>): Promise<T> {
  if (isPostgres(db)) {
    const before = pgSet.get(db);
    if (before?.username === user.username) return fn();
    await setPg(db, user);
    let out: T;
    try {
      out = await fn();
    } catch (e) {
      // A rollback to a savepoint may have undone the setting: set it again next time.
      pgSet.delete(db);
      throw e;
    }
    // A nested call in another user's name (auth.setupAdmin's 'setup', a logout) hands the transaction back.
    if (before !== undefined) await setPg(db, before);
    return out;
  }
  if (liteActive.get(db) === user.username) return fn();
  const outer = liteActive.get(db);
  liteActive.set(db, user.username);
  try {
    const head = await changeHead(db, true);
    const out = await fn();
    if (head !== null && ((await changeHead(db, false)) ?? 0) > head) await sql`UPDATE change_log SET actor = ${user.username} WHERE seq > ${head} AND actor IS NULL`.execute(db);
    return out;
  } finally {
    if (outer === undefined) liteActive.delete(db);
    else liteActive.set(db, outer);
  }
}

/**
 * SQLite: the user this transaction's change-log rows will be stamped with, or null outside actingAs. A bulk writer
 * that adds change-log rows itself (fresh-rows.ts) writes the name with them, so the stamping at the end finds them
 * done instead of rewriting every row (an import of 50,000 people adds ~200,000).
 */
export function sqliteActor(db: Db): string | null {
  return liteActive.get(db) ?? null;
}

async function setPg(db: Db, user: ActingUser): Promise<void> {
  await sql`SELECT set_config(${ACTOR_SETTING}, ${user.username}, true), set_config(${ACTOR_ID_SETTING}, ${user.userId === null ? '' : String(user.userId)}, true)`.execute(db);
  pgSet.set(db, { username: user.username, userId: user.userId });
}

/**
 * Takes the write lock (engine.ts lockAuditChain: a no-op DELETE), then reads the newest change-log seq: read before
 * the lock, the head would start a read snapshot that a commit by another connection (a job worker) makes stale, and
 * the transaction's first write would then fail as busy. Null for a file this cannot stamp (opened read-only, or
 * older than 0016 and not migrated): nothing is stamped then.
 */
async function changeHead(db: Db, lock: boolean): Promise<number | null> {
  try {
    if (lock) await lockAuditChain(db);
    // The newest row by its key (one b-tree step), naming the column so a file without it says so here.
    const r = (await sql<{ seq: number; actor: string | null }>`SELECT seq, actor FROM change_log ORDER BY seq DESC LIMIT 1`.execute(db)).rows[0];
    return Number(r?.seq ?? 0);
  } catch (e) {
    // SQLite undoes only the failed statement: the transaction goes on.
    if (/no such (table|column)|readonly/i.test((e as Error).message)) return null;
    throw e;
  }
}

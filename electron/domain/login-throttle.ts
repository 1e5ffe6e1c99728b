// Failed logins per (user name, source), after Nextcloud's brute-force protection: each failure makes the next attempt
// from that source wait longer (200 ms, doubling, at most 25 s), LOGIN_THROTTLE.lockAfter failures in a row lock that
// user name on that source only (another PC still logs in), and a success clears the row. The typed name is counted
// whether or not such an account exists, so an unknown name behaves exactly like a real one.
//
// An attempt is counted BEFORE its password is checked (claimAttempt), and the claim only succeeds on the row as it
// was read: two attempts sent at once cannot both pass the wait, the second is refused as too early.
import type { Db } from '../db/open.ts';
import type { Clock } from './clock.ts';
import { isoIn } from '../shared/time.ts';
import { LOGIN_THROTTLE } from '../shared/limits.ts';

/** The source of the window, browser mode and the CLI on the PC that holds the database. */
export const LOCAL_SOURCE = 'local';

/** Where attempts come from: a paired device of the office server by its id, else this PC. */
export function loginSource(deviceId?: number | null): string {
  return deviceId == null ? LOCAL_SOURCE : `device:${deviceId}`;
}

/** How long the next attempt waits after `failures` failures in a row (0: no wait). */
export function throttleDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(LOGIN_THROTTLE.firstDelayMs * 2 ** Math.min(failures - 1, 30), LOGIN_THROTTLE.maxDelayMs);
}

/** Whole seconds a person is asked to wait (at least 1). */
export function waitSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

interface Row {
  failures: number;
  lastFailureAt: string | null;
  lockedUntil: string | null;
}

export type Gate =
  /** May try; `failures` so far (a lock that has run out counts as none). */
  | { kind: 'open'; row: Row | null; failures: number }
  | { kind: 'throttled'; waitMs: number; failures: number }
  | { kind: 'locked'; until: Date; failures: number };

/** Whether an attempt for this name from this source may check its password now. */
export async function throttleGate(db: Db, username: string, source: string, now: Date): Promise<Gate> {
  const row = await db
    .selectFrom('loginThrottle')
    .select(['failures', 'lastFailureAt', 'lockedUntil'])
    .where('username', '=', username)
    .where('source', '=', source)
    .executeTakeFirst();
  if (!row) return { kind: 'open', row: null, failures: 0 };
  if (row.lockedUntil) {
    const until = new Date(row.lockedUntil);
    if (until.getTime() > now.getTime()) return { kind: 'locked', until, failures: row.failures };
    return { kind: 'open', row, failures: 0 };
  }
  const last = row.lastFailureAt ? new Date(row.lastFailureAt).getTime() : 0;
  const waitMs = last + throttleDelayMs(row.failures) - now.getTime();
  if (waitMs > 0) return { kind: 'throttled', waitMs, failures: row.failures };
  return { kind: 'open', row, failures: row.failures };
}

/**
 * Counts this attempt as a failure before its password is checked (a success clears it again). Null when another
 * attempt changed the row since `gate` read it: this one is then too early.
 */
export async function claimAttempt(
  db: Db,
  username: string,
  source: string,
  gate: Extract<Gate, { kind: 'open' }>,
  now: Date,
): Promise<{ failures: number; lockedUntil: Date | null } | null> {
  const failures = gate.failures + 1;
  const lockedUntil = failures >= LOGIN_THROTTLE.lockAfter ? new Date(now.getTime() + LOGIN_THROTTLE.lockMinutes * 60_000) : null;
  const values = { failures, lastFailureAt: now.toISOString(), lockedUntil: lockedUntil?.toISOString() ?? null };
  if (!gate.row) {
    // A new row: rows of names and sources that stopped failing a day ago go first (guessed names would pile up).
    await pruneStaleAttempts(db, now);
    const r = await db
      .insertInto('loginThrottle')
      .values({ username, source, ...values })
      .onConflict((oc) => oc.columns(['username', 'source']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1 ? { failures, lockedUntil } : null;
  }
  const seen = gate.row;
  const r = await db
    .updateTable('loginThrottle')
    .set(values)
    .where('username', '=', username)
    .where('source', '=', source)
    .where('failures', '=', seen.failures)
    .where('lastFailureAt', 'is', seen.lastFailureAt)
    .where('lockedUntil', 'is', seen.lockedUntil)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1 ? { failures, lockedUntil } : null;
}

/** Rows whose last failure is over a day old and that lock nothing now: forgotten. */
export async function pruneStaleAttempts(db: Db, now: Date): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const r = await db
    .deleteFrom('loginThrottle')
    .where('lastFailureAt', '<', dayAgo)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now.toISOString())]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** A success: this source starts afresh for this name. */
export async function clearAttempts(db: Db, username: string, source: string): Promise<void> {
  await db.deleteFrom('loginThrottle').where('username', '=', username).where('source', '=', source).execute();
}

/** A new password (admin reset, own change): the name is unlocked on every source. */
export async function clearAllAttempts(db: Db, username: string): Promise<void> {
  await db.deleteFrom('loginThrottle').where('username', '=', username).execute();
}

/** When the name's latest lock on any source ends, in the office's time; null when it is locked nowhere now. */
export async function lockedUntilOf(db: Db, clock: Clock, username: string): Promise<string | null> {
  const now = clock.now().toISOString();
  const r = await db
    .selectFrom('loginThrottle')
    .select((eb) => eb.fn.max('lockedUntil').as('until'))
    .where('username', '=', username)
    .where('lockedUntil', '>', now)
    .executeTakeFirst();
  return r?.until ? isoIn(new Date(r.until), clock.timeZone) : null;
}

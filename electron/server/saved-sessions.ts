// The office server's sessions kept in the database (server_sessions), so a restart or a power cut does not send every
// PC back to 登录 (losing what was typed on screen). Only SHA-256 of a session id is stored; when a PC comes back
// with its id, the account is read again from users (a disabled account, or one changed meanwhile, is not revived).
// Sessions idle for longer than a day are dropped.
import { createHash } from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Session, SessionBacking } from '../api/sessions.ts';
import { actorOf } from '../domain/users.ts';
import type { Role } from '../db/schema.ts';
import type { Db } from '../db/open.ts';

const hash = (key: string) => createHash('sha256').update(key).digest('hex');
const DAY_MS = 86_400_000;

export class SavedSessions implements SessionBacking {
  private sqlite: SqliteDatabase.Database;

  constructor(sqlite: SqliteDatabase.Database) {
    this.sqlite = sqlite;
  }

  /** A restore swapped the file: use the new connection (and its own sessions: none survive a restore). */
  useDatabase(sqlite: SqliteDatabase.Database): void {
    this.sqlite = sqlite;
  }

  load(key: string): Session | undefined {
    const row = this.sqlite
      .prepare(
        `SELECT u.id, u.username, u.display_name AS displayName, u.role, u.community_id AS communityId, u.cadre_id AS cadreId, s.last_seen AS lastSeen
         FROM server_sessions s JOIN users u ON u.id = s.user_id WHERE s.key_hash = ? AND u.active = 1`,
      )
      .get(hash(key)) as { id: number; username: string; displayName: string; role: Role; communityId: number | null; cadreId: number | null; lastSeen: number } | undefined;
    return row ? { actor: actorOf(row), lastSeen: row.lastSeen } : undefined;
  }

  save(key: string, s: Session): void {
    if (s.actor.userId === null) return;
    this.sqlite
      .prepare('INSERT INTO server_sessions (key_hash, user_id, last_seen) VALUES (?, ?, ?) ON CONFLICT (key_hash) DO UPDATE SET user_id = excluded.user_id, last_seen = excluded.last_seen')
      .run(hash(key), s.actor.userId, s.lastSeen);
  }

  remove(key: string): void {
    this.sqlite.prepare('DELETE FROM server_sessions WHERE key_hash = ?').run(hash(key));
  }

  removeUser(userId: number): void {
    this.sqlite.prepare('DELETE FROM server_sessions WHERE user_id = ?').run(userId);
  }

  removeAll(): void {
    this.sqlite.prepare('DELETE FROM server_sessions').run();
  }

  /** Drops sessions idle for more than a day (the idle limit itself is checked at each call). */
  prune(nowMs: number): number {
    return this.sqlite.prepare('DELETE FROM server_sessions WHERE last_seen < ?').run(nowMs - DAY_MS).changes;
  }
}

type SessionRow = { id: number; username: string; displayName: string; role: Role; communityId: number | null; cadreId: number | null; lastSeen: number };

/**
 * The same sessions on PostgreSQL, where no query is synchronous: the live sessions (idle less than a day, of active
 * accounts) are read once when the server starts, lookups are answered from that copy, and every change is written
 * behind, in order, on the pool. A write lost to a crash costs at most that PC's login (it logs in again).
 */
export class PgSavedSessions implements SessionBacking {
  private readonly byHash = new Map<string, SessionRow>();
  private pending: Promise<unknown> = Promise.resolve();
  private readonly db: Db;
  private readonly onError: (e: unknown) => void;

  private constructor(db: Db, onError: (e: unknown) => void) {
    this.db = db;
    this.onError = onError;
  }

  /** Drops sessions idle for more than a day, then reads the rest. */
  static async open(db: Db, nowMs: number, onError: (e: unknown) => void = () => {}): Promise<PgSavedSessions> {
    const s = new PgSavedSessions(db, onError);
    await db.deleteFrom('serverSessions').where('lastSeen', '<', nowMs - DAY_MS).execute();
    const rows = await db
      .selectFrom('serverSessions as s')
      .innerJoin('users as u', 'u.id', 's.userId')
      .select(['s.keyHash', 'u.id', 'u.username', 'u.displayName', 'u.role', 'u.communityId', 'u.cadreId', 's.lastSeen'])
      .where('u.active', '=', 1)
      .execute();
    for (const r of rows) s.byHash.set(r.keyHash, { id: r.id, username: r.username, displayName: r.displayName, role: r.role as Role, communityId: r.communityId, cadreId: r.cadreId ?? null, lastSeen: Number(r.lastSeen) });
    return s;
  }

  private write(fn: () => Promise<unknown>): void {
    this.pending = this.pending.then(fn).catch(this.onError);
  }

  /** Resolves once every change so far is written (or failed). */
  flush(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  load(key: string): Session | undefined {
    const row = this.byHash.get(hash(key));
    return row ? { actor: actorOf(row), lastSeen: row.lastSeen } : undefined;
  }

  save(key: string, s: Session): void {
    const userId = s.actor.userId;
    if (userId === null) return;
    const keyHash = hash(key);
    const a = s.actor;
    this.byHash.set(keyHash, { id: userId, username: a.username, displayName: a.displayName, role: a.role, communityId: a.communityId, cadreId: a.cadreId ?? null, lastSeen: s.lastSeen });
    const lastSeen = s.lastSeen;
    this.write(() =>
      this.db
        .insertInto('serverSessions')
        .values({ keyHash, userId, lastSeen })
        .onConflict((oc) => oc.column('keyHash').doUpdateSet({ userId, lastSeen }))
        .execute(),
    );
  }

  remove(key: string): void {
    const keyHash = hash(key);
    this.byHash.delete(keyHash);
    this.write(() => this.db.deleteFrom('serverSessions').where('keyHash', '=', keyHash).execute());
  }

  removeUser(userId: number): void {
    for (const [k, r] of this.byHash) if (r.id === userId) this.byHash.delete(k);
    this.write(() => this.db.deleteFrom('serverSessions').where('userId', '=', userId).execute());
  }

  removeAll(): void {
    this.byHash.clear();
    this.write(() => this.db.deleteFrom('serverSessions').execute());
  }
}

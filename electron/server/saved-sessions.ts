// The office server's sessions kept in the database (server_sessions), so a restart or a power cut does not send every
// PC back to 登录 (losing what was typed on screen). Only SHA-256 of a session id is stored; when a PC comes back
// with its id, the account is read again from users (a disabled account, or one changed meanwhile, is not revived).
// Sessions idle for longer than a day are dropped.
import { createHash } from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Session, SessionBacking } from '../api/sessions.ts';
import { actorOf } from '../domain/users.ts';
import type { Role } from '../db/schema.ts';

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

// Logged-in sessions, held in the main process (Electron: one per window; browser mode: one per cookie).
// Whoever keeps things for a session (the import's uploaded files) hears when it ends: onEnd(listener).
import type { Actor } from '../domain/actor.ts';

export interface Session {
  actor: Actor;
  lastSeen: number;
}

/** Called after a session ended (logout, idle timeout, window closed, password reset, restore, another login). */
export type SessionEndListener = (key: string, session: Session) => void;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<SessionEndListener>();
  get(key: string): Session | undefined {
    return this.sessions.get(key);
  }
  set(key: string, actor: Actor, now: number): void {
    const before = this.sessions.get(key);
    this.sessions.set(key, { actor, lastSeen: now });
    // Another user logging in on the same window or cookie ends the previous user's session.
    if (before && before.actor.username !== actor.username) this.ended(key, before);
  }
  touch(key: string, now: number): void {
    const s = this.sessions.get(key);
    if (s) s.lastSeen = now;
  }
  delete(key: string): void {
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    if (s) this.ended(key, s);
  }
  /** Ends every session (a restore replaced the accounts with those of the backup). */
  clear(): void {
    const all = [...this.sessions];
    this.sessions.clear();
    for (const [k, s] of all) this.ended(k, s);
  }
  /** Ends every session of one user (password reset, account disabled). */
  deleteUser(userId: number): void {
    for (const [k, s] of [...this.sessions]) if (s.actor.userId === userId) this.delete(k);
  }
  /** Ends the sessions whose key passes `test` (a revoked device's). */
  deleteWhere(test: (key: string) => boolean): void {
    for (const k of [...this.sessions.keys()]) if (test(k)) this.delete(k);
  }
  /** Registers a listener once (registering the same function again does nothing). */
  onEnd(listener: SessionEndListener): void {
    this.listeners.add(listener);
  }
  private ended(key: string, s: Session): void {
    for (const l of this.listeners) {
      try {
        l(key, s);
      } catch {
        // A listener's failure must not keep a session alive or break a logout.
      }
    }
  }
}

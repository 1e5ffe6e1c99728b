// Logged-in sessions, held in the main process (Electron: one per window; browser mode: one per cookie).
// Whoever keeps things for a session (the import's uploaded files) hears when it ends: onEnd(listener).
import type { Actor } from '../domain/actor.ts';

export interface Session {
  actor: Actor;
  lastSeen: number;
}

/** Called after a session ended (logout, idle timeout, window closed, password reset, restore, another login). */
export type SessionEndListener = (key: string, session: Session) => void;

/**
 * Where sessions outlive the process (the office server: server/saved-sessions.ts). Synchronous, as every lookup is.
 * `load` gives back a session the process has not seen since it started.
 */
export interface SessionBacking {
  load(key: string): Session | undefined;
  save(key: string, s: Session): void;
  remove(key: string): void;
  removeUser(userId: number): void;
  removeAll(): void;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<SessionEndListener>();
  private readonly saved = new Map<string, number>();
  private readonly backing: SessionBacking | null;
  /** How often a session's last activity is written to its backing (ms). */
  private static readonly SAVE_EVERY_MS = 30_000;
  constructor(backing: SessionBacking | null = null) {
    this.backing = backing;
  }
  get(key: string): Session | undefined {
    const s = this.sessions.get(key);
    if (s || !this.backing) return s;
    const loaded = this.backing.load(key);
    if (loaded) {
      this.sessions.set(key, loaded);
      this.saved.set(key, loaded.lastSeen);
    }
    return loaded;
  }
  set(key: string, actor: Actor, now: number): void {
    const before = this.sessions.get(key);
    const s = { actor, lastSeen: now };
    this.sessions.set(key, s);
    this.backing?.save(key, s);
    this.saved.set(key, now);
    // Another user logging in on the same window or cookie ends the previous user's session.
    if (before && before.actor.username !== actor.username) this.ended(key, before);
  }
  touch(key: string, now: number): void {
    const s = this.sessions.get(key);
    if (!s) return;
    s.lastSeen = now;
    if (this.backing && now - (this.saved.get(key) ?? 0) >= SessionStore.SAVE_EVERY_MS) {
      this.backing.save(key, s);
      this.saved.set(key, now);
    }
  }
  delete(key: string): void {
    const s = this.get(key);
    this.sessions.delete(key);
    this.saved.delete(key);
    this.backing?.remove(key);
    if (s) this.ended(key, s);
  }
  /** Ends every session (a restore replaced the accounts with those of the backup). */
  clear(): void {
    const all = [...this.sessions];
    this.sessions.clear();
    this.saved.clear();
    this.backing?.removeAll();
    for (const [k, s] of all) this.ended(k, s);
  }
  /** Ends every session of one user (password reset, account disabled). */
  deleteUser(userId: number): void {
    for (const [k, s] of [...this.sessions]) if (s.actor.userId === userId) this.delete(k);
    this.backing?.removeUser(userId);
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

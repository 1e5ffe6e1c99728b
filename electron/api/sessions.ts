// Logged-in sessions, held in the main process (Electron: one per window; browser mode: one per cookie).
import type { Actor } from '../domain/actor.ts';

export interface Session {
  actor: Actor;
  lastSeen: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  get(key: string): Session | undefined {
    return this.sessions.get(key);
  }
  set(key: string, actor: Actor, now: number): void {
    this.sessions.set(key, { actor, lastSeen: now });
  }
  touch(key: string, now: number): void {
    const s = this.sessions.get(key);
    if (s) s.lastSeen = now;
  }
  delete(key: string): void {
    this.sessions.delete(key);
  }
  /** Ends every session (a restore replaced the accounts with those of the backup). */
  clear(): void {
    this.sessions.clear();
  }
  /** Ends every session of one user (password reset, account disabled). */
  deleteUser(userId: number): void {
    for (const [k, s] of this.sessions) if (s.actor.userId === userId) this.sessions.delete(k);
  }
}

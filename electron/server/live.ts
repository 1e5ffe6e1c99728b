// Live updates: the change log (db/change-log.ts, written by triggers whoever writes) is read by seq a few times a
// second and each connected client gets the notices it may see, {table, id, seq}, in small batches. A client that
// reconnects says the last seq it saw and is caught up from the log, or told to reload everything when the log no
// longer reaches back that far. A socket whose session ended is closed.
import type { WebSocket } from 'ws';
import type { Db } from '../db/open.ts';
import type { SessionStore } from '../api/sessions.ts';
import { can, scopeOf, type Actor } from '../domain/actor.ts';
import { changeLogBounds, changesSince, type ChangeNotice } from '../db/change-log.ts';

/** What goes down the socket. */
export type LiveMessage =
  | { type: 'hello'; seq: number }
  | { type: 'changes'; seq: number; changes: { table: string; id: number; seq: number }[] }
  | { type: 'resync'; seq: number };

/** Notices per read of the log; more than this for one client in one go → it reloads instead. */
const BATCH = 2000;
/** Close code for a socket whose session ended (the client logs in again). */
export const CLOSE_SESSION_ENDED = 4401;

interface Client {
  socket: WebSocket;
  sessionKey: string;
}

/** Whether `actor` may hear of this change: their community's rows (or every row), accounts only for account managers. */
export function visibleTo(actor: Actor, c: ChangeNotice): boolean {
  if (c.table === 'users') return can(actor, 'users.manage');
  const scope = scopeOf(actor);
  return scope === null || c.communityId === null || c.communityId === scope;
}

export class LiveFeed {
  private readonly clients = new Set<Client>();
  private last = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading = false;
  private readonly db: () => Db;
  private readonly sessions: SessionStore;
  private readonly intervalMs: number;

  constructor(db: () => Db, sessions: SessionStore, intervalMs = 250) {
    this.db = db;
    this.sessions = sessions;
    this.intervalMs = intervalMs;
  }

  async start(): Promise<void> {
    this.last = (await changeLogBounds(this.db())).head;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** A new socket of a logged-in session; `since` is the last seq the client saw (catch-up), if any. */
  async add(socket: WebSocket, sessionKey: string, since: number | null): Promise<void> {
    const client: Client = { socket, sessionKey };
    const actor = this.sessions.get(sessionKey)?.actor;
    if (!actor) return socket.close(CLOSE_SESSION_ENDED, 'session ended');
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.clients.delete(client));
    // Registered before reading, so nothing written meanwhile falls between the catch-up and the next tick.
    this.clients.add(client);
    const head = this.last;
    send(socket, { type: 'hello', seq: head });
    if (since === null || since >= head) return;
    const { tail } = await changeLogBounds(this.db());
    if (since < tail - 1) return send(socket, { type: 'resync', seq: head });
    const missed = (await changesSince(this.db(), since, BATCH + 1)).filter((c) => c.seq <= head);
    if (missed.length > BATCH) return send(socket, { type: 'resync', seq: head });
    const mine = missed.filter((c) => visibleTo(actor, c)).map(({ table, id, seq }) => ({ table, id, seq }));
    send(socket, { type: 'changes', seq: head, changes: mine });
  }

  /** Reads what was written since the last read and tells every client its share. */
  async tick(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      for (const c of [...this.clients]) {
        if (!this.sessions.get(c.sessionKey)) {
          this.clients.delete(c);
          c.socket.close(CLOSE_SESSION_ENDED, 'session ended');
        }
      }
      const changes = await changesSince(this.db(), this.last, BATCH + 1);
      if (!changes.length) return;
      const overflow = changes.length > BATCH;
      this.last = overflow ? (await changeLogBounds(this.db())).head : changes[changes.length - 1].seq;
      for (const c of this.clients) {
        const actor = this.sessions.get(c.sessionKey)?.actor;
        if (!actor) continue;
        if (overflow) {
          send(c.socket, { type: 'resync', seq: this.last });
          continue;
        }
        const mine = changes.filter((n) => visibleTo(actor, n)).map(({ table, id, seq }) => ({ table, id, seq }));
        // The seq moves on even when nothing was for this client, so its catch-up point stays current.
        send(c.socket, { type: 'changes', seq: this.last, changes: mine });
      }
    } catch {
      // A read that failed (the file being restored) is tried again on the next tick.
    } finally {
      this.reading = false;
    }
  }

  /** Closes the sockets of sessions that match (a revoked device's). */
  closeWhere(test: (sessionKey: string) => boolean, code = CLOSE_SESSION_ENDED): void {
    for (const c of [...this.clients]) {
      if (!test(c.sessionKey)) continue;
      this.clients.delete(c);
      c.socket.close(code, 'closed');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.socket.close(1001, 'server stopping');
    this.clients.clear();
  }
}

function send(socket: WebSocket, m: LiveMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
}

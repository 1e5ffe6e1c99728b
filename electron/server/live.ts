// Live updates: the change log (db/change-log.ts, written by triggers whoever writes) is read by seq a few times a
// second and each connected client gets the notices it may see, {table, id, seq}, in small batches. A client that
// reconnects says the last seq it saw and is caught up from the log, or told to reload everything when the log no
// longer reaches back that far. A socket whose session ended is closed.
//
// On PostgreSQL a LISTEN connection wakes the feed at each commit (db/pg/listen.ts) and the poll is only a fallback
// (every PG_POLL_MS while the connection is up, every intervalMs while it is down); the log is read gap-safe
// (db/pg/change-feed.ts: transactions commit out of seq order), and the seq clients are told is the one below which
// everything is final.
import type { WebSocket } from 'ws';
import type { Db } from '../db/open.ts';
import type { SessionStore } from '../api/sessions.ts';
import { can, scopeOf, type Actor } from '../domain/actor.ts';
import { changeLogBounds, changesSince, type ChangeNotice } from '../db/change-log.ts';
import { isPostgres } from '../db/engine.ts';
import { PgChangeCursor } from '../db/pg/change-feed.ts';
import { listenForChanges, type ChangeListener } from '../db/pg/listen.ts';

/** What goes down the socket. */
export type LiveMessage =
  | { type: 'hello'; seq: number }
  | { type: 'changes'; seq: number; changes: { table: string; id: number; seq: number }[] }
  | { type: 'resync'; seq: number };

/** Notices per read of the log; more than this for one client in one go → it reloads instead. */
const BATCH = 2000;
/** The fallback poll on PostgreSQL while its LISTEN connection is up. */
export const PG_POLL_MS = 2000;
/**
 * PostgreSQL: the least time between two reads woken by NOTIFY. Each save commits on its own there (one NOTIFY each,
 * ~100 a second under 20 PCs); the notices of a burst go out together, at most this much later, instead of one read
 * of the log per commit.
 */
export const PG_NOTIFY_GAP_MS = 50;
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
  /** The highest seq told to clients (= last on SQLite; on PostgreSQL rows above `last` may have been told). */
  private high = 0;
  private timer: NodeJS.Timeout | null = null;
  /** PostgreSQL: the read a NOTIFY asked for, waiting out PG_NOTIFY_GAP_MS; when the last read started. */
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastReadAt = -Infinity;
  /** The read running now, and the one asked for meanwhile (at most one waits). */
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;
  private readonly db: () => Db;
  private readonly sessions: SessionStore;
  private readonly intervalMs: number;
  private cursor: PgChangeCursor | null = null;
  private listener: ChangeListener | null = null;
  /** Ticks that read the log (tests: a notice arrives by LISTEN, not by the poll). */
  readonly stats = { ticks: 0, notified: 0 };

  constructor(db: () => Db, sessions: SessionStore, intervalMs = 250) {
    this.db = db;
    this.sessions = sessions;
    this.intervalMs = intervalMs;
  }

  async start(): Promise<void> {
    this.stopped = false;
    const db = this.db();
    if (isPostgres(db)) {
      this.cursor = new PgChangeCursor(BATCH);
      await this.cursor.start(db);
      this.last = this.cursor.settled;
      this.high = this.cursor.seen;
      this.listener = listenForChanges(db, {
        onNotify: () => {
          this.stats.notified++;
          this.wake();
        },
      });
    } else {
      this.last = (await changeLogBounds(db)).head;
      this.high = this.last;
    }
    this.schedule();
  }

  /** A read soon: now, or PG_NOTIFY_GAP_MS after the last one began (a NOTIFY meanwhile joins the one waiting). */
  private wake(): void {
    if (this.wakeTimer || this.stopped) return;
    const wait = this.lastReadAt + PG_NOTIFY_GAP_MS - performance.now();
    if (wait <= 0) {
      void this.tick();
      return;
    }
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.tick();
    }, wait);
    this.wakeTimer.unref();
  }

  /** The next poll: on PostgreSQL slower while LISTEN is up. */
  private schedule(): void {
    if (this.stopped) return;
    const ms = this.listener?.connected ? Math.max(this.intervalMs, PG_POLL_MS) : this.intervalMs;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, ms);
    this.timer.unref();
  }

  /** True while PostgreSQL's LISTEN connection is up (false on SQLite). */
  get listening(): boolean {
    return this.listener?.connected ?? false;
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
    // A client's `since` was a settled seq when it was told (everything at or below it final then), so it is one now:
    // after a restart, holes the feed cannot yet rule out below it do not send that client back (a lower hello makes
    // it reload everything). Only its own hello moves; the feed's settled seq is not a client's to change.
    const head = since !== null && since > this.last && since <= this.high ? since : this.last;
    // Rows up to `high` were told to the others already; the next ticks tell only what is newer (or filled in).
    const high = this.high;
    send(socket, { type: 'hello', seq: head });
    if (since === null || since >= high) return;
    const { tail } = await changeLogBounds(this.db());
    if (since < tail - 1) return send(socket, { type: 'resync', seq: head });
    const missed = (await changesSince(this.db(), since, BATCH + 1)).filter((c) => c.seq <= high);
    if (missed.length > BATCH) return send(socket, { type: 'resync', seq: head });
    const mine = missed.filter((c) => visibleTo(actor, c)).map(({ table, id, seq }) => ({ table, id, seq }));
    send(socket, { type: 'changes', seq: head, changes: mine });
  }

  /**
   * Reads what was written since the last read and tells every client its share. Asked for while a read runs (a
   * NOTIFY during a poll), one more read follows it; the promise settles once the read that covers the call is done.
   */
  tick(): Promise<void> {
    if (!this.running) {
      this.running = this.readOnce().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.stopped ? undefined : this.tick();
    });
    return this.queued;
  }

  private async readOnce(): Promise<void> {
    this.stats.ticks++;
    this.lastReadAt = performance.now();
    try {
      for (const c of [...this.clients]) {
        if (!this.sessions.get(c.sessionKey)) {
          this.clients.delete(c);
          c.socket.close(CLOSE_SESSION_ENDED, 'session ended');
        }
      }
      let changes: ChangeNotice[];
      let overflow: boolean;
      if (this.cursor) {
        const r = await this.cursor.read(this.db());
        this.last = r.settled;
        this.high = r.high;
        changes = r.changes;
        overflow = r.overflow;
        if (!changes.length && !overflow) return;
      } else {
        changes = await changesSince(this.db(), this.last, BATCH + 1);
        if (!changes.length) return;
        overflow = changes.length > BATCH;
        this.last = overflow ? (await changeLogBounds(this.db())).head : changes[changes.length - 1].seq;
        this.high = this.last;
      }
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
      // A read that failed (the file being restored, the database unreachable) is tried again on the next tick.
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
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.timer = null;
    void this.listener?.close();
    this.listener = null;
    for (const c of this.clients) c.socket.close(1001, 'server stopping');
    this.clients.clear();
  }
}

function send(socket: WebSocket, m: LiveMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
}

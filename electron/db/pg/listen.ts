// The office server's wake-up call on PostgreSQL: a dedicated connection (not one of the pool's) that LISTENs on the
// change log's channel (pg/change-log.ts: NOTIFY at commit, once per transaction) and calls `onNotify`. A lost
// connection (the database restarted, a network cut) is opened again after a pause that doubles up to 10 s; while
// it is down the live feed falls back to polling at its usual interval.
import pg from 'pg';
import type { Db } from '../open.ts';
import { poolOf } from '../postgres.ts';
import { CHANGE_CHANNEL } from './change-log.ts';

export interface ChangeListener {
  /** True while the LISTEN connection is up. */
  readonly connected: boolean;
  close(): Promise<void>;
}

export interface ListenOptions {
  onNotify(): void;
  /** The connection came up (true) or went down (false). */
  onState?(connected: boolean): void;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/** Starts listening on the database of `db` (a PostgreSQL Db opened by openPostgres); null when it is not one. */
export function listenForChanges(db: Db, opts: ListenOptions): ChangeListener | null {
  const pool = poolOf(db);
  if (!pool) return null;
  const first = opts.firstRetryMs ?? 250;
  const max = opts.maxRetryMs ?? 10_000;
  let client: pg.Client | null = null;
  let connected = false;
  let closed = false;
  let retry = first;
  let timer: NodeJS.Timeout | null = null;

  const down = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    if (connected) opts.onState?.(false);
    connected = false;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (closed) return;
    timer = setTimeout(connect, retry);
    timer.unref();
    retry = Math.min(retry * 2, max);
  };

  const connect = () => {
    timer = null;
    if (closed) return;
    // The pool's own settings (address, credentials, timeouts, type parsers), under another application name.
    const c = new pg.Client({ ...(pool.options as pg.ClientConfig), application_name: 'isolation-desk-live' });
    client = c;
    c.on('error', () => down(c));
    c.on('end', () => down(c));
    c.on('notification', (n) => {
      if (n.channel === CHANGE_CHANNEL) opts.onNotify();
    });
    c.connect()
      .then(() => c.query(`LISTEN ${CHANGE_CHANNEL}`))
      .then(() => {
        if (client !== c || closed) return;
        connected = true;
        retry = first;
        opts.onState?.(true);
        // Anything committed while the connection was down is read now.
        opts.onNotify();
      })
      .catch(() => down(c));
  };
  connect();

  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      connected = false;
      if (c) await c.end().catch(() => {});
    },
  };
}

// Live updates from the office server (and browser mode): a WebSocket on /api/live tells which rows other PCs changed,
// {table, id, seq}; each table maps to the read channels whose answers it can change, and those are invalidated (query
// keys are [channel, input], so every input of a channel), debounced, so only what is on screen refetches — 今日监测,
// 物资需求, 工作台 and an open drawer follow another PC within a second. The socket reconnects with backoff and
// ?since=<last seq seen>, so nothing is missed across a drop; 'resync' (too far behind) reloads everything. Close
// code 4401 (session ended) goes back to 登录 the same way a refused call does. Electron's own window (window.api,
// one PC, one core) has no feed.
import { useEffect } from 'react';
import { api, ApiError, sessionEnded, type Channel } from './api.ts';
import { queryClient } from './query.ts';
import { checkConnection, onBackOnline, overNetwork } from './connection.ts';

/** The tables whose changes the server announces (electron/db/change-log.ts WATCHED_TABLES; a unit test keeps them equal). */
export type LiveTable =
  | 'residents'
  | 'households'
  | 'checkins'
  | 'alerts'
  | 'supply_requests'
  | 'cadres'
  | 'episodes'
  | 'tests'
  | 'supply_items'
  | 'users'
  | 'places'
  | 'settings';

const PERSON: Channel[] = ['residents.list', 'residents.get', 'households.search'];
const DAY: Channel[] = ['checkins.due', 'checkins.counts', 'checkins.groups', 'dashboard.get', 'dashboard.places'];
/** A round's coverage and 未检 lists follow its results and the people living in scope. */
const ROUNDS: Channel[] = ['rounds.list', 'rounds.coverage', 'rounds.untested'];
const SUPPLY: Channel[] = ['supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet', 'dashboard.get', 'dashboard.places'];
/** The cadres' field work (包联组, roster, door visits, 我的任务): its own tables are not on the feed; a cadre's or a delivery's change is. */
const FIELD: Channel[] = ['cadreGroups.list', 'shifts.list', 'visits.list', 'mine.tasks'];

/** Which read channels a change of each table can make stale (the contract's `invalidates` of the writes to it). */
export const LIVE_REFRESH: Record<LiveTable, Channel[]> = {
  residents: [...PERSON, ...DAY, 'alerts.list', 'supplies.list', 'supplies.get', 'places.communities', 'places.buildings', ...ROUNDS],
  households: [...PERSON, ...DAY, ...SUPPLY, 'notices.buildings', 'visits.list', 'mine.tasks'],
  episodes: [...PERSON, ...DAY, 'episodes.releaseCheck', 'alerts.list'],
  checkins: [...DAY, 'alerts.list', 'residents.get', 'residents.list'],
  tests: ['residents.get', 'residents.list', 'episodes.releaseCheck', 'dashboard.get', 'dashboard.places', 'alerts.list', ...ROUNDS],
  alerts: ['alerts.list', 'dashboard.get', 'dashboard.places', 'checkins.due', 'residents.get', 'residents.list'],
  supply_requests: [...SUPPLY, 'cadres.list', 'residents.get', 'needs.schedules', 'mine.tasks'],
  supply_items: SUPPLY,
  cadres: ['cadres.list', ...SUPPLY, ...FIELD],
  users: ['users.list'],
  places: ['places.communities', 'places.buildings', ...PERSON, ...DAY, 'alerts.list', 'users.list', 'cadres.list', ...SUPPLY, 'notices.buildings', ...FIELD],
  settings: ['settings.get', 'auth.me', ...DAY, ...SUPPLY],
};

/** The channels to refresh for a batch of notices (unknown tables are ignored: an older renderer on a newer server). */
export function channelsFor(tables: Iterable<string>): Set<Channel> {
  const out = new Set<Channel>();
  for (const t of tables) for (const c of LIVE_REFRESH[t as LiveTable] ?? []) out.add(c);
  return out;
}

// ---- this window's own writes ------------------------------------------------------------------------------------
// A write of this window already refreshed what it made stale (useApiWrite: patched from its answer or refetched), so
// the feed's notices of the rows it wrote are its echo: refetching on them would reload, say, the whole 今日监测 list
// after every entry, which the page avoids on purpose. The rows a write touched are read from its input and answer
// (an `id` under a table's key or channel, a `residentId`…), each answering for one notice; a notice of any other row,
// or a second notice of the same row (another PC's change), still refreshes.

const ECHO_MS = 5_000;
/** Keys naming a row of a table: a number under them is that row's id, an object under them is that row. */
const KEY_TABLE: Record<string, LiveTable> = {
  residentId: 'residents',
  guardianId: 'residents',
  resident: 'residents',
  householdId: 'households',
  household: 'households',
  episodeId: 'episodes',
  episode: 'episodes',
  followOn: 'episodes',
  checkinId: 'checkins',
  checkin: 'checkins',
  alertId: 'alerts',
  alert: 'alerts',
  testId: 'tests',
  cadreId: 'cadres',
  requestId: 'supply_requests',
};
/** The table a channel's own `id` belongs to. */
const CHANNEL_TABLE: Record<string, LiveTable> = {
  residents: 'residents',
  episodes: 'episodes',
  checkins: 'checkins',
  alerts: 'alerts',
  supplies: 'supply_requests',
  cadres: 'cadres',
  users: 'users',
  places: 'places',
};

function collectRows(v: unknown, table: LiveTable | undefined, out: Set<string>, depth: number): void {
  if (depth > 3 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) collectRows(x, table, out, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'id' && typeof x === 'number' && table) out.add(`${table}:${x}`);
    else if (typeof x === 'number' && KEY_TABLE[k]) out.add(`${KEY_TABLE[k]}:${x}`);
    else if (x !== null && typeof x === 'object') collectRows(x, KEY_TABLE[k], out, depth + 1);
  }
}

/** The rows ('table:id') a write touched, as far as its input and answer tell. */
export function ownRows(channel: string, input: unknown, data: unknown): Set<string> {
  const out = new Set<string>();
  const table = CHANNEL_TABLE[channel.split('.')[0]];
  if (channel.startsWith('settings.')) out.add('settings:0');
  collectRows(input, table, out, 0);
  collectRows(data, table, out, 0);
  return out;
}

const own: { rows: Set<string>; until: number }[] = [];
/** This window's writes sent and not yet answered: their echo may reach the feed before their answer does. */
let writesInFlight = 0;
/** How long notices may wait for this window's writes in flight (a slow machine), before they refresh anyway. */
const WAIT_FOR_WRITES_MS = 5_000;

/** useApiWrite calls this around each write: begin before sending, end when answered (or failed). */
export function ownWriteInFlight(delta: 1 | -1): void {
  writesInFlight = Math.max(0, writesInFlight + delta);
}

/** useApiWrite reports each successful write here, so its echo on the feed does not refetch what it refreshed. */
export function noteOwnWrite(channel: string, input: unknown, data: unknown): void {
  if (!overNetwork()) return;
  const now = Date.now();
  while (own.length && own[0].until < now) own.shift();
  own.push({ rows: ownRows(channel, input, data), until: now + ECHO_MS });
}

/**
 * Whether a notice is the echo of this window's own write: each row a write touched answers for ONE notice (then it is
 * used up), so another PC's change of the same row moments later still refreshes — the conflict case above all.
 */
function isOwnEcho(table: string, id: number): boolean {
  const key = `${table}:${id}`;
  const now = Date.now();
  const w = own.find((x) => x.until >= now && x.rows.has(key));
  if (!w) return false;
  w.rows.delete(key);
  return true;
}

type Notice =
  | { type: 'hello'; seq: number }
  | { type: 'changes'; seq: number; changes: { table: string; id: number; seq: number }[] }
  | { type: 'resync'; seq: number };

/** Close code of a socket whose session ended (electron/server/live.ts). */
const SESSION_ENDED = 4401;
const DEBOUNCE_MS = 300;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;

/** The last seq seen, kept across reconnects (and page changes) so a new socket catches up from there. */
let lastSeq: number | null = null;

export function liveUrl(loc: Pick<Location, 'protocol' | 'host'>, since: number | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/api/live${since === null ? '' : `?since=${since}`}`;
}

/** Opens the feed while mounted (the app shell, i.e. while logged in); nothing in Electron's own window. */
export function useLiveUpdates(): void {
  useEffect(() => {
    if (!overNetwork() || typeof WebSocket === 'undefined') return;
    let socket: WebSocket | null = null;
    let stopped = false;
    let retry = FIRST_RETRY_MS;
    let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
    let flushTimer: ReturnType<typeof setTimeout> | null = null;
    // Notices wait here for the debounce; own rows are dropped at flush time (the write's answer may come after them).
    const pending: { table: string; id: number }[] = [];
    let everything = false;

    let waitingSince: number | null = null;
    const flush = () => {
      flushTimer = null;
      // A write of this window still unanswered: its rows are not known yet, so its echo cannot be told from another
      // PC's change. Wait for its answer (up to WAIT_FOR_WRITES_MS), then sort the notices.
      if (writesInFlight > 0 && !everything) {
        waitingSince ??= Date.now();
        if (Date.now() - waitingSince < WAIT_FOR_WRITES_MS) {
          flushTimer = setTimeout(flush, DEBOUNCE_MS);
          return;
        }
      }
      waitingSince = null;
      if (everything) void queryClient.invalidateQueries();
      else for (const c of channelsFor(pending.filter((n) => !isOwnEcho(n.table, n.id)).map((n) => n.table))) void queryClient.invalidateQueries({ queryKey: [c] });
      pending.length = 0;
      everything = false;
    };
    const later = () => {
      flushTimer ??= setTimeout(flush, DEBOUNCE_MS);
    };

    const onMessage = (ev: MessageEvent) => {
      let m: Notice;
      try {
        m = JSON.parse(String(ev.data)) as Notice;
      } catch {
        return;
      }
      if (m.type === 'hello') {
        // A server whose log is behind what we saw (a restored database): everything may differ.
        if (lastSeq !== null && m.seq < lastSeq) {
          everything = true;
          later();
          lastSeq = m.seq;
        }
        lastSeq ??= m.seq;
      } else if (m.type === 'changes') {
        for (const c of m.changes) pending.push({ table: c.table, id: c.id });
        if (pending.length) later();
        lastSeq = m.seq;
      } else if (m.type === 'resync') {
        everything = true;
        later();
        lastSeq = m.seq;
      }
    };

    const connect = () => {
      reconnectTimer = null;
      if (stopped) return;
      let opened = false;
      const ws = new WebSocket(liveUrl(window.location, lastSeq));
      socket = ws;
      ws.onopen = () => {
        opened = true;
        retry = FIRST_RETRY_MS;
      };
      ws.onmessage = onMessage;
      ws.onclose = (ev) => {
        if (socket === ws) socket = null;
        if (stopped) return;
        if (ev.code === SESSION_ENDED) return void ended();
        void afterDrop(opened);
      };
    };

    // The server closed the socket because the session ended — or the device was revoked: auth.me tells which, and
    // api's listeners take the window to 登录 or to 配对.
    const ended = async () => {
      try {
        await api('auth.me');
      } catch (e) {
        if (e instanceof ApiError && e.code === 'DEVICE_UNPAIRED') return;
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return sessionEnded();
        return void afterDrop(false);
      }
      if (!stopped && !reconnectTimer) reconnectTimer = setTimeout(connect, retry);
    };

    // Why did it drop? A server that does not answer shows the banner (and we reconnect when it is back); a server
    // that answers but refused the socket may have forgotten the session (restarted): auth.me says so.
    const afterDrop = async (wasOpen: boolean) => {
      const reachable = await checkConnection();
      if (stopped) return;
      if (reachable && !wasOpen) {
        try {
          await api('auth.me');
        } catch (e) {
          if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return sessionEnded();
        }
      }
      if (stopped || reconnectTimer) return;
      reconnectTimer = setTimeout(connect, reachable ? retry : MAX_RETRY_MS);
      retry = Math.min(retry * 2, MAX_RETRY_MS);
    };

    const offBack = onBackOnline(() => {
      if (stopped || socket) return;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      retry = FIRST_RETRY_MS;
      connect();
    });

    connect();
    return () => {
      stopped = true;
      offBack();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (flushTimer) clearTimeout(flushTimer);
      socket?.close(1000, 'left');
    };
  }, []);
}

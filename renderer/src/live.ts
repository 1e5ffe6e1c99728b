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
const DAY: Channel[] = ['checkins.due', 'checkins.counts', 'dashboard.get'];
const SUPPLY: Channel[] = ['supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet', 'dashboard.get'];

/** Which read channels a change of each table can make stale (the contract's `invalidates` of the writes to it). */
export const LIVE_REFRESH: Record<LiveTable, Channel[]> = {
  residents: [...PERSON, ...DAY, 'alerts.list', 'supplies.list', 'supplies.get', 'places.communities'],
  households: [...PERSON, ...DAY, ...SUPPLY],
  episodes: [...PERSON, ...DAY, 'episodes.releaseCheck', 'alerts.list'],
  checkins: [...DAY, 'alerts.list', 'residents.get', 'residents.list'],
  tests: [...DAY, 'residents.get', 'residents.list', 'episodes.releaseCheck'],
  alerts: ['alerts.list', 'dashboard.get', 'checkins.due', 'residents.get', 'residents.list'],
  supply_requests: [...SUPPLY, 'cadres.list', 'residents.get'],
  supply_items: SUPPLY,
  cadres: ['cadres.list', ...SUPPLY],
  users: ['users.list'],
  places: ['places.communities', ...PERSON, ...DAY, 'alerts.list', 'users.list', 'cadres.list', ...SUPPLY],
  settings: ['settings.get', 'auth.me', ...DAY, ...SUPPLY],
};

/** The channels to refresh for a batch of notices (unknown tables are ignored: an older renderer on a newer server). */
export function channelsFor(tables: Iterable<string>): Set<Channel> {
  const out = new Set<Channel>();
  for (const t of tables) for (const c of LIVE_REFRESH[t as LiveTable] ?? []) out.add(c);
  return out;
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
    const pending = new Set<Channel>();
    let everything = false;

    const flush = () => {
      flushTimer = null;
      if (everything) void queryClient.invalidateQueries();
      else for (const c of pending) void queryClient.invalidateQueries({ queryKey: [c] });
      pending.clear();
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
        for (const c of channelsFor(m.changes.map((x) => x.table))) pending.add(c);
        if (pending.size) later();
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
        if (ev.code === SESSION_ENDED) return sessionEnded();
        void afterDrop(opened);
      };
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

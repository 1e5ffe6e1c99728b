// The renderer's live-update map (renderer/src/live.ts) against the server's change feed: every table the feed
// announces (the change_log triggers) has its read channels, no table is made up, every channel named is a read
// channel of the contract (a write would never be "refetched"), and the socket address follows the page's scheme.
import { describe, expect, it } from 'vitest';
import { WATCHED_TABLES } from '../../electron/db/change-log.ts';
import { contract, type Channel } from '../../electron/api/contract.ts';
import { channelsFor, LIVE_REFRESH, liveUrl, ownRows } from '../../renderer/src/live.ts';

describe('live updates: table → read channels', () => {
  it('covers exactly the tables the server announces', () => {
    expect(Object.keys(LIVE_REFRESH).sort()).toEqual([...WATCHED_TABLES].sort());
  });

  it('names only read channels of the contract', () => {
    for (const [table, channels] of Object.entries(LIVE_REFRESH)) {
      expect(channels.length, table).toBeGreaterThan(0);
      for (const c of channels) {
        const def = contract[c] as { invalidates?: unknown; write?: boolean };
        expect(def, `${table} → ${c}`).toBeDefined();
        expect(def.invalidates === undefined && !def.write, `${table} → ${c} is a write`).toBe(true);
      }
    }
  });

  it('the screens of issue 13 follow a check-in, a supply request and a person', () => {
    const checkin = channelsFor(['checkins']);
    for (const c of ['checkins.due', 'checkins.counts', 'dashboard.get', 'residents.get'] as Channel[]) expect(checkin.has(c), c).toBe(true);
    const supply = channelsFor(['supply_requests', 'supply_items']);
    for (const c of ['supplies.list', 'supplies.board', 'supplies.get', 'dashboard.get'] as Channel[]) expect(supply.has(c), c).toBe(true);
    expect(channelsFor(['residents']).has('residents.get')).toBe(true);
    expect(channelsFor(['no_such_table']).size).toBe(0);
  });

  it('ws on http, wss on https, with the catch-up point when there is one', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:4000' }, null)).toBe('ws://127.0.0.1:4000/api/live');
    expect(liveUrl({ protocol: 'https:', host: '192.168.1.10:5443' }, 42)).toBe('wss://192.168.1.10:5443/api/live?since=42');
  });
});

describe('a window’s own writes', () => {
  it('names the rows a check-in touched by table, not any number it carried', () => {
    const rows = ownRows(
      'checkins.record',
      { residentId: 34, date: '2026-12-07', slot: 'am', temperature: 36.5 },
      { checkin: { id: 1567, residentId: 34, episodeId: 40, communityId: 2, version: 1 }, alertId: 9 },
    );
    expect([...rows].sort()).toEqual(['alerts:9', 'checkins:1567', 'episodes:40', 'residents:34']);
    expect(rows.has('checkins:34')).toBe(false);
    expect([...ownRows('residents.update', { id: 5, version: 2, notes: 'x' }, { id: 5, warnings: [] })]).toEqual(['residents:5']);
    expect(ownRows('settings.update', { feverThreshold: 37.5 }, {}).has('settings:0')).toBe(true);
  });
});

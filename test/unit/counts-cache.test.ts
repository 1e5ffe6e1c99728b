// The office server's check-in counters: one grouped count for every community gives each caller exactly what the
// per-call count gives (whole subdistrict, a committee's community, a chosen community), is reused while nothing
// changed or for at most maxStaleMs, and is counted again after a check-in once that time has passed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.ts';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { call } from '../../electron/api/dispatch.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { SlotCountsCache } from '../../electron/api/counts-cache.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import type { SlotCounts } from '../../electron/domain/dashboard.ts';

const TODAY = '2022-01-20';
let handle: DbHandle;
let plain: ApiEnv;
let cached: ApiEnv;
const keys: Record<string, string> = {};

beforeAll(async () => {
  const file = path.join(tempDir('idesk-counts-'), 'counts.db');
  expect((await runCli(['seed-demo', '--db', file, '--residents', '400', '--today', TODAY, '--seed', '9'])).result.code).toBe(0);
  handle = await openDatabase(file);
  const clock = fixedClock(`${TODAY}T09:00:00+08:00`);
  const sessions = new SessionStore();
  plain = { db: handle.db, clock, sessions, dbFile: file };
  cached = { ...plain, slotCounts: new SlotCountsCache(60_000) };
  for (const u of ['clerk', 'committee1', 'committee2']) {
    keys[u] = `k-${u}`;
    await call(plain, 'auth.login', { username: u, password: 'demo1234' }, keys[u]);
  }
}, 60_000);
afterAll(() => handle?.close());

describe('shared check-in counters', () => {
  it('give every caller the same numbers as counting per call', async () => {
    const community = Number(handle.sqlite.prepare("SELECT id FROM places WHERE level = 'community' ORDER BY id LIMIT 1 OFFSET 1").pluck().get());
    for (const u of ['clerk', 'committee1', 'committee2']) {
      for (const input of [{}, { slot: 'pm' as const }, { date: '2022-01-18', slot: 'am' as const }, { communityId: community }]) {
        const a = await call(plain, 'checkins.counts', input, keys[u]);
        const b = await call(cached, 'checkins.counts', input, keys[u]);
        expect(b, `${u} ${JSON.stringify(input)}`).toEqual(a);
      }
    }
    const whole = await call(plain, 'checkins.counts', {}, keys.clerk);
    const one = await call(plain, 'checkins.counts', {}, keys.committee1);
    expect(one.due).toBeLessThan(whole.due);
  });

  it('lag a save by at most their staleness, then count it', async () => {
    const due = await call(plain, 'checkins.due', { slot: 'am', limit: 200 }, keys.clerk);
    const person = due.rows.find((r) => r.checkin === null)!;
    const before = (await call(cached, 'checkins.counts', { slot: 'am' }, keys.clerk)) as SlotCounts;
    await call(plain, 'checkins.record', { residentId: person.residentId, date: TODAY, slot: 'am', temperature: 36.5 }, keys.clerk);
    expect((await call(cached, 'checkins.counts', { slot: 'am' }, keys.clerk)).done).toBe(before.done);
    const fresh = { ...cached, slotCounts: new SlotCountsCache(0) };
    expect((await call(fresh, 'checkins.counts', { slot: 'am' }, keys.clerk)).done).toBe(before.done + 1);
    expect((await call(plain, 'checkins.counts', { slot: 'am' }, keys.clerk)).done).toBe(before.done + 1);
  });
});

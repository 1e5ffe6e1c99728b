// What a write makes stale comes from the contract (its `invalidates`), through dispatch, on a real database: a
// check-in names its slot's counts and the due list, never more than the declaration, and the open alerts only when
// it opened one. The light counts channel agrees with the due list's own counter.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { contract, channels } from '../../electron/api/contract.ts';
import { staleAfter, type ChannelDef } from '../../electron/api/define.ts';
import type { CheckinResult, DueList } from '../../electron/domain/checkins.ts';
import type { SlotCounts } from '../../electron/domain/dashboard.ts';

let t: TestEnv;
let key: string;
const ids: number[] = [];

beforeEach(async () => {
  t = await makeEnv({ now: '2022-01-20T01:00:00.000Z' }); // 09:00 in Shanghai: the morning slot
  ids.length = 0;
  for (const [i, name] of ['甲', '乙', '丙'].entries()) {
    const r = await createResident(t.ctx(), { name, docType: '护照', docNumber: `P${i}`, category: '密接', address: { communityId: t.communities.a, compound: '幸福小区', building: '1', unit: '1', room: String(i) } });
    await startEpisode(t.ctx(), { residentId: r.id, startDate: '2022-01-16' });
    ids.push(r.id);
  }
  key = await t.login('clerk');
});
afterEach(() => t.close());

describe('invalidation declared in the contract', () => {
  it('every declared name is a channel, and reads declare nothing', () => {
    for (const c of channels) {
      const def = contract[c] as ChannelDef;
      for (const s of def.invalidates ?? []) expect(channels, `${c} → ${JSON.stringify(s)}`).toContain(typeof s === 'string' ? s : s.channel);
    }
    for (const read of ['checkins.due', 'checkins.counts', 'dashboard.get', 'residents.list', 'alerts.list'] as const) expect(contract[read]).not.toHaveProperty('invalidates');
  });

  it('a normal check-in answers with its counts and due list stale, not the open alerts; an abnormal one adds them', async () => {
    const normal = await t.dispatch('checkins.record', { residentId: ids[0], date: '2022-01-20', slot: 'am', temperature: 36.5 }, key);
    expect(normal.ok).toBe(true);
    if (!normal.ok) return;
    expect(normal.invalidates).toEqual(expect.arrayContaining(['checkins.counts', 'checkins.due']));
    expect(normal.invalidates).not.toContain('alerts.list');
    expect(normal.invalidates).toEqual(staleAfter(contract['checkins.record'] as ChannelDef, normal.data));

    const fever = await t.dispatch('checkins.record', { residentId: ids[1], date: '2022-01-20', slot: 'am', temperature: 38.2 }, key);
    expect(fever.ok && (fever.data as CheckinResult).alertId).toBeTruthy();
    if (!fever.ok) return;
    expect(fever.invalidates).toContain('alerts.list');

    // A read answers with nothing stale; a refused write too.
    const read = await t.dispatch('checkins.counts', {}, key);
    expect(read.ok && 'invalidates' in read).toBe(false);
    const refused = await t.dispatch('checkins.record', { residentId: ids[0], date: '2022-01-20', slot: 'am', temperature: 36.6 }, key);
    expect(refused.ok).toBe(false);
    expect('invalidates' in refused).toBe(false);
  });

  it('checkins.counts: today and the current slot by default, the same numbers as the due list', async () => {
    await t.dispatch('checkins.record', { residentId: ids[0], date: '2022-01-20', slot: 'am', temperature: 36.5 }, key);
    const c = (await t.call('checkins.counts', {}, key)) as SlotCounts;
    expect(c).toMatchObject({ today: '2022-01-20', date: '2022-01-20', slot: 'am', due: 3, done: 1, overdue: 0, pastCutoff: false });
    const list = (await t.call('checkins.due', { date: '2022-01-20', slot: 'am' }, key)) as DueList;
    expect({ due: c.due, done: c.done, overdue: c.overdue }).toEqual(list.counter);
    expect(c.cutoff).toBe(list.cutoff);
    const past = await t.call('checkins.counts', { date: '2022-01-19', slot: 'pm' }, key);
    expect(past).toMatchObject({ today: '2022-01-20', date: '2022-01-19', slot: 'pm', due: 3, done: 0, overdue: 3, pastCutoff: true });
  });
});

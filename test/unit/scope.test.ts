// Community scope through the API: a committee member of 西大街 (a) can neither see nor touch 华夏里 (b)'s people,
// check-ins, tests or alerts. A refusal is FORBIDDEN or the row is simply absent, and nothing is written.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { recordCheckIn } from '../../electron/domain/checkins.ts';

let t: TestEnv;
let key: string;
let mine: { id: number };
let theirs: { id: number; version: number; checkinId: number; alertId: number };

beforeEach(async () => {
  t = await makeEnv();
  const make = async (name: string, community: number, doc: string) => {
    const r = await createResident(t.ctx(), { name, docType: '护照', docNumber: doc, category: '密接', address: { communityId: community, compound: '幸福小区', building: '1', unit: '1', room: doc } });
    await startEpisode(t.ctx(), { residentId: r.id, startDate: '2022-01-16' });
    return r.id;
  };
  mine = { id: await make('本社区', t.communities.a, 'A1') };
  const bId = await make('外社区', t.communities.b, 'B1');
  const c = await recordCheckIn(t.ctx(), { residentId: bId, date: '2022-01-20', slot: 'am', temperature: 38.0, symptoms: [] });
  const v = await t.handle.db.selectFrom('residents').select('version').where('id', '=', bId).executeTakeFirstOrThrow();
  theirs = { id: bId, version: v.version, checkinId: c.checkin.id, alertId: c.alertId! };
  key = await t.login('committee1');
});
afterEach(() => t.close());

async function snapshot() {
  const db = t.handle.db;
  const count = async (table: 'residents' | 'episodes' | 'checkins' | 'tests' | 'alerts' | 'auditLog') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    residents: await count('residents'),
    episodes: await count('episodes'),
    checkins: await count('checkins'),
    tests: await count('tests'),
    alerts: await count('alerts'),
    audit: await count('auditLog'),
    resident: await db.selectFrom('residents').select(['version', 'notes', 'latestTemperature']).where('id', '=', theirs.id).executeTakeFirstOrThrow(),
    checkin: await db.selectFrom('checkins').select(['version', 'temperature']).where('id', '=', theirs.checkinId).executeTakeFirstOrThrow(),
    alert: await db.selectFrom('alerts').select(['version', 'status']).where('id', '=', theirs.alertId).executeTakeFirstOrThrow(),
  };
}

async function refused(channel: string, input: unknown) {
  const r = await t.dispatch(channel, input, key);
  expect(r.ok, `${channel} should be refused`).toBe(false);
  if (!r.ok) expect(r.error.code, channel).toBe('FORBIDDEN');
}

async function rowsOf(channel: string, input: unknown): Promise<{ residentId?: number; id?: number; name?: string }[]> {
  const r = await t.dispatch(channel, input, key);
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return (r.data as { rows: { residentId?: number; id?: number; name?: string }[] }).rows;
}

describe('committee member of 西大街 against 华夏里', () => {
  it('cannot list or read the other community\'s residents, check-ins or alerts', async () => {
    const before = await snapshot();
    for (const input of [{}, { communityId: t.communities.b }, { search: '外社区' }]) {
      const rows = await rowsOf('residents.list', input);
      expect(rows.map((r) => r.id)).not.toContain(theirs.id);
    }
    expect((await rowsOf('residents.list', {})).map((r) => r.id)).toEqual([mine.id]);
    await refused('residents.get', { id: theirs.id });
    await refused('residents.reveal', { id: theirs.id, field: 'phone' });

    for (const input of [{ slot: 'am' }, { slot: 'am', communityId: t.communities.b }, { slot: 'am', date: '2022-01-19' }]) {
      expect((await rowsOf('checkins.due', input)).map((r) => r.residentId)).not.toContain(theirs.id);
    }
    expect((await rowsOf('checkins.due', { slot: 'am' })).map((r) => r.residentId)).toEqual([mine.id]);
    const counter = await t.dispatch('checkins.due', { slot: 'am', communityId: t.communities.b }, key);
    expect(counter.ok && (counter.data as { counter: unknown }).counter).toEqual({ due: 0, done: 0, overdue: 0 });

    for (const input of [{}, { status: 'open' }, { communityId: t.communities.b }, { residentId: theirs.id }]) {
      expect(await rowsOf('alerts.list', input)).toEqual([]);
    }
    const dash = await t.dispatch('dashboard.get', {}, key);
    expect(dash.ok).toBe(true);
    if (dash.ok) expect((dash.data as { rows: { communityId: number }[] }).rows.map((r) => r.communityId)).toEqual([t.communities.a]);
    expect(await snapshot()).toEqual(before);
  });

  it('cannot write the other community\'s residents, check-ins, tests or alerts, and nothing is written', async () => {
    const before = await snapshot();
    await refused('residents.update', { id: theirs.id, version: theirs.version, notes: '改一下' });
    await refused('episodes.start', { residentId: theirs.id, startDate: '2022-01-20' });
    await refused('checkins.record', { residentId: theirs.id, date: '2022-01-20', slot: 'pm', temperature: 36.5 });
    await refused('checkins.correct', { id: theirs.checkinId, version: 1, temperature: 36.5 });
    await refused('tests.record', { residentId: theirs.id, sampleDate: '2022-01-20', testType: '核酸', result: '阴性' });
    await refused('alerts.close', { id: theirs.alertId, version: 1, action: '复测正常', note: '复测正常' });
    expect(await snapshot()).toEqual(before);

    // The same calls on their own community's person do write (the refusals above are about scope, not the calls).
    const ok = await t.dispatch('checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'pm', temperature: 36.5 }, key);
    expect(ok.ok).toBe(true);
    expect((await snapshot()).checkins).toBe(before.checkins + 1);
  });

  it('an official (read-only) is refused every write channel by permission', async () => {
    const official = await t.login('official');
    const before = await snapshot();
    for (const [channel, input] of [
      ['checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'pm', temperature: 36.5 }],
      ['checkins.correct', { id: theirs.checkinId, version: 1, temperature: 36.5 }],
      ['tests.record', { residentId: mine.id, sampleDate: '2022-01-20', testType: '核酸', result: '阴性' }],
      ['alerts.close', { id: theirs.alertId, version: 1, action: '上报' }],
    ] as const) {
      const r = await t.dispatch(channel, input, official);
      expect(r.ok ? 'ok' : r.error.code, channel).toBe('FORBIDDEN');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('rejects malformed input before anything runs', async () => {
    const before = await snapshot();
    for (const [channel, input] of [
      ['checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'noon', temperature: 36.5 }],
      ['checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'pm', temperature: 50 }],
      ['checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'pm', symptoms: ['头晕'] }],
      ['checkins.record', { residentId: mine.id, date: '2022-01-20', slot: 'pm', temperature: 36.5, extra: 1 }],
      ['alerts.close', { id: theirs.alertId, version: 1, action: '忽略' }],
      ['dashboard.get', { date: '20220120' }],
    ] as const) {
      const r = await t.dispatch(channel, input, key);
      expect(r.ok ? 'ok' : r.error.code, `${channel} ${JSON.stringify(input)}`).toBe('VALIDATION');
    }
    expect(await snapshot()).toEqual(before);
  });
});

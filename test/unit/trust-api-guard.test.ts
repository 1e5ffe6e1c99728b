// The API refuses every channel without a session except the public ones (the list is read from the contract, so a
// channel added later is covered), and refuses a committee member's writes outside their own community.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { addPerson, snapshot } from '../helpers/trust.ts';
import { contract } from '../../electron/api/contract.ts';

let t: TestEnv;
beforeAll(async () => {
  t = await makeEnv();
});
afterAll(async () => t.close());

const PUBLIC = ['auth.login', 'auth.logout', 'auth.setupAdmin', 'auth.setupStatus'];

describe('without a session', () => {
  it('only the login/first-run channels are public', () => {
    const pub = Object.entries(contract)
      .filter(([, def]) => def.access === 'public')
      .map(([name]) => name)
      .sort();
    expect(pub).toEqual(PUBLIC);
  });

  it.each(Object.keys(contract).filter((c) => !PUBLIC.includes(c)))('%s is refused, whatever the input, and nothing is written', async (channel) => {
    const before = snapshot(t);
    for (const [key, input] of [
      ['no-such-session', {}],
      ['', { id: 1, version: 1, confirm: true }],
      ['forged', 'x'],
    ] as const) {
      const r = await t.dispatch(channel, input, key);
      expect(r, `${channel} answered without a session`).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: '请先登录。' } });
    }
    expect(snapshot(t)).toEqual(before);
  });
});

describe("a committee member's scope", () => {
  it('refuses writes on people and households of another community; the same writes in their own work', async () => {
    const clerk = await t.login('clerk');
    const own = await addPerson(t, clerk, { name: '甲', communityId: t.communities.a, seq: 11, startEpisode: '2022-01-18' });
    const other = await addPerson(t, clerk, { name: '乙', communityId: t.communities.b, seq: 12, compound: '华夏小区', startEpisode: '2022-01-18' });
    const hh = (id: number) => t.handle.sqlite.prepare('SELECT household_id FROM residents WHERE id = ?').pluck().get(id) as number;
    const episode = (id: number) => t.handle.sqlite.prepare("SELECT id, version FROM episodes WHERE resident_id = ? AND status = 'active'").get(id) as { id: number; version: number };
    const version = (id: number) => t.handle.sqlite.prepare('SELECT version FROM residents WHERE id = ?').pluck().get(id) as number;
    const committee = await t.login('committee1');

    const writes = (who: { id: number }, communityId: number) =>
      [
        ['residents.update', { id: who.id, version: version(who.id), notes: '改' }],
        ['residents.create', { name: '丙', docType: '护照', docNumber: `E${who.id}9999`, category: '入境', address: { communityId, compound: '某小区', room: '9' } }],
        ['episodes.extend', { episodeId: episode(who.id).id, version: episode(who.id).version, newLastDay: '2022-01-30', reason: '复查' }],
        ['checkins.record', { residentId: who.id, date: '2022-01-20', slot: 'am', temperature: 36.5, symptoms: [] }],
        ['tests.record', { residentId: who.id, sampleDate: '2022-01-20', testType: '核酸', result: '阴性' }],
        ['supplies.create', { householdId: hh(who.id), category: '蔬菜', items: [{ name: '白菜', quantity: '2颗' }] }],
        ['residents.reveal', { id: who.id, field: 'phone' }],
      ] as const;

    for (const [channel, input] of writes(other, t.communities.b)) {
      const before = snapshot(t);
      const r = await t.dispatch(channel, input, committee);
      expect(r, `${channel} on another community`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(snapshot(t), `${channel} wrote something`).toEqual(before);
    }
    for (const [channel, input] of writes(own, t.communities.a)) {
      const r = await t.dispatch(channel, input, committee);
      expect(r, `${channel} in own community`).toMatchObject({ ok: true });
    }
  });
});

// Every write through the API leaves an audit row saying who, when and what, with the values before and after.
// A sample across areas: accounts, settings, places, residents, episodes, check-ins, supplies, cadres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { addPerson } from '../helpers/trust.ts';

let t: TestEnv;
beforeAll(async () => {
  t = await makeEnv();
});
afterAll(async () => t.close());

interface Row {
  id: number;
  at: string;
  userName: string;
  action: string;
  details: string | null;
}

const maxId = () => t.handle.sqlite.prepare('SELECT COALESCE(MAX(id), 0) FROM audit_log').pluck().get() as number;
const rowsAfter = (id: number) => t.handle.sqlite.prepare('SELECT id, at, user_name AS userName, action, details FROM audit_log WHERE id > ? ORDER BY id').all(id) as Row[];
const one = <T>(q: string, ...args: unknown[]) => t.handle.sqlite.prepare(q).get(...args) as T;

/** Calls a channel and returns the single audit row of `action` it left, checked for who/when/after (and before). */
async function audited(key: string, user: string, channel: string, input: unknown, action: string, withBefore: boolean) {
  const from = maxId();
  const r = await t.dispatch(channel, input, key);
  expect(r, `${channel} failed: ${JSON.stringify(r)}`).toMatchObject({ ok: true });
  const rows = rowsAfter(from).filter((x) => x.action === action);
  expect(rows, `${channel} left no ${action} audit row`).toHaveLength(1);
  const row = rows[0];
  expect(row.userName).toBe(user);
  expect(row.at).toBe('2022-01-20T09:00:00+08:00');
  const details = JSON.parse(row.details ?? '{}');
  expect(details.after, `${action} has no after`).toBeTruthy();
  expect(Object.keys(details.after).length).toBeGreaterThan(0);
  if (withBefore) {
    expect(details.before, `${action} has no before`).toBeTruthy();
    expect(Object.keys(details.before).length).toBeGreaterThan(0);
  }
  return { data: (r as { data: any }).data, details };
}

describe('writes are audited with before/after', () => {
  it('across areas', async () => {
    const admin = await t.login('admin');
    const clerk = await t.login('clerk');
    const committee = await t.login('committee1');

    const u = await audited(admin, 'admin', 'users.create', { username: 'helper', displayName: '帮手', role: 'clerk', password: 'abcd1234' }, 'user.create', false);
    expect(u.details.after).toMatchObject({ username: 'helper', role: 'clerk' });
    expect(JSON.stringify(u.details)).not.toContain('abcd1234');
    const upd = await audited(admin, 'admin', 'users.update', { id: u.data.id, version: u.data.version, displayName: '帮手二' }, 'user.update', true);
    expect(upd.details).toMatchObject({ before: { displayName: '帮手' }, after: { displayName: '帮手二' } });

    const s = await audited(admin, 'admin', 'settings.update', { retentionDays: 45 }, 'settings.update', true);
    expect(s.details).toEqual({ before: { retentionDays: 30 }, after: { retentionDays: 45 } });

    const compound = one<{ id: number; version: number }>("SELECT id, version FROM places WHERE level = 'community' AND id = ?", t.communities.b);
    const ren = await audited(clerk, 'clerk', 'places.rename', { id: compound.id, version: compound.version, name: '华夏里新社区' }, 'place.rename', true);
    expect(ren.details).toEqual({ before: { name: '华夏里社区' }, after: { name: '华夏里新社区' } });

    const created = await audited(
      committee,
      'committee1',
      'residents.create',
      { name: '周武', docType: '护照', docNumber: 'E1234567', phone: '13812345678', category: '入境', address: { communityId: t.communities.a, compound: '金桥小区', room: '301' } },
      'resident.create',
      false,
    );
    expect(created.details.after).toMatchObject({ name: '周武', docNumber: 'E1234567' });
    const rid = created.data.id as number;
    const ver = () => one<{ version: number }>('SELECT version FROM residents WHERE id = ?', rid).version;
    const ru = await audited(committee, 'committee1', 'residents.update', { id: rid, version: ver(), phone: '13900001111' }, 'resident.update', true);
    expect(ru.details).toMatchObject({ before: { phone: '13812345678' }, after: { phone: '13900001111' } });

    await audited(committee, 'committee1', 'episodes.start', { residentId: rid, startDate: '2022-01-14' }, 'episode.start', false);
    const ep = () => one<{ id: number; version: number }>("SELECT id, version FROM episodes WHERE resident_id = ? AND status = 'active'", rid);
    const ext = await audited(committee, 'committee1', 'episodes.extend', { episodeId: ep().id, version: ep().version, newLastDay: '2022-01-22', reason: '同住人阳性' }, 'episode.extend', true);
    expect(ext.details).toMatchObject({ before: { lastDay: '2022-01-20' }, after: { lastDay: '2022-01-22' } });

    const ci = await audited(committee, 'committee1', 'checkins.record', { residentId: rid, date: '2022-01-20', slot: 'am', temperature: 36.6, symptoms: [] }, 'checkin.record', false);
    const checkin = ci.data.checkin as { id: number; version: number };
    const cc = await audited(committee, 'committee1', 'checkins.correct', { id: checkin.id, version: checkin.version, temperature: 36.8 }, 'checkin.correct', true);
    expect(cc.details).toMatchObject({ before: { temperature: 36.6 }, after: { temperature: 36.8 } });

    const household = one<{ householdId: number }>('SELECT household_id AS householdId FROM residents WHERE id = ?', rid).householdId;
    const sup = await audited(committee, 'committee1', 'supplies.create', { householdId: household, category: '药品', items: [{ name: '布洛芬', quantity: '1盒' }] }, 'supply.create', false);
    const cadre = await audited(clerk, 'clerk', 'cadres.create', { name: '马骏', homeUnit: '市住建局', communityId: t.communities.a }, 'cadre.create', false);
    const assign = await audited(committee, 'committee1', 'supplies.assign', { id: sup.data.id, version: sup.data.version, cadreId: cadre.data.id }, 'supply.assign', true);
    expect(assign.details).toMatchObject({ before: { status: 'new' }, after: { status: 'assigned' } });
    const cu = await audited(clerk, 'clerk', 'cadres.update', { id: cadre.data.id, version: cadre.data.version, title: '二级调研员' }, 'cadre.update', true);
    expect(cu.details.after).toMatchObject({ title: '二级调研员' });

    // A refused write leaves nothing behind.
    const from = maxId();
    const refused = await t.dispatch('residents.update', { id: rid, version: 1, phone: '13700000000' }, committee);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(rowsAfter(from)).toEqual([]);
  });

  it('the people a write was about can be found by resident', async () => {
    const clerk = await t.login('clerk');
    const p = await addPerson(t, clerk, { name: '钱七', communityId: t.communities.a, seq: 77, startEpisode: '2022-01-19' });
    const actions = (t.handle.sqlite.prepare('SELECT action FROM audit_log WHERE resident_id = ? ORDER BY id').pluck().all(p.id) as string[]);
    expect(actions).toEqual(['resident.create', 'episode.start']);
  });
});

// A stale write's CONFLICT says who changed the record last and when (issue 13: 已被 X 于 HH:mm 修改), on a real
// SQLite file built by the migrations, through the API as two logged-in users: the second save from the same version
// is refused, and its details name the first user (by display name), the time of that change and the current version.
// Looking at a record (resident.view, a phone reveal) is not a change: it never becomes "who changed it".
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { lastChange } from '../../electron/domain/versioned.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { call, type ApiResult } from '../../electron/api/dispatch.ts';

let t: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-conflict-');
  t = await makeEnv({ file: path.join(dir, 'desk.db'), now: '2022-01-20T01:00:00.000Z' });
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function person(seq: number) {
  const r = await createResident(t.ctx(), {
    name: `人员${seq}`,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1985-03-04', seq),
    category: '密接',
    phone: '13800000001',
    address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: String(500 + seq) },
  });
  return r.id;
}

function refused(r: ApiResult<unknown>) {
  expect(r.ok).toBe(false);
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
}

describe('CONFLICT names who changed the record and when', () => {
  it('two users save one resident from the same version: the second is told the first one’s name, the time and the version now', async () => {
    const id = await person(11);
    const committee = await t.login('committee1');
    const clerk = await t.login('clerk');
    // Both open the edit form on version 1.
    const seen = await call(t.env, 'residents.get', { id }, clerk);
    expect(seen.resident.version).toBe(1);
    await call(t.env, 'residents.get', { id }, committee);

    t.clock.set('2022-01-20T01:12:00.000Z'); // 09:12 in Shanghai
    await call(t.env, 'residents.update', { id, version: 1, notes: '李主任改的' }, committee);
    t.clock.set('2022-01-20T01:15:00.000Z');
    // The clerk looks at the record again (an audited view, newer than the change) and then saves the stale form.
    await call(t.env, 'residents.get', { id }, clerk);
    const error = refused(await t.dispatch('residents.update', { id, version: 1, notes: '王科员改的' }, clerk));
    expect(error).toMatchObject({ code: 'CONFLICT', key: 'common.conflict', details: { by: '西大街李主任', current: 2 } });
    const at = (error.details as { at: string }).at;
    expect(new Date(at).toISOString()).toBe('2022-01-20T01:12:00.000Z');
    // Nothing of the stale save was written.
    const row = await t.handle.db.selectFrom('residents').select(['notes', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ notes: '李主任改的', version: 2 });
  });

  it('the episode release’s own version check and an episode extension say who too', async () => {
    const id = await person(12);
    const e = await startEpisode(t.ctx(), { residentId: id, startDate: '2022-01-10' });
    const committee = await t.login('committee1');
    const clerk = await t.login('clerk');
    await call(t.env, 'episodes.extend', { episodeId: e.id, version: e.version, newLastDay: '2022-01-30', reason: '复查' }, clerk);
    const release = refused(await t.dispatch('episodes.release', { episodeId: e.id, version: e.version, reason: '提前', overrideReason: '测试' }, committee));
    expect(release).toMatchObject({ code: 'CONFLICT', details: { by: '街道王科员', current: e.version + 1 } });
    const extend = refused(await t.dispatch('episodes.extend', { episodeId: e.id, version: e.version, newLastDay: '2022-02-01', reason: '再延' }, committee));
    expect(extend).toMatchObject({ code: 'CONFLICT', details: { by: '街道王科员', current: e.version + 1 } });
  });

  it('a cadre changed by the clerk: an admin’s stale save names the clerk', async () => {
    const clerk = await t.login('clerk');
    const admin = await t.login('admin');
    const c = await call(t.env, 'cadres.create', { name: '刘干部', homeUnit: '区财政局', phone: '13900000001', communityId: t.communities.a }, clerk);
    await call(t.env, 'cadres.update', { id: c.id, version: 1, title: '科长' }, clerk);
    const error = refused(await t.dispatch('cadres.update', { id: c.id, version: 1, title: '副科长' }, admin));
    expect(error).toMatchObject({ code: 'CONFLICT', details: { by: '街道王科员', current: 2 } });
  });

  it('without an audit row of the record, the row’s own time is given and no name is made up', async () => {
    const id = await person(13);
    const r = await t.handle.db.selectFrom('residents').select(['householdId']).where('id', '=', id).executeTakeFirstOrThrow();
    const h = await t.handle.db.selectFrom('households').select(['updatedAt', 'version']).where('id', '=', r.householdId).executeTakeFirstOrThrow();
    expect(await lastChange(t.ctx(), 'households', r.householdId)).toEqual({ at: h.updatedAt, current: h.version });
    // A record made at the command line names the command line.
    expect(await lastChange(t.ctx(), 'residents', id)).toMatchObject({ by: '命令行', current: 1 });
  });
});

// The domain's two shared helpers on a real database built by the migrations: the versioned update (optimistic
// locking) and "the episode covering a date", whose SQL and code forms must agree day by day.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { endEpisode, startEpisode } from '../../electron/domain/episodes.ts';
import { coversDate, coversDateSql, type EndDay } from '../../electron/domain/episodes-days.ts';
import { updateVersioned } from '../../electron/domain/versioned.ts';
import { addDays } from '../../electron/domain/dates.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { AppError } from '../../electron/shared/errors.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv({ now: '2022-01-19T02:00:00.000Z' });
});
afterEach(() => t.close());

async function person(seq: number) {
  const r = await createResident(t.ctx(), {
    name: `人员${seq}`,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1985-03-04', seq),
    category: '密接',
    address: { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: String(500 + seq) },
  });
  return r.id;
}

describe('updateVersioned', () => {
  it('changes the row and bumps its version when the version matches; a stale version is a CONFLICT and writes nothing', async () => {
    const id = await person(11);
    const before = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await updateVersioned(t.ctx(), 'residents', id, before.version, { notes: '第一次' }, 'thing.residentInfo');
    const after = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.notes).toBe('第一次');
    expect(after.version).toBe(before.version + 1);

    const stale = updateVersioned(t.ctx(), 'residents', id, before.version, { notes: '第二次' }, 'thing.residentInfo');
    await expect(stale).rejects.toBeInstanceOf(AppError);
    await expect(stale).rejects.toMatchObject({ code: 'CONFLICT' });
    const unchanged = await t.handle.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(unchanged).toEqual(after);

    await expect(updateVersioned(t.ctx(), 'residents', id + 1000, 1, { notes: 'x' }, 'thing.residentInfo')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('coversDate', () => {
  it('the SQL condition and the code agree on every day around a running and an ended episode', async () => {
    const running = await person(21);
    await startEpisode(t.ctx(), { residentId: running, startDate: '2022-01-12' });
    const released = await person(22);
    const r = await startEpisode(t.ctx(), { residentId: released, startDate: '2022-01-05', kind: 'health_monitoring', days: 7 });
    await endEpisode(t.ctx(), { episodeId: r.id, version: r.version, outcome: 'ended_other', reason: '迁出', date: '2022-01-10' });
    const episodes = await t.handle.db.selectFrom('episodes').selectAll().orderBy('id').execute();
    expect(episodes.map((e) => e.status)).toEqual(['active', 'ended_other']);

    for (const endDay of ['excluded', 'included'] as EndDay[]) {
      for (let d = '2022-01-03'; d <= '2022-01-19'; d = addDays(d, 1)) {
        const bySql = await t.handle.db.selectFrom('episodes').select('id').where(coversDateSql('episodes', d, endDay)).orderBy('id').execute();
        const byCode = episodes.filter((e) => coversDate(e, d, endDay)).map((e) => ({ id: e.id }));
        expect(bySql, `${d} ${endDay}`).toEqual(byCode);
      }
    }
    const ended = episodes[1];
    // The day it ended: covered only when the end day counts (records of that day still belong to it).
    expect(coversDate(ended, '2022-01-10', 'excluded')).toBe(false);
    expect(coversDate(ended, '2022-01-10', 'included')).toBe(true);
    expect(coversDate(ended, '2022-01-09')).toBe(true);
    expect(coversDate(ended, '2022-01-04', 'included')).toBe(false);
    expect(coversDate(episodes[0], '2022-01-11')).toBe(false);
    expect(coversDate(episodes[0], '2030-01-01')).toBe(true);
  });
});

// The dashboard's drill-down (dashboard.places): a community's compounds and a compound's buildings, whose rows add up
// to the level above (the community row of 工作台 and the daily report), in natural order, scoped like every read.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { CLI_ACTOR, type Actor } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { communityDailyStats } from '../../electron/domain/dashboard.ts';
import { placeDailyStats, type PlaceDailyRow } from '../../electron/domain/dashboard-places.ts';
import { tempDir } from '../helpers/env.ts';

const TODAY = '2022-01-20';
let dir: string;
let handle: DbHandle;
let ctx: Ctx;

beforeAll(async () => {
  dir = tempDir('idesk-places-');
  handle = await openDatabase(path.join(dir, 'places.db'), { create: true });
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(`${TODAY}T07:00:00.000Z`) };
  await withBulkLoad(handle.sqlite, (db) => seedDemo({ ...ctx, db }, { residents: 1500, days: 12, seed: 4, password: 'demo1234', full: true, bulk: true }));
}, 120_000);
afterAll(async () => {
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const KEYS = ['underControl', 'newToday', 'releasedToday', 'dueForRelease', 'checkinsDue', 'checkinsDone', 'checkinsMissing', 'abnormalCheckins'] as const;
const sum = (rows: PlaceDailyRow[]) => Object.fromEntries([...KEYS, 'supplyOpen'].map((k) => [k, rows.reduce((a, r) => a + Number(r[k as keyof PlaceDailyRow]), 0)]));

describe('dashboard drill-down', () => {
  it("a community's compounds add up to its dashboard row, and a compound's buildings to the compound's row", async () => {
    for (const date of [TODAY, '2022-01-17']) {
      const communities = await communityDailyStats(ctx, date);
      let checked = 0;
      for (const c of communities) {
        const compounds = await placeDailyStats(ctx, { date, communityId: c.communityId });
        expect(compounds).toMatchObject({ level: 'compound', community: { id: c.communityId, name: c.community }, compound: null });
        const total = sum(compounds.rows);
        for (const k of KEYS) expect(total[k], `${c.community} ${k} on ${date}`).toBe(c[k]);
        expect(total.supplyOpen).toBe(c.supplyPending);
        for (const cp of compounds.rows.slice(0, 3)) {
          const buildings = await placeDailyStats(ctx, { date, compoundId: cp.placeId });
          expect(buildings.level).toBe('building');
          expect(buildings.compound).toEqual({ id: cp.placeId, name: cp.place });
          const b = sum(buildings.rows);
          for (const k of [...KEYS, 'supplyOpen'] as const) expect(b[k], `${cp.place} ${k}`).toBe(cp[k]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(5);
    }
  });

  it('buildings come in natural order (2号楼 before 10号楼)', async () => {
    const c = (await communityDailyStats(ctx, TODAY))[0];
    const compound = (await placeDailyStats(ctx, { date: TODAY, communityId: c.communityId })).rows[0];
    const names = (await placeDailyStats(ctx, { date: TODAY, compoundId: compound.placeId })).rows.map((r) => r.place);
    const numbers = names.map((n) => Number(/\d+/.exec(n)?.[0] ?? NaN)).filter((n) => !Number.isNaN(n));
    expect(numbers.length).toBeGreaterThan(1);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it("a committee member sees only their own community's places; others are refused", async () => {
    const [mine, other] = await communityDailyStats(ctx, TODAY);
    const committee: Actor = { userId: 9, username: 'c', displayName: 'c', role: 'committee', communityId: mine.communityId };
    const c = { ...ctx, actor: committee };
    expect((await placeDailyStats(c, { date: TODAY })).community.id).toBe(mine.communityId);
    await expect(placeDailyStats(c, { date: TODAY, communityId: other.communityId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const theirs = (await placeDailyStats(ctx, { date: TODAY, communityId: other.communityId })).rows[0];
    await expect(placeDailyStats(c, { date: TODAY, compoundId: theirs.placeId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(placeDailyStats(ctx, { date: TODAY })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(placeDailyStats(ctx, { date: TODAY, compoundId: mine.communityId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

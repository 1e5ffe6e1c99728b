// The residents list remembers its counts while the database is unchanged: deep pages of a grid (which ask for no
// total but need one to pick the walk direction) no longer recount, yet a write through this connection, a commit
// by another connection, or a new day gives a fresh, correct count and the right rows.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { withBulkLoad } from '../../electron/db/bulk.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { listResidents, residentCountsRun, type ResidentQuery } from '../../electron/domain/residents-list.ts';
import { tempDir } from '../helpers/env.ts';

const N = 7500; // about 5,600 active: deep pages past the 5,000 offset need the count
const TODAY = '2022-01-20';
let dir: string;
let handle: DbHandle;
let other: DbHandle;
let ctx: Ctx;

beforeAll(async () => {
  dir = tempDir('idesk-count-');
  const file = path.join(dir, 'count.db');
  handle = await openDatabase(file, { create: true });
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(`${TODAY}T07:00:00.000Z`) };
  await withBulkLoad(handle.sqlite, (db) => seedDemo({ ...ctx, db }, { residents: N, days: 10, seed: 5, password: 'demo1234', full: false, bulk: true }));
  other = await openDatabase(file, { create: false });
}, 120_000);

afterAll(async () => {
  await other?.close();
  await handle?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const ACTIVE = "status IN ('isolating','monitoring')";
const sqlCount = (where: string) => handle.sqlite.prepare(`SELECT COUNT(*) FROM residents WHERE ${where}`).pluck().get() as number;
const plain = (where: string, offset: number, limit: number) =>
  handle.sqlite.prepare(`SELECT id FROM residents WHERE ${where} ORDER BY last_day, id LIMIT ? OFFSET ?`).pluck().all(limit, offset) as number[];
const page = async (q: ResidentQuery, c: Ctx = ctx) => {
  const r = await listResidents(c, { sortField: 'lastDay', sortDir: 'asc', limit: 100, ...q });
  return { ids: r.rows.map((x) => x.id), total: r.total };
};

describe('residents list count cache', () => {
  it('deep pages reuse the count until another connection commits, then recount and return the right rows', async () => {
    const total = (await page({ status: 'active', offset: 0, withTotal: true })).total!;
    expect(total).toBe(sqlCount(ACTIVE));
    expect(total).toBeGreaterThan(5100);
    const runs = residentCountsRun();
    for (const offset of [total - 100, total - 160, total - 37]) {
      const p = await page({ status: 'active', offset, withTotal: false });
      expect(p.total).toBeNull();
      expect(p.ids).toEqual(plain(ACTIVE, offset, 100));
    }
    expect(residentCountsRun()).toBe(runs); // no recount for the deep pages

    // Another connection releases the last active person: the next deep page must not use the old count.
    other.sqlite.prepare(`UPDATE residents SET status = 'released' WHERE id = (SELECT id FROM residents WHERE ${ACTIVE} ORDER BY last_day DESC, id DESC LIMIT 1)`).run();
    const deep = await page({ status: 'active', offset: total - 101, withTotal: false });
    expect(deep.ids).toEqual(plain(ACTIVE, total - 101, 100));
    expect(deep.ids).toHaveLength(100);
    expect(residentCountsRun()).toBe(runs + 1);
    expect((await page({ status: 'active', offset: 0, withTotal: true })).total).toBe(total - 1);
    expect(residentCountsRun()).toBe(runs + 1);
  });

  it('a write through the same connection, another filter or another day each get their own fresh count', async () => {
    const all = (await page({ status: 'all', withTotal: true })).total!;
    expect(all).toBe(sqlCount('1=1'));
    const householdId = handle.sqlite.prepare('SELECT id FROM households LIMIT 1').pluck().get() as number;
    await createResident(ctx, { name: '缓存测', docType: '港澳居民来往内地通行证', docNumber: 'H87654321', category: '密接', householdId });
    expect((await page({ status: 'all', withTotal: true })).total).toBe(all + 1);

    const due = (await page({ status: 'due', withTotal: true })).total!;
    expect(due).toBe(sqlCount(`${ACTIVE} AND last_day < '${TODAY}'`));
    // Later in the week more people are past their last day: the key holds the date.
    const later = { ...ctx, clock: fixedClock('2022-01-27T07:00:00.000Z') };
    const dueLater = (await page({ status: 'due', withTotal: true }, later)).total!;
    expect(dueLater).toBe(sqlCount(`${ACTIVE} AND last_day < '2022-01-27'`));
    expect(dueLater).toBeGreaterThan(due);
  });
});

// A job's connection: INSERTs through ctx.bulkInsert run on the same connection as its Kysely instance, so they
// belong to the open transaction (rolled back with it) and return the new row's id; nothing but INSERT is accepted.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { jobConnection } from '../../electron/db/job-connection.ts';
import { tempDir } from '../helpers/env.ts';

let dir: string;
let handle: DbHandle;
beforeEach(async () => {
  dir = tempDir('idesk-jobconn-');
  handle = await openDatabase(path.join(dir, 'data.db'), { create: true });
});
afterEach(async () => {
  await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const INSERT = 'insert into "places" ("parent_id", "level", "name", "created_at", "updated_at") values (?, ?, ?, ?, ?)';
const at = '2022-01-20T01:00:00.000Z';
const names = () => handle.sqlite.prepare("SELECT name FROM places WHERE level = 'district' ORDER BY id").pluck().all();

describe('jobConnection: bulkInsert', () => {
  it('writes inside the Kysely transaction: ids in order, rolled back with it, kept when it commits', async () => {
    const { db, bulkInsert: insert } = jobConnection(handle);
    await expect(
      db.transaction().execute(async () => {
        insert(INSERT, [null, 'district', '回滚区', at, at]);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(names()).toEqual([]);

    const ids = await db.transaction().execute(async (tx) => {
      const a = insert(INSERT, [null, 'district', '甲区', at, at]);
      const b = insert(INSERT, [null, 'district', '乙区', at, at]);
      // Kysely on the same transaction sees the rows already.
      const seen = await tx.selectFrom('places').select('name').where('level', '=', 'district').orderBy('id').execute();
      expect(seen.map((r) => r.name)).toEqual(['甲区', '乙区']);
      return [a, b];
    });
    expect(ids[1]).toBe(ids[0] + 1);
    expect(names()).toEqual(['甲区', '乙区']);
    await db.destroy();
  });

  it('refuses anything but an INSERT', () => {
    const { bulkInsert: insert } = jobConnection(handle);
    expect(() => insert('delete from places', [])).toThrow(/INSERT/);
  });
});

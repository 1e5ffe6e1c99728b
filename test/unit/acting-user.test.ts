// The acting user of each write transaction, as the database records it (issue 17): every change-log row a domain
// write adds names the user it acted for — through set_config and the column's default on PostgreSQL, stamped by the
// transaction on SQLite — including a write inside a transaction someone else opened, a nested write in another
// user's name, and a refused write (which leaves nothing). Runs on both engines (test/pg/vitest.config.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { inTx, type Ctx } from '../../electron/domain/context.ts';
import { updateSettings } from '../../electron/domain/settings.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { isPostgres } from '../../electron/db/engine.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv();
});
afterEach(() => t.close());

const clerk: Actor = { userId: 2, username: 'clerk', displayName: '街道王科员', role: 'clerk', communityId: null };
const admin: Actor = { userId: 1, username: 'admin', displayName: '管理员', role: 'admin', communityId: null };
const addr = (communityId: number, room: string) => ({ communityId, compound: '金桥小区', building: '3', unit: '2', room });
let seq = 0;
const person = (ctx: Ctx) =>
  createResident(ctx, { name: '张三', docType: '居民身份证', docNumber: makeIdNumber('131002', '1980-01-01', 31 + 2 * seq++), category: '密接', address: addr(t.communities.a, String(501 + seq)) });

/** (table, actor) of the change-log rows after `after`, in order. */
async function logged(after: number): Promise<Array<[string, string | null]>> {
  const rows = await t.handle.db.selectFrom('changeLog').select(['tbl', 'actor']).where('seq', '>', after).orderBy('seq').execute();
  return rows.map((r) => [r.tbl, r.actor]);
}
const head = async () => Number((await t.handle.db.selectFrom('changeLog').select((eb) => eb.fn.max('seq').as('s')).executeTakeFirst())?.s ?? 0);

describe('the acting user of a write transaction', () => {
  it('names the user on every change-log row a domain write adds', async () => {
    const h = await head();
    await person(t.ctx(clerk));
    const rows = await logged(h);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['clerk']));
    // The next transaction, by someone else, is theirs alone.
    const h2 = await head();
    await updateSettings(t.ctx(admin), { feverThreshold: 37.4 });
    expect(await logged(h2)).toEqual([['settings', 'admin']]);
  });

  it('a write outside the domain records no user; a refused write records nothing', async () => {
    const h = await head();
    await sql`INSERT INTO settings (key, value, updated_at) VALUES ('x.raw', '1', 'x')`.execute(t.handle.db);
    expect(await logged(h)).toEqual([['settings', null]]);
    const h2 = await head();
    await expect(inTx(t.ctx(clerk), async (tx) => {
      await person(tx);
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(await logged(h2)).toEqual([]);
  });

  it('in one transaction: writes in two users’ names (grouped server writes, a nested write) each keep their user', async () => {
    const h = await head();
    await t.handle.db.transaction().execute(async (trx) => {
      await person({ ...t.ctx(clerk), db: trx });
      await updateSettings({ ...t.ctx(admin), db: trx }, { feverThreshold: 37.4 });
      await inTx({ ...t.ctx(clerk), db: trx }, async (tx) => {
        await updateSettings({ ...tx, actor: admin }, { feverThreshold: 37.6 });
        await person(tx);
      });
    });
    const rows = await logged(h);
    const settings = rows.filter((r) => r[0] === 'settings').map((r) => r[1]);
    expect(settings).toEqual(['admin', 'admin']);
    const others = rows.filter((r) => r[0] !== 'settings').map((r) => r[1]);
    expect(others.length).toBeGreaterThanOrEqual(4);
    expect(new Set(others)).toEqual(new Set(['clerk']));
    if (isPostgres(t.handle.db)) {
      // SET LOCAL: gone with the transaction.
      const after = (await sql<{ a: string | null }>`SELECT NULLIF(current_setting('idesk.actor', true), '') AS a`.execute(t.handle.db)).rows[0];
      expect(after.a).toBeNull();
    }
  });
});

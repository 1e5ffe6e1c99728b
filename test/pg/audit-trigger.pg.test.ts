// The audit chain checked by PostgreSQL itself (issue 17; pg/audit.ts audit_log_hash_checked): a row inserted by raw
// SQL with a wrong hash, a wrong previous hash, a forged user, a nonce that does not fit or out of order is refused by
// the database; a normal day of writes through the API (people, check-ins, an import of a few hundred rows, a purge
// that scrubs and re-anchors) passes and verify is green; the canonical JSON of odd strings hashes in PostgreSQL
// exactly as in Node; verify names the trigger (or its helper) when dropped, disabled or changed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import crypto from 'node:crypto';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { addPerson, api } from '../helpers/trust.ts';
import { xlsxBuffer, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { detailsCommit, rowHash, SCRUBBED_DETAILS, verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { isPostgres } from '../../electron/db/engine.ts';
import { inTx } from '../../electron/domain/context.ts';
import { purgeInTransaction, purgeCutoff } from '../../electron/domain/purge.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import type { Db } from '../../electron/db/open.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv();
  expect(isPostgres(t.handle.db)).toBe(true);
});
afterEach(() => t.close());

interface Forged {
  id: number;
  at: string;
  userName: string;
  action: string;
  entity: string | null;
  entityId: number | null;
  residentId: number | null;
  details: string | null;
  nonce: string | null;
  detailsHash: string | null;
  hash: string;
}

async function head(db: Db): Promise<{ id: number; hash: string }> {
  const r = await db.selectFrom('auditLog').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return { id: r?.id ?? 0, hash: r?.hash ?? '' };
}

/** The next row of the chain as Node computes it (rowHash), with `change` applied before hashing. */
async function nextRow(db: Db, change: Partial<Forged> = {}, prev?: string): Promise<Forged> {
  const h = await head(db);
  const nonce = crypto.randomBytes(16).toString('hex');
  const r = { id: h.id + 1, at: '2022-01-20T01:00:00.000Z', userName: 'cli', action: 'test.raw', entity: 'x', entityId: 7, residentId: null, details: '{"a":1}', nonce, detailsHash: null, ...change };
  const commit = r.nonce === null ? r.detailsHash! : detailsCommit(r.nonce, r.details);
  return { ...r, hash: rowHash(prev ?? h.hash, r, commit) };
}

const insertRaw = (db: Db, r: Forged) =>
  sql`INSERT INTO audit_log (id, at, user_name, action, entity, entity_id, resident_id, details, nonce, details_hash, hash)
    VALUES (${r.id}, ${r.at}, ${r.userName}, ${r.action}, ${r.entity}, ${r.entityId}, ${r.residentId}, ${r.details}, ${r.nonce}, ${r.detailsHash}, ${r.hash})`.execute(db);

/** Runs fn in a transaction acting for `username` (as domain/context.ts inTx does). */
const actingFor = <T>(username: string, fn: (db: Db) => Promise<T>) =>
  t.handle.db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('idesk.actor', ${username}, true)`.execute(trx);
    return fn(trx);
  });

const count = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(t.handle.db)).rows[0].n);

describe('the audit chain checked by PostgreSQL', () => {
  it('refuses by raw SQL a wrong hash, a wrong previous row, a forged user, an unfit nonce, a row out of order; accepts the right one', async () => {
    const db = t.handle.db;
    const before = await count();
    expect(before).toBeGreaterThan(0); // makeEnv's own writes
    // The right row, computed in Node, passes (so each refusal below is about its one defect).
    await insertRaw(db, await nextRow(db));
    const good = await nextRow(db);
    await expect(insertRaw(db, { ...good, hash: good.hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) })).rejects.toThrow(/does not follow the chain/);
    // Hashed for other content than it carries.
    await expect(insertRaw(db, { ...good, action: 'test.other' })).rejects.toThrow(/does not follow the chain/);
    // Chained from another row than the newest (the one before it, or none).
    const beforeHead = (await db.selectFrom('auditLog').select('hash').orderBy('id', 'desc').offset(1).limit(1).executeTakeFirstOrThrow()).hash!;
    await expect(insertRaw(db, await nextRow(db, {}, beforeHead))).rejects.toThrow(/does not follow the chain/);
    await expect(insertRaw(db, await nextRow(db, {}, ''))).rejects.toThrow(/does not follow the chain/);
    // A nonce with a scrub digest, a scrubbed row without its digest.
    await expect(insertRaw(db, await nextRow(db, { detailsHash: 'a'.repeat(64) }))).rejects.toThrow(/nonce and a scrub digest/);
    await expect(insertRaw(db, await nextRow(db, { nonce: null, details: SCRUBBED_DETAILS, detailsHash: 'zz' }))).rejects.toThrow(/neither a nonce nor/);
    // A forged user: the transaction acts for clerk, the row says admin (correctly hashed).
    await expect(actingFor('clerk', async (trx) => insertRaw(trx, await nextRow(trx, { userName: 'admin' })))).rejects.toThrow(/written as admin by a transaction acting for clerk/);
    await actingFor('clerk', async (trx) => insertRaw(trx, await nextRow(trx, { userName: 'clerk' })));
    // Out of order: a correctly chained row at an id below the newest (a gap left on purpose).
    const h = await head(db);
    await insertRaw(db, { ...(await nextRow(db, { id: h.id + 5 })) });
    const inGap = await nextRow(db, { id: h.id + 2 }, h.hash);
    await expect(insertRaw(db, inGap)).rejects.toThrow(/appended after the newest one/);
    expect(await count()).toBe(before + 3);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, problems: [] });
  });

  it('a normal day passes: people, check-ins, an import of 300 rows, a purge that scrubs and re-anchors; verify is green', async () => {
    const clerk = await t.login('clerk');
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await addPerson(t, clerk, { name: `测试${i}`, communityId: t.communities.a, seq: 900 + i, startEpisode: '2022-01-10' }));
    for (const p of people) await api(t, 'checkins.record', { residentId: p.id, date: '2022-01-12', slot: 'am', temperature: 36.6 }, clerk);
    const episodeOf = async (id: number) =>
      t.handle.db.selectFrom('episodes').select(['id', 'version']).where('residentId', '=', id).where('status', '=', 'active').executeTakeFirstOrThrow();
    for (const p of people.slice(0, 2)) {
      const e = await episodeOf(p.id);
      await api(t, 'episodes.release', { episodeId: e.id, version: e.version, reason: '测试', overrideReason: '测试' }, clerk);
    }
    await importList(clerk, 300);
    const actors = (await sql<{ u: string }>`SELECT DISTINCT user_name AS u FROM audit_log WHERE action <> 'auth.login' ORDER BY 1`.execute(t.handle.db)).rows.map((r) => r.u);
    expect(actors).toContain('clerk');
    // The change log names the clerk for the imported rows too (the job's transaction acts for them).
    const byActor = (await sql<{ a: string | null; n: number }>`SELECT actor AS a, count(*) AS n FROM change_log WHERE tbl IN ('residents', 'episodes', 'households') GROUP BY 1`.execute(t.handle.db)).rows;
    expect(byActor.map((r) => r.a)).toEqual(['clerk']);
    expect(Number(byActor[0].n)).toBeGreaterThanOrEqual(3 * 304);

    // Past the retention period: the two released people go, their audit rows are scrubbed in place (deleted and
    // re-inserted under the gate, below the newest row) and a re-anchor follows.
    t.clock.set('2022-03-20T01:00:00.000Z');
    const admin: Actor = { userId: 1, username: 'admin', displayName: '管理员', role: 'admin', communityId: null };
    const cutoff = purgeCutoff('2022-03-20', 30);
    const done = await inTx(t.ctx(admin), (tx) => purgeInTransaction(tx, cutoff, [], { cutoff }));
    expect(done.counts).toMatchObject({ residents: 2 });
    const scrubbed = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log WHERE nonce IS NULL`.execute(t.handle.db)).rows[0].n);
    expect(scrubbed).toBeGreaterThanOrEqual(4);
    const report = await verifyAuditChain(t.handle.db);
    expect(report).toMatchObject({ ok: true, problems: [], firstBrokenId: null });
    expect(Object.fromEntries(report.triggers.map((x) => [x.name, x.status]))).toEqual({
      audit_log_no_update: 'ok',
      audit_log_no_delete: 'ok',
      audit_log_chained: 'ok',
      audit_log_hash_checked: 'ok',
    });
  });

  it('hashes the canonical JSON of odd strings exactly as Node does (quotes, backslash, U+2028, emoji, control characters, CJK)', async () => {
    const db = t.handle.db;
    const fixed = [
      '"',
      '\\',
      '\\"\\\\"',
      '\u2028\u2029',
      '😀👩‍👩‍👧‍👦🀄',
      '\u0001\u0002\u0007\b\t\n\u000b\f\r\u000e\u001b\u001f\u007f\u0080\u009f',
      '中文 隔离 𠀀𪚥 ｢全角｣',
      '</script><!--',
      'e\u0301 combining',
      '\ufeff BOM \ufffd',
      '',
      ' ',
      '{"purged":true}',
      'null',
      '[1,2]',
      '\u00a0\u3000',
    ];
    let seed = 20221207;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pools = [
      [0x01, 0x1f],
      [0x20, 0x7f],
      [0x80, 0x7ff],
      [0x2000, 0x206f],
      [0x4e00, 0x9fff],
      [0xe000, 0xfffd],
      [0x1f300, 0x1faff],
      [0x20000, 0x2a6df],
    ];
    const random = Array.from({ length: 120 }, () => {
      const n = Math.floor(rand() * 12);
      let s = '';
      for (let k = 0; k < n; k++) {
        const [lo, hi] = pools[Math.floor(rand() * pools.length)];
        s += String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
      }
      return s;
    });
    const strings = [...fixed, ...random];
    const before = await count();
    for (const [i, s] of strings.entries()) {
      // Each odd string in every hashed text field in turn, and in the details (hashed through the commitment).
      const field = (['at', 'userName', 'action', 'entity', 'details'] as const)[i % 5];
      const row = await nextRow(db, { [field]: s, entityId: i % 3 ? i : null, residentId: i % 2 ? null : i * 1000 });
      await insertRaw(db, row).catch((e: Error) => {
        throw new Error(`${JSON.stringify(s)} in ${field}: ${e.message}`);
      });
    }
    expect(await count()).toBe(before + strings.length);
    // And the same in PostgreSQL's own words, for every string: to_json pieces joined by bare commas = JSON.stringify.
    const pg = (await sql<{ j: string }>`SELECT '[' || to_json(s)::text || ',' || to_json(s)::text || ']' AS j FROM unnest(${strings}::text[]) WITH ORDINALITY AS u(s, o) ORDER BY o`.execute(db)).rows.map((r) => r.j);
    expect(pg).toEqual(strings.map((s) => JSON.stringify([s, s])));
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('verify reports the trigger dropped, disabled, changed, or its helper (the previous row) changed', async () => {
    const db = t.handle.db;
    const status = async () => (await verifyAuditChain(db)).triggers.find((x) => x.name === 'audit_log_hash_checked')?.status;
    expect(await status()).toBe('ok');
    // Blind to the subdistricts' chains (and without the lock).
    await sql`CREATE OR REPLACE FUNCTION audit_chain_prev(r audit_log) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT hash FROM audit_log WHERE id < r.id ORDER BY id DESC LIMIT 1 $$`.execute(db);
    expect(await status()).toBe('altered');
    await sql.raw(`CREATE OR REPLACE FUNCTION audit_chain_prev(r audit_log) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT pg_advisory_xact_lock(501588177);
    SELECT hash FROM audit_log WHERE chain = r.chain AND id < r.id ORDER BY id DESC LIMIT 1; $$`).execute(db);
    expect(await status()).toBe('ok');
    await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_hash_checked`.execute(db);
    expect(await status()).toBe('altered');
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_hash_checked`.execute(db);
    await sql`CREATE OR REPLACE FUNCTION audit_log_hash_checked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`.execute(db);
    expect(await status()).toBe('altered');
    await sql`DROP TRIGGER audit_log_hash_checked ON audit_log`.execute(db);
    const r = await verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.triggers.find((x) => x.name === 'audit_log_hash_checked')?.status).toBe('missing');
    expect(r.problems.join('\n')).toMatch(/audit_log_hash_checked 不存在/);
  });
});

const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];

/** Imports `n` people through the API (upload → preview → commit as a job), as a clerk. */
async function importList(key: string, n: number): Promise<void> {
  const list: SheetSpec = {
    rows: [
      H,
      ...Array.from({ length: n }, (_, i) => [`人${i}`, makeIdNumber('131003', '1969-09-09', i + 1), `139${String(i).padStart(8, '0')}`, i % 2 ? '华夏里社区' : '西大街社区', '芳菲苑', 1 + (i % 3), 1, 101 + i, '2022-01-18']),
    ],
  };
  const u = await api(t, 'import.upload', { fileName: '名单.xlsx', dataBase64: (await xlsxBuffer(list)).toString('base64') }, key);
  const p = await api(t, 'import.preview', { fileId: u.fileId, kind: 'residents' }, key);
  expect(p.counts).toMatchObject({ valid: n });
  const { jobId } = await api(t, 'import.commit', { fileId: u.fileId, kind: 'residents' }, key);
  let s = await api(t, 'jobs.status', { jobId }, key);
  for (let i = 0; i < 1500 && s.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 20));
    s = await api(t, 'jobs.status', { jobId }, key);
  }
  expect(s.state, JSON.stringify(s.error ?? null)).toBe('succeeded');
}

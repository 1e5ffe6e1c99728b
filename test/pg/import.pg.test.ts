// The import through the API on PostgreSQL (upload → preview → commit as a job → jobs.status; the job runs on the
// host's pool there): people, households and episodes written, the audit chain intact, the counters equal to a
// recount, the id sequences ahead of the ids the import chose, and the batch undone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import { xlsxBuffer, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { checkCountersPg } from '../../electron/db/pg/counters.ts';
import { verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { undoBatch } from '../../electron/excel/import/batches.ts';
import { isPostgres } from '../../electron/db/engine.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgres } from '../../electron/db/postgres.ts';
import { createBoundRole } from '../../electron/db/pg/district.ts';
import type { Db } from '../../electron/db/open.ts';
import { startJob } from '../../electron/jobs/runner.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { pgDatabaseUrl, testPgUrl } from '../helpers/pg-db.ts';

const ID = (seq: number) => makeIdNumber('131003', '1969-09-09', seq);
const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const LIST: SheetSpec = {
  rows: [
    H,
    ...Array.from({ length: 40 }, (_, i) => [`人${i}`, ID(i + 1), `139000000${String(i).padStart(2, '0')}`, i % 2 ? '华夏里社区' : '西大街社区', i % 2 ? '芳菲苑' : '金桥小区', 1 + (i % 3), 1, 101 + i, '2022-01-18']),
  ],
};

describe('import on PostgreSQL', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeEnv();
  });
  afterEach(async () => env.close());
  const api = <C extends Channel>(channel: C, input: InputOf<C>, key: string): Promise<OutputOf<C>> => call(env.env, channel, input, key);
  const count = async (t: 'residents' | 'episodes' | 'households') => Number((await env.handle.db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('a clerk uploads, previews and commits a list as a job; then undoes it', async () => {
    expect(isPostgres(env.handle.db)).toBe(true);
    const key = await env.login('clerk');
    const u = await api('import.upload', { fileName: '名单.xlsx', dataBase64: (await xlsxBuffer(LIST)).toString('base64') }, key);
    const p = await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key);
    expect(p.counts).toMatchObject({ dataRows: 40, valid: 40 });
    expect(await count('residents')).toBe(0);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents' }, key);
    let s = await api('jobs.status', { jobId }, key);
    for (let i = 0; i < 600 && s.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      s = await api('jobs.status', { jobId }, key);
    }
    expect(s.state, JSON.stringify(s.error ?? null)).toBe('succeeded');
    expect(await count('residents')).toBe(40);
    expect(await count('episodes')).toBe(40);
    // Each person points at their own running episode (ids chosen by the import before writing).
    const wrong = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM residents r JOIN episodes e ON e.id = r.current_episode_id WHERE e.resident_id <> r.id OR e.status <> 'active'`.execute(env.handle.db);
    expect(wrong.rows[0].n).toBe(0);
    expect(await checkCountersPg(env.handle.db)).toEqual([]);
    expect(await verifyAuditChain(env.handle.db)).toMatchObject({ ok: true, problems: [] });
    // Plain inserts after the import's own ids do not collide.
    const next = await env.handle.db.insertInto('importBatches').values({ kind: 'residents', fileName: 'x', userName: 'x', at: 'x', counts: '{}' }).returning('id').executeTakeFirstOrThrow();
    expect(next.id).toBeGreaterThan(0);
    const batchId = (s.result as { batchId: number }).batchId;
    await undoBatch(env.ctx(), batchId);
    expect(await count('residents')).toBe(0);
    expect(await checkCountersPg(env.handle.db)).toEqual([]);
    expect(await verifyAuditChain(env.handle.db)).toMatchObject({ ok: true });
  });

  // 150 people in 150 rooms: past the sizes where the import writes rooms and households in bulk (fresh-rows.ts
  // LOG_AFTER_MIN_ROWS), several multi-row statements' worth; one person's guardian is another of the same list.
  const BIG: SheetSpec = {
    rows: [
      [...H, '监护人'],
      ...Array.from({ length: 149 }, (_, i) => [`人${i}`, ID(i + 1), `1390000${String(i).padStart(4, '0')}`, i % 2 ? '华夏里社区' : '西大街社区', i % 2 ? '芳菲苑' : '金桥小区', 1 + (i % 5), 1 + (i % 2), 101 + i, '2022-01-18', '']),
      ['人149', ID(150), '13900000149', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-18', '人0'],
    ],
  };

  async function importBig(db: Db): Promise<ImportSummary> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-pg-import-'));
    try {
      const file = path.join(dir, '名单.xlsx');
      fs.writeFileSync(file, await xlsxBuffer(BIG));
      const { actor, clock } = env.ctx();
      const out = await startJob<ImportSummary>('import.residents', { file, fileName: '名单.xlsx', kind: 'residents', mode: 'all-or-nothing' }, { dbFile: 'pg', db, actor, clock }).done;
      if (out.state !== 'succeeded') throw new Error(JSON.stringify(out));
      if (out.result.status !== 'written') throw new Error(JSON.stringify(out.result.errors.slice(0, 3)));
      return out.result;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** What the row triggers would have logged and counted: checked after an import whichever way it wrote. */
  async function expectLoggedAndCounted(db: Db) {
    expect(await count('residents')).toBe(150);
    const logged = async (tbl: string, from: string) =>
      (await sql<{ missing: number; extra: number }>`SELECT
          (SELECT COUNT(*) FROM ${sql.table(from)} x WHERE NOT EXISTS (SELECT 1 FROM change_log c WHERE c.tbl = ${tbl} AND c.row_id = x.id)) AS missing,
          (SELECT COUNT(*) - COUNT(DISTINCT row_id) FROM change_log c WHERE c.tbl = ${tbl}) AS extra`.execute(db)).rows[0];
    for (const t of ['residents', 'episodes', 'households', 'places']) expect(await logged(t, t), t).toEqual({ missing: 0, extra: 0 });
    // Each logged row carries its community, as the trigger writes it.
    const wrongCommunity = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM change_log c JOIN residents r ON r.id = c.row_id WHERE c.tbl = 'residents' AND c.community_id IS DISTINCT FROM r.community_id`.execute(db);
    expect(wrongCommunity.rows[0].n).toBe(0);
    const wrongEpisodes = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM change_log c JOIN episodes e ON e.id = c.row_id JOIN residents r ON r.id = e.resident_id WHERE c.tbl = 'episodes' AND c.community_id IS DISTINCT FROM r.community_id`.execute(db);
    expect(wrongEpisodes.rows[0].n).toBe(0);
    const guardian = await sql<{ g: string }>`SELECT g.name AS g FROM residents r JOIN residents g ON g.id = r.guardian_id WHERE r.name = '人149'`.execute(db);
    expect(guardian.rows).toEqual([{ g: '人0' }]);
    expect(await checkCountersPg(db)).toEqual([]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, problems: [] });
    // Every trigger is on again after the import.
    const off = await sql<{ name: string }>`SELECT tgname AS name FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'`.execute(db);
    expect(off.rows).toEqual([]);
  }

  it('a list of 150 as the tables\' owner: row triggers off for the new people, their effects added after, all back on', async () => {
    const before = Number((await sql<{ n: number }>`SELECT n FROM counter_version`.execute(env.handle.db)).rows[0].n);
    const r = await importBig(env.handle.db);
    expect(r).toMatchObject({ status: 'written', imported: 150 });
    await expectLoggedAndCounted(env.handle.db);
    expect(Number((await sql<{ n: number }>`SELECT n FROM counter_version`.execute(env.handle.db)).rows[0].n)).toBeGreaterThan(before);
  });

  it('a list of 150 as a role that owns no table (an office server\'s): written with the row triggers on', async () => {
    const role = `idesk_imp_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: testPgUrl()! });
    await admin.connect();
    const dbName = new URL(env.handle.file).pathname.slice(1);
    const owner = new pg.Client({ connectionString: pgDatabaseUrl(dbName) });
    await owner.connect();
    let h: Awaited<ReturnType<typeof openPostgres>> | null = null;
    try {
      // An office server's role of the district design (migration 0015): bound to the subdistrict, so row-level
      // security shows it that subdistrict's communities.
      const sub = await env.handle.db.selectFrom('places').select('id').where('level', '=', 'subdistrict').executeTakeFirstOrThrow();
      await createBoundRole(env.handle.db, role, `pw-${role}`, sub.id);
      const u = new URL(pgDatabaseUrl(dbName));
      u.username = role;
      u.password = `pw-${role}`;
      h = await openPostgres(u.toString(), { max: 2 });
      const r = await importBig(h.db);
      expect(r).toMatchObject({ status: 'written', imported: 150 });
      await expectLoggedAndCounted(env.handle.db);
    } finally {
      await h?.close();
      await owner.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await owner.end();
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    }
  });
});

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
});

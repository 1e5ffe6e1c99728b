// The runner's inline mode (the command line's jobs): the job runs in this thread on the host's own handle of the file,
// through the same job functions a worker runs. Real database files built by the migrations, real .xlsx lists.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir } from '../helpers/env.ts';
import { dumpContent, listFile, wrongCheck, type SheetSpec } from '../helpers/lists.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { cancelJob, jobEnded, startJob, type JobOutcome } from '../../electron/jobs/runner.ts';
import { cliApi } from '../../electron/cli/context.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import type { JobProgress } from '../../electron/shared/progress.ts';

const fixture = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/jobs-fixture.ts')).href;
const clock = fixedClock('2022-01-20T01:00:00.000Z');
const ID = (seq: number) => makeIdNumber('131003', '1969-09-09', seq);
const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const row = (name: string, id: string, i: number, community = '西大街社区') => [name, id, `139000000${String(i).padStart(2, '0')}`, community, '金桥小区', 1, 1, 100 + i, '2022-01-18'];
/** Eight people and one with a wrong check digit. */
const LIST: SheetSpec = {
  titles: ['广阳区解放道街道居家隔离人员名单'],
  rows: [H, ...Array.from({ length: 8 }, (_, i) => row(`人员${i + 1}`, ID(i + 1), i + 1, i % 2 ? '华夏里社区' : '西大街社区')), row('错号', wrongCheck(ID(20)), 20)],
};

let dir: string;
let template: string;
let n = 0;
const open: DbHandle[] = [];
beforeAll(async () => {
  dir = tempDir('idesk-jobs-inline-');
  template = path.join(dir, 'template.db');
  await (await makeEnv({ file: template })).close();
});
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of the same migrated file (users, communities), opened. */
async function copy(): Promise<{ file: string; handle: DbHandle }> {
  const file = path.join(dir, `copy-${++n}.db`);
  fs.copyFileSync(template, file);
  const handle = await openDatabase(file);
  open.push(handle);
  return { file, handle };
}

/** The file's rows, without what differs between two runs of the same import: times, nonces and the hashes over them. */
function content(handle: DbHandle): Record<string, unknown[]> {
  const skip = new Set(['at', 'nonce', 'details_hash', 'hash', 'created_at', 'updated_at', 'imported_at']);
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(dumpContent(handle.sqlite))) {
    out[table] = (rows as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !skip.has(k)).map(([k, v]) => [k, typeof v === 'string' ? v.replace(iso, 'T') : v])));
  }
  return out;
}

const pragmas = (h: DbHandle) => ({ cache: h.sqlite.pragma('cache_size', { simple: true }), autoCheckpoint: h.sqlite.pragma('wal_autocheckpoint', { simple: true }) });

async function importInto(target: { file: string; handle: DbHandle }, list: string, mode: 'valid-only' | 'all-or-nothing', inline: boolean) {
  const job = startJob<ImportSummary>('import.residents', { file: list, fileName: path.basename(list), kind: 'residents', mode }, { dbFile: target.file, actor: CLI_ACTOR, clock, ...(inline ? { inline: target.handle } : {}) });
  return job.done;
}

describe('inline jobs (the command line)', () => {
  it('run in this thread on the host handle, with progress and cancel', async () => {
    const a = await copy();
    const thread = await startJob<number>('test.thread', {}, { dbFile: a.file, actor: CLI_ACTOR, clock, inline: a.handle, modules: [fixture] }).done;
    expect(thread).toEqual({ state: 'succeeded', result: 0 });
    const seen: JobProgress[] = [];
    const job = startJob('test.count', { n: 1000, delayMs: 1 }, { dbFile: a.file, actor: CLI_ACTOR, clock, inline: a.handle, modules: [fixture] });
    await jobEnded(job.id, (p) => {
      seen.push(p);
      if (p.done >= 5) cancelJob(job.id);
    });
    expect(await job.done).toEqual({ state: 'cancelled' });
    expect(seen.length).toBeGreaterThan(0);
    // The cancelled job's transaction rolled back on the host's connection.
    expect(a.handle.sqlite.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'test.count'").pluck().get()).toBe(0);
    expect(a.handle.sqlite.inTransaction).toBe(false);
  });

  it('an import writes the same rows and audit as the worker writes, and leaves the connection set as it was', async () => {
    const list = await listFile(dir, '名单.xlsx', LIST);
    const worker = await copy();
    const inline = await copy();
    const before = pragmas(inline.handle);
    const a = await importInto(worker, list, 'valid-only', false);
    const b = await importInto(inline, list, 'valid-only', true);
    expect(a.state).toBe('succeeded');
    expect(b).toEqual(a);
    const s = (b as Extract<JobOutcome<ImportSummary>, { state: 'succeeded' }>).result;
    expect(s).toMatchObject({ status: 'written', imported: 8 });
    expect(s.errors.map((e) => e.row)).toEqual([11]);
    const written = content(inline.handle);
    expect(written.residents).toHaveLength(8);
    expect((written.audit_log as { user_name: string; action: string }[]).filter((r) => r.action.startsWith('import.'))).toEqual([expect.objectContaining({ user_name: 'cli' })]);
    expect(written).toEqual(content(worker.handle));
    expect(pragmas(inline.handle)).toEqual(before);
  });

  it('a rejected list writes nothing, as in the worker', async () => {
    const list = await listFile(dir, '有错的名单.xlsx', LIST);
    const target = await copy();
    const before = content(target.handle);
    const out = await importInto(target, list, 'all-or-nothing', true);
    expect(out).toMatchObject({ state: 'succeeded', result: { status: 'rejected', imported: 0 } });
    expect(content(target.handle)).toEqual(before);
    expect(target.handle.sqlite.inTransaction).toBe(false);
  });

  it("the command line's session runs its jobs inline on the file it opened", async () => {
    const target = await copy();
    const api = cliApi(target.handle, target.file);
    expect(api.env.inlineJobs).toBe(target.handle);
    const list = await listFile(dir, '命令行名单.xlsx', LIST);
    const { fileId } = await api.call('import.upload', { fileName: '命令行名单.xlsx', dataBase64: fs.readFileSync(list).toString('base64') });
    const { jobId } = await api.call('import.commit', { fileId, kind: 'residents', mode: 'valid-only', confirm: { stale: 'import-active' } });
    const s = await api.waitForJob<ImportSummary>(jobId);
    expect(s).toMatchObject({ status: 'written', imported: 8 });
    expect(target.handle.sqlite.prepare('SELECT COUNT(*) FROM residents').pluck().get()).toBe(8);
    await api.call('import.cancel', { fileId });
  });
});

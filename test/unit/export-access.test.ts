// Who may export what, through the API (job) and the command line: unmasked only for admin/clerk and audited,
// committee members confined to their community, downloads only of one's own files in the export folder.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { getJob, type JobStatus } from '../../electron/jobs/runner.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { ExportResult } from '../../electron/excel/export/index.ts';
import { runCli } from '../../electron/cli/run.ts';
import { buildScenario, everything, readBack, type Scenario } from './export-fixture.ts';

async function finished(jobId: string): Promise<JobStatus<ExportResult>> {
  for (let i = 0; i < 600; i++) {
    const j = getJob(jobId);
    if (j && j.state !== 'running') return j as JobStatus<ExportResult>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

let t: TestEnv;
let s: Scenario;
beforeAll(async () => {
  t = await makeEnv();
  s = await buildScenario(t);
});
afterAll(() => t.close());
beforeEach(() => {
  t.env.exportDir = tempDir('idesk-exports-');
});

const auditCount = async (action: string) =>
  Number((await t.handle.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', action).executeTakeFirstOrThrow()).n);

describe('reports.export', () => {
  it.each(['committee1', 'official'])('refuses an unmasked export for %s and writes nothing', async (user) => {
    const key = await t.login(user);
    const before = await auditCount('report.export');
    const r = await t.dispatch('reports.export', { report: 'roster', date: '2022-01-20', unmasked: true }, key);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    if (!r.ok) expect(r.error.message).toContain('脱敏');
    expect(await auditCount('report.export')).toBe(before);
    expect(fs.readdirSync(t.env.exportDir!)).toEqual([]);
  });

  it('runs an unmasked export for the clerk as a job, and records it in the audit log', async () => {
    const key = await t.login('clerk');
    const { jobId } = await call(t.env, 'reports.export', { report: 'roster', date: '2022-01-20', unmasked: true }, key);
    const job = await finished(jobId);
    expect(job.state).toBe('succeeded');
    expect(job.result).toMatchObject({ rows: 4, masked: false, fileName: '隔离人员台账_解放道街道_2022-01-20.xlsx' });
    expect(path.dirname(job.result!.path)).toBe(t.env.exportDir);
    const all = everything(await readBack(job.result!.path));
    for (const id of s.ids) expect(all).toContain(id);
    const entry = await t.handle.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'report.export').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(entry.userName).toBe('clerk');
    expect(JSON.parse(entry.details!)).toMatchObject({ report: 'roster', date: '2022-01-20', masked: false, rows: 4 });
  });

  it('gives a committee member their own community only, and refuses another', async () => {
    const key = await t.login('committee1');
    const other = await t.dispatch('reports.export', { report: 'roster', date: '2022-01-20', communityId: t.communities.b }, key);
    expect(other).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const { jobId } = await call(t.env, 'reports.export', { report: 'roster', date: '2022-01-20' }, key);
    const job = await finished(jobId);
    expect(job.result).toMatchObject({ rows: 2, masked: true });
    expect(job.result!.fileName).toContain('西大街社区');
    const all = everything(await readBack(job.result!.path));
    expect(all).not.toContain('华夏里社区');
  });

  it('rejects malformed input before anything runs', async () => {
    const key = await t.login('admin');
    for (const bad of [
      { report: 'everything', date: '2022-01-20' },
      { report: 'roster', date: '20.1.2022' },
      { report: 'roster', date: '2022-01-20', extra: 1 },
      { report: 'supplies', date: '2022-01-20', status: 'lost' },
      { report: 'roster' },
    ]) {
      expect(await t.dispatch('reports.export', bad, key)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await t.dispatch('reports.export', { report: 'roster', date: '2022-01-20' }, 'nobody')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('reports.download', () => {
  it('returns the bytes of one’s own export, and refuses other users’ files and paths outside the export folder', async () => {
    const clerk = await t.login('clerk');
    const { jobId } = await call(t.env, 'reports.export', { report: 'daily-report', date: '2022-01-20' }, clerk);
    const job = await finished(jobId);
    const file = job.result!.path;
    const got = await call(t.env, 'reports.download', { path: file }, clerk);
    expect(got.fileName).toBe('每日工作日报_解放道街道_2022-01-20.xlsx');
    expect(Buffer.from(got.dataBase64, 'base64').equals(fs.readFileSync(file))).toBe(true);
    expect(await auditCount('report.download')).toBeGreaterThan(0);

    const committee = await t.login('committee1');
    expect(await t.dispatch('reports.download', { path: file }, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const admin = await t.login('admin');
    expect((await call(t.env, 'reports.download', { path: file }, admin)).fileName).toBe(got.fileName);

    const outside = path.join(tempDir(), 'secret.xlsx');
    fs.writeFileSync(outside, 'x');
    for (const p of [outside, path.join(t.env.exportDir!, '..', path.basename(outside)), path.join(t.env.exportDir!, 'sub', 'a.xlsx')]) {
      expect(await t.dispatch('reports.download', { path: p }, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    fs.writeFileSync(path.join(t.env.exportDir!, 'notes.txt'), 'x');
    expect(await t.dispatch('reports.download', { path: path.join(t.env.exportDir!, 'notes.txt') }, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    fs.symlinkSync(outside, path.join(t.env.exportDir!, 'link.xlsx'));
    expect(await t.dispatch('reports.download', { path: path.join(t.env.exportDir!, 'link.xlsx') }, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('reports.download', { path: path.join(t.env.exportDir!, 'gone.xlsx') }, admin)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('reports.showInFolder', () => {
  it('shows one’s own export in the desktop file manager; browser mode says where the file is; others are refused', async () => {
    const clerk = await t.login('clerk');
    const { jobId } = await call(t.env, 'reports.export', { report: 'cadres', date: '2022-01-20' }, clerk);
    const file = (await finished(jobId)).result!.path;
    // Browser mode (no shell): a Chinese message with the file's place, nothing else happens.
    const r = await t.dispatch('reports.showInFolder', { path: file }, clerk);
    expect(r).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
    if (!r.ok) expect(r.error.message).toContain(file);
    const shown: string[] = [];
    t.env.showItemInFolder = (f) => shown.push(f);
    try {
      expect(await t.dispatch('reports.showInFolder', { path: file }, clerk)).toMatchObject({ ok: true });
      expect(shown).toEqual([path.resolve(file)]);
      const committee = await t.login('committee1');
      expect(await t.dispatch('reports.showInFolder', { path: file }, committee)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await t.dispatch('reports.showInFolder', { path: path.join(tempDir(), 'x.xlsx') }, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(shown).toHaveLength(1);
    } finally {
      delete t.env.showItemInFolder;
    }
  });
});

describe('file database: the job runs in a worker thread; the command line', () => {
  it('exports in the worker with progress and the same result', async () => {
    const f = await makeEnv({ file: path.join(tempDir(), 'w.db') });
    try {
      await buildScenario(f);
      f.env.exportDir = tempDir('idesk-exports-');
      const key = await f.login('clerk');
      const { jobId } = await call(f.env, 'reports.export', { report: 'checkins', date: '2022-01-20', from: '2022-01-19' }, key);
      const job = await finished(jobId);
      expect(job).toMatchObject({ state: 'succeeded', result: { rows: 4, masked: true } });
      expect(job.progress).toMatchObject({ phase: '写入', done: 4, total: 4 });
      expect(fs.existsSync(job.result!.path)).toBe(true);
      // the worker wrote the audit entry through its own connection, as the clerk
      const entry = await f.handle.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'report.export').executeTakeFirstOrThrow();
      expect(entry.userName).toBe('clerk');
      expect(JSON.parse(entry.details!)).toMatchObject({ report: 'checkins', from: '2022-01-19', to: '2022-01-20', rows: 4 });
    } finally {
      await f.close();
    }
  });

  it('export --json prints {ok, file, rows, masked}; exit codes follow the convention', async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, 'c.db');
    const f = await makeEnv({ file: dbFile });
    const sc = await buildScenario(f);
    await f.close();
    const out = path.join(dir, 'r.xlsx');
    const ok = await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', out, '--json']);
    expect(ok.result.code).toBe(0);
    expect(ok.result.json).toMatchObject({ ok: true, file: out, rows: 4, masked: true });
    expect(everything(await readBack(out))).not.toContain(sc.ids[0]);
    const un = await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', out, '--unmasked', '--community', '西大街社区', '--json']);
    expect(un.result.json).toMatchObject({ ok: true, rows: 2, masked: false });
    expect(everything(await readBack(out))).toContain(sc.ids[0]);
    const sup = await runCli(['export', 'supplies', '--db', dbFile, '--date', '2022-01-20', '--status', '待处理', '--out', path.join(dir, 's.xlsx'), '--json']);
    expect(sup.result.json).toMatchObject({ ok: true, rows: 2 });
    expect((await runCli(['export', 'bogus', '--db', dbFile, '--date', '2022-01-20', '--out', out])).result.code).toBe(2);
    expect((await runCli(['export', 'roster', '--db', dbFile, '--out', out])).result.code).toBe(2);
    expect((await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', path.join(dir, 'r.csv')])).result.code).toBe(2);
    expect((await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', out, '--status', 'new'])).result.code).toBe(2);
    expect((await runCli(['export', 'roster', '--db', path.join(dir, 'none.db'), '--date', '2022-01-20', '--out', out])).result.code).toBe(2);
    expect((await runCli(['export', 'roster', '--db', dbFile, '--date', '2999-01-01', '--out', out])).result.code).toBe(1);
    expect((await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', out, '--community', '无此社区'])).result.code).toBe(1);
    // the command line's exports are audited as "cli", masked or not
    const { openDatabase } = await import('../../electron/db/open.ts');
    const h = await openDatabase(dbFile);
    const rows = await h.db.selectFrom('auditLog').select('details').where('action', '=', 'report.export').where('userName', '=', 'cli').orderBy('id').execute();
    await h.close();
    expect(rows.map((r) => JSON.parse(r.details!).masked)).toEqual([true, false, true]);
  });
});

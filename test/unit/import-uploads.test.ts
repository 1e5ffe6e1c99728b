// Uploaded lists (names, ID numbers, phones) leave the temp folder: after the import is written, after it is
// cancelled (the commit job, or the wizard's import.cancel), when it is abandoned (logout, idle timeout, another login,
// quit), and at start when older than a day. Real database file, real .xlsx lists, the real import jobs in workers.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeEnv, isolatedTmpdir, tempDir, type TestEnv } from '../helpers/env.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import { people, STANDARD_HEADER, standardRows, xlsxBuffer, type SheetSpec } from '../helpers/lists.ts';
import { discardAllUploads, KEEP_MS, sweepAbandonedUploads, sweepUploadFolder, uploadDir } from '../../electron/excel/import/uploads.ts';

// The upload folder lives in the system temp folder: point that at a folder of this test only.
isolatedTmpdir('idesk-uploads-', { beforeAll, afterAll });

// Isolating from 2022-01-18 (the test clock says 2022-01-20): a current list, nothing for the import's checks to ask.
const GOOD: SheetSpec = { rows: [STANDARD_HEADER, ...standardRows(people(30, ['西大街社区', '华夏里社区'], '2022-01-18'))] };
const WITH_ERROR: SheetSpec = { rows: [...GOOD.rows, [31, '错号', '110101199001011230', '13900000999', '西大街社区', '金桥小区', 1, 1, 901, '2022-01-18']] };

describe('uploaded lists through the API', () => {
  let env: TestEnv;
  let dbDir: string;
  beforeEach(async () => {
    dbDir = tempDir('idesk-uploads-db-');
    // A real file: every job runs in a worker thread with its own connection, as in the app.
    env = await makeEnv({ file: path.join(dbDir, 'desk.db') });
  });
  afterEach(async () => {
    // What a test left (a refused list is kept for going back) goes as at quit.
    discardAllUploads();
    await env.close();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });
  const api = <C extends Channel>(channel: C, input: InputOf<C>, key: string): Promise<OutputOf<C>> => call(env.env, channel, input, key);
  const fileOf = (fileId: string) => path.join(uploadDir(), `${fileId}.xlsx`);

  async function upload(key: string, spec: SheetSpec = GOOD) {
    const u = await api('import.upload', { fileName: '名单.xlsx', dataBase64: (await xlsxBuffer(spec)).toString('base64') }, key);
    expect(fs.existsSync(fileOf(u.fileId))).toBe(true);
    return u;
  }
  async function finish(key: string, jobId: string) {
    for (let i = 0; i < 1000; i++) {
      const s = await api('jobs.status', { jobId }, key);
      if (s.state !== 'running') return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('job did not finish');
  }
  const advance = (ms: number) => env.clock.set(new Date(env.clock.now().getTime() + ms).toISOString());
  const residents = async () => Number((await env.handle.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('is deleted once its import is written, and cannot be imported twice', async () => {
    const key = await env.login('clerk');
    const u = await upload(key);
    await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key);
    expect(fs.existsSync(fileOf(u.fileId))).toBe(true);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents' }, key);
    expect((await finish(key, jobId)).state).toBe('succeeded');
    expect(await residents()).toBe(30);
    await vi.waitFor(() => expect(fs.existsSync(fileOf(u.fileId))).toBe(false), { timeout: 10_000 });
    expect(fs.readdirSync(uploadDir())).toEqual([]);
    await expect(api('import.commit', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('已经导入') });
    expect(await residents()).toBe(30);
  });

  it('written with rejected rows (仅导入无误的行): the file goes, the error report is still there (kept in memory)', async () => {
    const key = await env.login('clerk');
    const u = await upload(key, WITH_ERROR);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents', mode: 'valid-only' }, key);
    expect((await finish(key, jobId)).state).toBe('succeeded');
    await vi.waitFor(() => expect(fs.existsSync(fileOf(u.fileId))).toBe(false), { timeout: 15_000 });
    const r = await api('import.errorReport', { fileId: u.fileId, kind: 'residents' }, key);
    expect(r.rows).toBe(1);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(r.dataBase64, 'base64') as never);
    const text = JSON.stringify(wb.worksheets[0].getSheetValues());
    expect(text).toContain('错号');
    // Leaving the wizard then drops the report too.
    expect(await api('import.cancel', { fileId: u.fileId }, key)).toEqual({ deleted: true });
    await expect(api('import.errorReport', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refused (全部或不导入 with a rejected row): the file stays, so the clerk can go back and choose again', async () => {
    const key = await env.login('clerk');
    const u = await upload(key, WITH_ERROR);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents' }, key);
    const done = await finish(key, jobId);
    expect(done.result).toMatchObject({ status: 'rejected' });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(fileOf(u.fileId))).toBe(true);
    const p = await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key);
    expect(p.counts.valid).toBe(30);
  });

  it('is deleted when its commit job is cancelled; nothing is written', async () => {
    const key = await env.login('clerk');
    const u = await upload(key);
    const { jobId } = await api('import.commit', { fileId: u.fileId, kind: 'residents' }, key);
    // The worker takes a moment to start: the job meets the raised flag at its first check.
    expect(await api('jobs.cancel', { jobId }, key)).toEqual({ cancelled: true });
    expect((await finish(key, jobId)).state).toBe('cancelled');
    await vi.waitFor(() => expect(fs.existsSync(fileOf(u.fileId))).toBe(false), { timeout: 10_000 });
    expect(await residents()).toBe(0);
    await expect(api('import.preview', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is deleted at once when the wizard cancels it (import.cancel); only its owner (or an admin) can', async () => {
    const key = await env.login('clerk');
    const u = await upload(key);
    await api('import.preview', { fileId: u.fileId, kind: 'residents' }, key);
    const admin = await env.login('admin');
    const other = await upload(admin);
    expect(await api('import.cancel', { fileId: other.fileId }, key)).toEqual({ deleted: false });
    expect(fs.existsSync(fileOf(other.fileId))).toBe(true);
    expect(await api('import.cancel', { fileId: u.fileId }, key)).toEqual({ deleted: true });
    expect(fs.existsSync(fileOf(u.fileId))).toBe(false);
    await expect(api('import.commit', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await api('import.cancel', { fileId: other.fileId }, admin)).toEqual({ deleted: true });
    expect(fs.readdirSync(uploadDir())).toEqual([]);
    expect(await residents()).toBe(0);
  });

  it('a cancel during the preview job waits for the job, then deletes the file', async () => {
    const key = await env.login('clerk');
    const u = await upload(key);
    const preview = api('import.preview', { fileId: u.fileId, kind: 'residents' }, key);
    await new Promise((r) => setTimeout(r, 100));
    expect(await api('import.cancel', { fileId: u.fileId }, key)).toEqual({ deleted: true });
    // The job (its worker still starting) reads the file later: it stays until the job ends, then goes.
    expect(fs.existsSync(fileOf(u.fileId))).toBe(true);
    await expect(api('import.preview', { fileId: u.fileId, kind: 'residents' }, key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await preview).counts.valid).toBe(30);
    expect(fs.existsSync(fileOf(u.fileId))).toBe(false);
  });

  it('is abandoned at logout, at another login on the same window, and when the session times out', async () => {
    const a = await env.login('clerk');
    const ua = await upload(a);
    await api('import.preview', { fileId: ua.fileId, kind: 'residents' }, a);
    const b = await env.login('clerk');
    const ub = await upload(b);
    await api('auth.logout', {}, a);
    expect(fs.existsSync(fileOf(ua.fileId))).toBe(false);
    // The other session (another window of the same clerk) keeps its own upload.
    expect(fs.existsSync(fileOf(ub.fileId))).toBe(true);

    // Another user logs in on the same window: the previous user's session is over.
    await api('auth.login', { username: 'admin', password: 'demo1234' }, b);
    expect(fs.existsSync(fileOf(ub.fileId))).toBe(false);

    // Idle timeout noticed at the next call.
    const c = await env.login('clerk');
    const uc = await upload(c);
    advance(31 * 60_000);
    await expect(api('import.preview', { fileId: uc.fileId, kind: 'residents' }, c)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(fs.existsSync(fileOf(uc.fileId))).toBe(false);

    // Idle timeout nobody noticed (a closed browser tab): the periodic sweep finds it.
    const d = await env.login('clerk');
    const ud = await upload(d);
    sweepAbandonedUploads();
    expect(fs.existsSync(fileOf(ud.fileId))).toBe(true);
    advance(31 * 60_000);
    sweepAbandonedUploads();
    expect(fs.existsSync(fileOf(ud.fileId))).toBe(false);
    expect(fs.readdirSync(uploadDir())).toEqual([]);
  });

  it('quitting deletes every upload of the process', async () => {
    const key = await env.login('clerk');
    const u1 = await upload(key);
    const u2 = await upload(key);
    discardAllUploads();
    expect(fs.existsSync(fileOf(u1.fileId))).toBe(false);
    expect(fs.existsSync(fileOf(u2.fileId))).toBe(false);
  });
});

describe('the sweep at start', () => {
  it('deletes files older than a day, keeps younger ones and anything that is not a file', () => {
    const dir = uploadDir();
    fs.mkdirSync(dir, { recursive: true });
    const old = path.join(dir, '0b7e6d1c-0000-4000-8000-000000000001.xlsx');
    const fresh = path.join(dir, '0b7e6d1c-0000-4000-8000-000000000002.csv');
    const sub = path.join(dir, 'keep-me');
    fs.writeFileSync(old, 'old list');
    fs.writeFileSync(fresh, 'fresh list');
    fs.mkdirSync(sub);
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    fs.utimesSync(old, ago(KEEP_MS + 60_000), ago(KEEP_MS + 60_000));
    fs.utimesSync(fresh, ago(KEEP_MS - 60 * 60_000), ago(KEEP_MS - 60 * 60_000));
    fs.utimesSync(sub, ago(3 * KEEP_MS), ago(3 * KEEP_MS));
    expect(sweepUploadFolder(now)).toEqual({ deleted: 1, kept: 1 });
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(fs.existsSync(sub)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing folder is no error', () => {
    fs.rmSync(uploadDir(), { recursive: true, force: true });
    expect(sweepUploadFolder()).toEqual({ deleted: 0, kept: 0 });
  });
});

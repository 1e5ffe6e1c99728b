import { afterEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import fs from 'node:fs';
import { cancelJob, getJob, keepWorkerReady, spareThreadId, startJob, workerUrl } from '../../electron/jobs/runner.ts';
import type { JobProgress } from '../../electron/shared/progress.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';

const fixture = pathToFileURL(path.resolve(import.meta.dirname, '../helpers/jobs-fixture.ts')).href;
let t: TestEnv | null = null;
afterEach(async () => {
  await keepWorkerReady(false);
  await t?.close();
  t = null;
});

async function fileEnv() {
  t = await makeEnv({ file: path.join(tempDir(), 'jobs.db') });
  return t;
}

function countAudit(env: TestEnv) {
  return env.handle.sqlite.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'test.count'").pluck().get() as number;
}

/** Starts a long counting job, cancels it after 20 rows, and expects the outcome 'cancelled'. */
async function cancelledMidway(env: TestEnv) {
  let cancelled = false;
  const job = startJob('test.count', { n: 10_000, delayMs: 2 }, {
    dbFile: env.env.dbFile,
    actor: CLI_ACTOR,
    clock: env.clock,
    modules: [fixture],
    onProgress: (p) => {
      if (p.done > 20 && !cancelled) {
        cancelled = true;
        expect(cancelJob(job.id)).toBe(true);
      }
    },
  });
  expect(await job.done).toEqual({ state: 'cancelled' });
  return job;
}

describe('job runner', () => {
  it('resolves the worker entry next to itself with the same extension', () => {
    expect(workerUrl().pathname.endsWith('/electron/jobs/worker.ts')).toBe(true);
  });

  it('runs a job in a worker thread on its own connection, streaming progress', async () => {
    const env = await fileEnv();
    const seen: JobProgress[] = [];
    const job = startJob('test.count', { n: 30, delayMs: 5 }, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture], onProgress: (p) => seen.push(p) });
    expect(getJob(job.id)?.state).toBe('running');
    const out = await job.done;
    expect(out).toEqual({ state: 'succeeded', result: { written: 30, today: '2022-01-20', actor: 'cli', inWorker: true } });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toEqual({ done: 30, total: 30, phase: '计数' });
    expect(countAudit(env)).toBe(30); // committed by the worker's connection, visible to the host's
    expect(getJob(job.id)).toMatchObject({ state: 'succeeded', result: { written: 30 }, progress: { done: 30 } });
  });

  it('keeps the host event loop free while the worker works', async () => {
    const env = await fileEnv();
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const out = await startJob('test.count', { n: 3000 }, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture] }).done;
    h.disable();
    expect(out.state).toBe('succeeded');
    expect(h.max / 1e6).toBeLessThan(200);
  });

  it('cancels: the job stops at its next check, its transaction rolls back, the outcome says cancelled', async () => {
    const env = await fileEnv();
    const job = await cancelledMidway(env);
    expect(countAudit(env)).toBe(0);
    expect(getJob(job.id)?.state).toBe('cancelled');
  });

  it('terminates a worker that ignores cancel after the grace period', async () => {
    const env = await fileEnv();
    const job = startJob('test.spin', {}, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture], cancelGraceMs: 200 });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    job.cancel();
    expect(await job.done).toEqual({ state: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('returns errors as values, with the Chinese message', async () => {
    const env = await fileEnv();
    const out = await startJob('test.fail', {}, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture] }).done;
    expect(out).toEqual({ state: 'failed', error: expect.objectContaining({ code: 'VALIDATION', key: 'common.dateBad', message: '日期不正确' }) });
    const unknown = await startJob('no.such.job', {}, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock }).done;
    expect(unknown.state).toBe('failed');
    const missing = await startJob('test.count', { n: 1 }, { dbFile: path.join(tempDir(), 'none.db'), actor: CLI_ACTOR, clock: env.clock, modules: [fixture] }).done;
    expect(missing).toEqual({ state: 'failed', error: expect.objectContaining({ code: 'STORAGE', message: expect.stringContaining('不存在') }) });
  });

  it('runs in this thread for an in-memory database, with the same outcome values', async () => {
    t = await makeEnv();
    const out = await startJob('test.count', { n: 3 }, { dbFile: ':memory:', db: t.handle.db, actor: CLI_ACTOR, clock: t.clock, modules: [fixture] }).done;
    expect(out).toEqual({ state: 'succeeded', result: { written: 3, today: '2022-01-20', actor: 'cli', inWorker: false } });
  });

  it('shows a job only to whoever started it, or an admin', async () => {
    t = await makeEnv();
    const job = startJob('test.count', { n: 1 }, { dbFile: ':memory:', db: t.handle.db, actor: { ...CLI_ACTOR, username: 'clerk', role: 'clerk' }, clock: t.clock, modules: [fixture] });
    await job.done;
    expect(getJob(job.id, { ...CLI_ACTOR, username: 'other', role: 'clerk' })).toBeNull();
    expect(cancelJob(job.id, { ...CLI_ACTOR, username: 'other', role: 'clerk' })).toBe(false);
    expect(getJob(job.id, { ...CLI_ACTOR, username: 'clerk', role: 'clerk' })?.state).toBe('succeeded');
    expect(getJob(job.id, CLI_ACTOR)?.state).toBe('succeeded');
  });

  it('with a spare worker kept ready, a job runs in it and the next spare starts when the job ends', async () => {
    const env = await fileEnv();
    const opts = { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture] };
    expect(spareThreadId()).toBeNull();
    await keepWorkerReady(true);
    const first = spareThreadId();
    expect(first).toBeGreaterThan(0);
    expect(await startJob('test.thread', {}, opts).done).toEqual({ state: 'succeeded', result: first });
    const second = spareThreadId();
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    expect(await startJob('test.count', { n: 5 }, opts).done).toMatchObject({ state: 'succeeded', result: { written: 5, inWorker: true } });
    await keepWorkerReady(false);
    expect(spareThreadId()).toBeNull();
    // Off again: a worker per job.
    const out = await startJob('test.thread', {}, opts).done;
    expect(out.state).toBe('succeeded');
    expect([first, second]).not.toContain((out as { result: number }).result);
  });

  it('a spare taken before it is ready still runs the job; cancel works there too', async () => {
    const env = await fileEnv();
    const ready = keepWorkerReady(true);
    const out = await startJob('test.count', { n: 3 }, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture] }).done;
    expect(out).toMatchObject({ state: 'succeeded', result: { written: 3 } });
    await ready;
    await cancelledMidway(env);
    expect(countAudit(env)).toBe(3);
  });

  it("checkpoints the job's writes into the database file after posting the outcome", async () => {
    const env = await fileEnv();
    // Pages in the main file (header bytes 28–31): what is still only in the WAL is not counted.
    const pages = () => fs.readFileSync(env.env.dbFile).readUInt32BE(28);
    env.handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const before = pages();
    // ~200 pages: far below SQLite's automatic checkpoint (1000 pages), so only the worker's own checkpoint moves them.
    const out = await startJob('test.count', { n: 2000 }, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock, modules: [fixture] }).done;
    expect(out.state).toBe('succeeded');
    await vi.waitFor(() => expect(pages()).toBeGreaterThan(before), { timeout: 5000, interval: 20 });
  });
});

// Worker-thread entry: opens its own connection to the database file (WAL lets it share the file), runs one named job,
// posts progress and one final outcome message, then checkpoints the WAL and closes the connection. Started only by
// runner.ts, either with its job (workerData) or as a spare: it loads every job's code and warms it up (registry.ts
// preloadJobs), says 'ready', and waits for the one 'job' message it will run. A worker runs one job and ends, so no
// state outlives a job.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseOpenError, openDatabase } from '../db/open.ts';
import { jobConnection } from '../db/job-connection.ts';
import { setDatabaseKey } from '../db/sqlite.ts';
import type { DbKey } from '../db/keys.ts';
import { fail, toErrorData } from '../shared/errors.ts';
import type { Actor } from '../domain/actor.ts';
import type { Clock } from '../domain/clock.ts';
import { cancelFlag, JobCancelled, runJobFn, throttledProgress, type JobContext, type JobOutcome } from './context.ts';
import { loadJob, preloadJobs } from './registry.ts';

export interface WorkerData {
  name: string;
  input: unknown;
  dbFile: string;
  /** The host's database key (sqlite.ts databaseKey), null for a plaintext file. Never logged or posted back. */
  dbKey: DbKey | null;
  actor: Actor;
  /** The host clock's reading when the job started; the worker's clock runs on from it. */
  clockNow: string;
  timeZone: string;
  cancel: SharedArrayBuffer;
  modules: string[];
}

/** workerData of a spare worker, started before its job is known. */
export interface SpareData {
  spare: true;
}

export type HostMessage = { type: 'job'; data: WorkerData };
export type WorkerMessage = { type: 'ready' } | { type: 'progress'; done: number; total: number; phase: string } | { type: 'outcome'; outcome: JobOutcome };

async function run(data: WorkerData): Promise<void> {
  const port = parentPort!;
  const flag = cancelFlag(data.cancel);
  const base = new Date(data.clockNow).getTime();
  const started = Date.now();
  const clock: Clock = { now: () => new Date(base + (Date.now() - started)), timeZone: data.timeZone };
  let outcome: JobOutcome;
  try {
    const fn = await loadJob(data.name, data.modules);
    setDatabaseKey(data.dbKey);
    const handle = await openDatabase(data.dbFile);
    try {
      const { db, bulkInsert } = jobConnection(handle);
      const ctx: JobContext = {
        db,
        bulkInsert,
        actor: data.actor,
        clock,
        dbFile: data.dbFile,
        progress: throttledProgress((p) => port.postMessage({ type: 'progress', ...p } satisfies WorkerMessage)),
        get cancelled() {
          return flag.set;
        },
        checkCancelled() {
          if (flag.set) throw new JobCancelled();
        },
      };
      outcome = await runJobFn(fn, ctx, data.input);
      report(outcome);
      await db.destroy();
      // The job's COMMIT left its pages in the WAL (jobConnection turns the automatic checkpoint off): copy them
      // into the database file now, after the host has its answer. PASSIVE: readers are never waited for; what they
      // still hold is copied by a later checkpoint.
      handle.sqlite.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      await handle.close();
    }
  } catch (e) {
    outcome = { state: 'failed', error: e instanceof DatabaseOpenError ? fail('STORAGE', 'storage.openFailed', { reason: e.message }).toJSON() : toErrorData(e) };
  }
  report(outcome);
}

let reported = false;
/** Posts the job's one outcome (later calls do nothing). */
function report(outcome: JobOutcome): void {
  if (reported) return;
  reported = true;
  const port = parentPort!;
  try {
    port.postMessage({ type: 'outcome', outcome } satisfies WorkerMessage);
  } catch (e) {
    // A result that cannot cross threads is a programming error; still report a value, never hang the host.
    if (process.env.ISOLATION_DESK_DEBUG) console.error(e);
    port.postMessage({ type: 'outcome', outcome: { state: 'failed', error: toErrorData(e) } } satisfies WorkerMessage);
  }
}

if ('spare' in (workerData as SpareData | WorkerData)) {
  // A failed preload is not fatal: the job's own loadJob then fails with its error, reported as the outcome.
  const loaded = preloadJobs().catch(() => undefined);
  parentPort!.once('message', (m: HostMessage) => void loaded.then(() => run(m.data)));
  await loaded;
  parentPort!.postMessage({ type: 'ready' } satisfies WorkerMessage);
} else void run(workerData as WorkerData);

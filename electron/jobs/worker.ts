// Worker-thread entry: opens its own connection to the database file (WAL lets it share the file), runs one named job,
// posts progress and one final outcome message, then closes the connection. Started only by runner.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseOpenError, openDatabase } from '../db/open.ts';
import { jobConnection } from '../db/job-connection.ts';
import { toErrorData } from '../domain/errors.ts';
import type { Actor } from '../domain/actor.ts';
import type { Clock } from '../domain/clock.ts';
import { cancelFlag, JobCancelled, runJobFn, throttledProgress, type JobContext, type JobOutcome } from './context.ts';
import { loadJob } from './registry.ts';

export interface WorkerData {
  name: string;
  input: unknown;
  dbFile: string;
  actor: Actor;
  /** The host clock's reading when the job started; the worker's clock runs on from it. */
  clockNow: string;
  timeZone: string;
  cancel: SharedArrayBuffer;
  modules: string[];
}

export type WorkerMessage = { type: 'progress'; done: number; total: number; phase: string } | { type: 'outcome'; outcome: JobOutcome };

async function main(): Promise<void> {
  const data = workerData as WorkerData;
  const port = parentPort!;
  const flag = cancelFlag(data.cancel);
  const base = new Date(data.clockNow).getTime();
  const started = Date.now();
  const clock: Clock = { now: () => new Date(base + (Date.now() - started)), timeZone: data.timeZone };
  let outcome: JobOutcome;
  try {
    const fn = await loadJob(data.name, data.modules);
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
      await db.destroy();
    } finally {
      await handle.close();
    }
  } catch (e) {
    outcome = { state: 'failed', error: e instanceof DatabaseOpenError ? { code: 'STORAGE', message: e.message } : toErrorData(e) };
  }
  try {
    port.postMessage({ type: 'outcome', outcome } satisfies WorkerMessage);
  } catch (e) {
    // A result that cannot cross threads is a programming error; still report a value, never hang the host.
    if (process.env.ISOLATION_DESK_DEBUG) console.error(e);
    port.postMessage({ type: 'outcome', outcome: { state: 'failed', error: toErrorData(e) } } satisfies WorkerMessage);
  }
}

void main();

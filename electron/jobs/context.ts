// What a job function receives and how one runs: shared by the worker thread and the in-process (':memory:') path.
import type { Ctx } from '../domain/context.ts';
import { AppError, toErrorData, type AppErrorData } from '../shared/errors.ts';
import type { JobProgress } from '../shared/progress.ts';

export interface JobContext extends Ctx {
  /** The database file the job's own connection is open on. */
  dbFile: string;
  /** Reports progress; cheap to call often (throttled before crossing threads). */
  progress(p: JobProgress): void;
  /** True once cancel was asked. */
  readonly cancelled: boolean;
  /** Throws JobCancelled when cancel was asked: call it between steps, inside a transaction so it rolls back. */
  checkCancelled(): void;
}

export type JobFn<I = any, O = any> = (ctx: JobContext, input: I) => Promise<O>;

/** Thrown by checkCancelled(); the runner reports the job as 'cancelled', not 'failed'. */
export class JobCancelled extends Error {
  constructor() {
    super('已取消');
    this.name = 'JobCancelled';
  }
}

export type JobOutcome<O = unknown> =
  | { state: 'succeeded'; result: O }
  | { state: 'failed'; error: AppErrorData }
  | { state: 'cancelled' };

/** A cancel flag that both threads can see without waiting for the event loop (a busy worker never reads messages). */
export function cancelFlag(shared = new SharedArrayBuffer(4)) {
  const cell = new Int32Array(shared);
  return {
    shared,
    get set() {
      return Atomics.load(cell, 0) === 1;
    },
    raise() {
      Atomics.store(cell, 0, 1);
    },
  };
}

/** Runs one job function to an outcome value; never throws. */
export async function runJobFn<O>(fn: JobFn<unknown, O>, ctx: JobContext, input: unknown): Promise<JobOutcome<O>> {
  try {
    ctx.checkCancelled();
    const result = await fn(ctx, input);
    return { state: 'succeeded', result };
  } catch (e) {
    if (e instanceof JobCancelled) return { state: 'cancelled' };
    if (!(e instanceof AppError) && process.env.ISOLATION_DESK_DEBUG) console.error(e);
    return { state: 'failed', error: toErrorData(e) };
  }
}

/** Wraps a progress sink so it fires at most every `ms` (and always on a phase change or at the end). */
export function throttledProgress(sink: (p: JobProgress) => void, ms = 100): (p: JobProgress) => void {
  let last = 0;
  let lastPhase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase !== lastPhase || p.done >= p.total || now - last >= ms) {
      last = now;
      lastPhase = p.phase;
      sink({ done: p.done, total: p.total, phase: p.phase });
    }
  };
}

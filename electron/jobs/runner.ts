// Runs long jobs (import, export, backup, purge) in a worker thread, so the main process never blocks.
//
// API
//   startJob(name, input, { dbFile, actor, clock, onProgress?, db?, modules? }) → JobHandle
//     name      a key of jobRegistry (electron/jobs/registry.ts), e.g. 'import.residents'; add your job there.
//     input     structured-cloneable input for the job function.
//     dbFile    the database file; the worker opens its OWN connection to it (WAL). When dbFile is ':memory:'
//               (tests) the job runs in this thread on `db` instead — same API, same outcome values.
//     inline    the host's own handle on dbFile: the job runs in this thread on that connection, set up as a
//               worker's is (db/job-connection.ts) and put back afterwards. For the command line, which has one
//               caller and nothing else to keep responsive: no worker to start and load the code twice.
//     clock     the host clock: the worker's clock starts at its current reading.
//   JobHandle = { id, name, done: Promise<JobOutcome>, cancel(), status(): JobStatus }
//     done never rejects: { state:'succeeded', result } | { state:'failed', error: AppErrorData } | { state:'cancelled' }.
//     cancel() raises a shared flag the job sees at its next ctx.checkCancelled() (the job throws there, its
//     transaction rolls back); a worker that does not stop within CANCEL_GRACE_MS is terminated.
//   getJob(id) → JobStatus | null   cancelJob(id) → boolean   (the 'jobs.status'/'jobs.cancel' channels use these)
//   jobEnded(id, onProgress?) → Promise<void>   resolves when the job has ended (at once when unknown), calling
//               onProgress on the way: a caller in the same process waits on it instead of polling 'jobs.status'.
//   jobWorkersDone(timeoutMs?) → Promise<boolean>   true once no job runs and no job's worker has the database open
//               (a finished job's worker still checkpoints, then ends); false when a job is still running. Restoring
//               a backup waits for it: the file must not be swapped under a worker.
//   keepWorkerReady(on) → Promise<void>   with it on (the app and browser mode), a spare worker that has already
//               loaded the job code (and warmed the import up: registry.ts preloadJobs) waits for the next job, and
//               a new one is started when it is taken: a job then starts in milliseconds instead of the ~0.5 s a new
//               worker spends loading its code. The promise resolves when the spare is ready. Off (CLI, tests by
//               default): a worker is started per job.
//   JobStatus = { id, name, owner, state: 'running'|'succeeded'|'failed'|'cancelled', progress: {done,total,phase},
//                 startedAt, finishedAt?, result?, error? }. Finished jobs are kept for KEEP_FINISHED_MS.
// A job function is `(ctx: JobContext, input) => Promise<result>` (jobs/context.ts): ctx has db, actor, clock,
// dbFile, progress({done,total,phase}), cancelled, checkCancelled().
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { Db, DbHandle } from '../db/open.ts';
import { databaseKey } from '../db/sqlite.ts';
import { jobConnection, type BulkInsert } from '../db/job-connection.ts';
import { isPostgres } from '../db/engine.ts';
import type { Actor } from '../domain/actor.ts';
import type { Clock } from '../domain/clock.ts';
import { toErrorData, type AppErrorData } from '../shared/errors.ts';
import { cancelFlag, JobCancelled, runJobFn, throttledProgress, type JobContext, type JobOutcome } from './context.ts';
import type { JobProgress } from '../shared/progress.ts';
import { loadJob } from './registry.ts';
import type { HostMessage, SpareData, WorkerData, WorkerMessage } from './worker.ts';

export type { JobContext, JobFn, JobOutcome } from './context.ts';
export { JobCancelled } from './context.ts';

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobStatus<O = unknown> {
  id: string;
  name: string;
  /** Username of who started it; only they (or an admin) may see or cancel it. */
  owner: string;
  state: JobState;
  progress: JobProgress;
  startedAt: string;
  finishedAt?: string;
  result?: O;
  error?: AppErrorData;
}

export interface StartOptions {
  dbFile: string;
  actor: Actor;
  clock: Clock;
  onProgress?: (p: JobProgress) => void;
  /** The host's connection; used only for ':memory:' databases, which a worker cannot open. */
  db?: Db;
  /** Run in this thread on the host's own handle on dbFile (the command line), not in a worker. */
  inline?: DbHandle;
  /** How long a worker may ignore cancel before it is terminated (default CANCEL_GRACE_MS). */
  cancelGraceMs?: number;
  /** Extra module URLs exporting `jobs: Record<name, JobFn>` (tests); searched before the registry. */
  modules?: string[];
}

export interface JobHandle<O = unknown> {
  id: string;
  name: string;
  done: Promise<JobOutcome<O>>;
  cancel(): void;
  status(): JobStatus<O>;
}

export const CANCEL_GRACE_MS = 10_000;
const KEEP_FINISHED_MS = 60 * 60_000;

interface JobEntry {
  status: JobStatus;
  cancel: () => void;
  finished: number | null;
  /** Settles when the job has ended. */
  ended: Promise<unknown>;
  watchers: Set<(p: JobProgress) => void>;
}

const jobs = new Map<string, JobEntry>();

/** The worker entry next to this file: worker.ts when running from source, worker.js (or .mjs) when bundled. */
export function workerUrl(): URL {
  const ext = path.extname(fileURLToPath(import.meta.url)) || '.js';
  return new URL(`./worker${ext}`, import.meta.url);
}

interface Spare {
  worker: Worker;
  /** True once it has loaded the job code; false if it died first. */
  ready: Promise<boolean>;
  alive: boolean;
}

let spare: Spare | null = null;
let keepSpare = false;
/** Workers given a job that have not ended yet: they may have the database open (running, or checkpointing after). */
const jobWorkers = new Set<Worker>();

export async function jobWorkersDone(timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if ([...jobs.values()].some((j) => j.status.state === 'running')) return false;
    if (jobWorkers.size === 0) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startSpare(): Spare {
  const worker = new Worker(workerUrl(), { workerData: { spare: true } satisfies SpareData });
  // An idle spare must not keep a process (CLI, tests) alive; it is ref'd when it takes a job.
  worker.unref();
  const s: Spare = { worker, alive: true, ready: Promise.resolve(false) };
  s.ready = new Promise<boolean>((resolve) => {
    worker.once('message', (m: WorkerMessage) => resolve(m.type === 'ready'));
    const dead = () => {
      s.alive = false;
      if (spare === s) spare = null;
      resolve(false);
    };
    worker.once('error', dead);
    worker.once('exit', dead);
  });
  return s;
}

/** Turns the spare worker on (started now) or off (terminated); resolves when the spare is ready or gone. */
export async function keepWorkerReady(on: boolean): Promise<void> {
  keepSpare = on;
  if (!on) {
    const s = spare;
    spare = null;
    if (s) await s.worker.terminate();
    return;
  }
  spare ??= startSpare();
  await spare.ready;
}

/** The spare worker's thread id, or null when there is none (the tests check which thread ran a job). */
export function spareThreadId(): number | null {
  return spare?.alive ? spare.worker.threadId : null;
}

/** The spare worker if one is alive (a new one is started after this job); null to start a worker for the job. */
function takeSpare(): Worker | null {
  const s = spare;
  spare = null;
  if (!s?.alive) return null;
  s.worker.ref();
  return s.worker;
}

function prune(now: number) {
  for (const [id, j] of jobs) if (j.finished !== null && now - j.finished > KEEP_FINISHED_MS) jobs.delete(id);
}

export function startJob<O = unknown>(name: string, input: unknown, opts: StartOptions): JobHandle<O> {
  prune(Date.now());
  const id = randomUUID();
  const flag = cancelFlag();
  const status: JobStatus<O> = {
    id,
    name,
    owner: opts.actor.username,
    state: 'running',
    progress: { done: 0, total: 0, phase: '准备' },
    startedAt: new Date().toISOString(),
  };
  const watchers = new Set<(p: JobProgress) => void>();
  const onProgress = (p: JobProgress) => {
    status.progress = p;
    opts.onProgress?.(p);
    for (const w of watchers) w(p);
  };
  let terminate: (() => void) | null = null;
  const entry: JobEntry = {
    status: status as JobStatus,
    finished: null,
    ended: Promise.resolve(),
    watchers,
    cancel: () => {
      if (status.state !== 'running') return;
      flag.raise();
      if (terminate) setTimeout(() => terminate?.(), opts.cancelGraceMs ?? CANCEL_GRACE_MS).unref();
    },
  };
  jobs.set(id, entry);

  let done: Promise<JobOutcome<O>>;
  // On PostgreSQL the job runs in this thread on the host's pool: the server does the database work, and a worker
  // would need a pool of its own (and the credentials) for little gain. Its reading of the file still blocks this
  // thread while it runs (a worker for that part is future work).
  const onPg = !!opts.db && isPostgres(opts.db);
  if (opts.dbFile === ':memory:' || opts.inline || onPg) {
    if (!opts.inline && !opts.db) throw new Error('startJob: an in-memory database needs opts.db');
    const hostDb = opts.db ?? opts.inline!.db;
    // Built with its getter (a spread would copy `cancelled` once).
    const contextOn = (db: Db, bulkInsert?: BulkInsert): JobContext => ({
      db,
      ...(bulkInsert ? { bulkInsert } : {}),
      actor: opts.actor,
      clock: opts.clock,
      dbFile: opts.dbFile,
      progress: throttledProgress(onProgress),
      get cancelled() {
        return flag.set;
      },
      checkCancelled() {
        if (flag.set) throw new JobCancelled();
      },
    });
    done = loadJob(name, opts.modules).then(
      async (fn) => {
        let conn: ReturnType<typeof hostJobConnection> | null = null;
        try {
          conn = opts.inline && !onPg ? hostJobConnection(opts.inline) : null;
          return await runJobFn<O>(fn, conn ? contextOn(conn.db, conn.bulkInsert) : contextOn(onPg ? hostDb : opts.db!), input);
        } catch (e) {
          return { state: 'failed', error: toErrorData(e) };
        } finally {
          await conn?.release().catch(() => undefined);
        }
      },
      (e): JobOutcome<O> => ({ state: 'failed', error: toErrorData(e) }),
    );
  } else {
    done = new Promise<JobOutcome<O>>((resolve) => {
      const data: WorkerData = {
        name,
        input,
        dbFile: opts.dbFile,
        dbKey: databaseKey(),
        actor: opts.actor,
        clockNow: opts.clock.now().toISOString(),
        timeZone: opts.clock.timeZone,
        cancel: flag.shared,
        modules: opts.modules ?? [],
      };
      const taken = takeSpare();
      const worker = taken ?? new Worker(workerUrl(), { workerData: data });
      if (taken) taken.postMessage({ type: 'job', data } satisfies HostMessage);
      jobWorkers.add(worker);
      worker.once('exit', () => jobWorkers.delete(worker));
      let settled = false;
      const settle = (o: JobOutcome<O>) => {
        if (settled) return;
        settled = true;
        terminate = null;
        resolve(o);
        // The next job's worker starts loading now, while this one checkpoints and ends.
        if (keepSpare && !spare) spare = startSpare();
      };
      terminate = () => {
        void worker.terminate();
        settle({ state: 'cancelled' });
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') onProgress({ done: m.done, total: m.total, phase: m.phase });
        else if (m.type === 'outcome') settle(m.outcome as JobOutcome<O>);
      });
      worker.on('error', (e) => settle({ state: 'failed', error: toErrorData(e) }));
      worker.on('exit', () => settle(flag.set ? { state: 'cancelled' } : { state: 'failed', error: toErrorData(new Error('worker exited')) }));
    });
  }
  done = done.then((o) => {
    status.state = o.state;
    status.finishedAt = new Date().toISOString();
    if (o.state === 'succeeded') status.result = o.result;
    if (o.state === 'failed') status.error = o.error;
    entry.finished = Date.now();
    watchers.clear();
    return o;
  });
  entry.ended = done;
  return { id, name, done, cancel: entry.cancel, status: () => ({ ...status }) };
}

/**
 * The host's own connection set up for a job as a worker's is (jobConnection: prepared INSERTs, a big page cache, no
 * automatic checkpoint at its COMMIT); release() puts the connection's settings back (the next commit, or closing the
 * file, checkpoints what the job wrote).
 */
function hostJobConnection(handle: DbHandle): { db: Db; bulkInsert: BulkInsert; release(): Promise<void> } {
  const cache = handle.sqlite.pragma('cache_size', { simple: true }) as number;
  const autoCheckpoint = handle.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  const { db, bulkInsert } = jobConnection(handle);
  return {
    db,
    bulkInsert,
    async release() {
      await db.destroy();
      handle.sqlite.pragma(`cache_size = ${Number(cache)}`);
      handle.sqlite.pragma(`wal_autocheckpoint = ${Number(autoCheckpoint)}`);
    },
  };
}

/** Resolves when the job has ended (at once when it is unknown), reporting its progress on the way. */
export async function jobEnded(id: string, onProgress?: (p: JobProgress) => void): Promise<void> {
  const j = jobs.get(id);
  if (!j) return;
  if (onProgress && j.finished === null) j.watchers.add(onProgress);
  try {
    await j.ended;
  } finally {
    if (onProgress) j.watchers.delete(onProgress);
  }
}

/** A job's status for its owner (or an admin); null when unknown, expired, or someone else's. */
export function getJob(id: string, actor?: Actor): JobStatus | null {
  const j = jobs.get(id);
  if (!j) return null;
  if (actor && actor.role !== 'admin' && j.status.owner !== actor.username) return null;
  return { ...j.status };
}

/** Asks a running job to stop; false when unknown or someone else's. */
export function cancelJob(id: string, actor?: Actor): boolean {
  const j = jobs.get(id);
  if (!j) return false;
  if (actor && actor.role !== 'admin' && j.status.owner !== actor.username) return false;
  j.cancel();
  return true;
}

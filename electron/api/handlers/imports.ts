// Handlers of the import channels. Reading and checking a list runs as a job in a worker thread — in the command line's
// own thread when its env says so (ApiEnv.inlineJobs) — (preview is awaited,
// commit returns the job id); uploaded bytes stay in the main process's temp folder, the renderer holds only a fileId.
// The uploaded file is deleted when its import is written or cancelled, when the wizard discards it (import.cancel) and
// when the session that uploaded it ends (uploads.ts says when else).
import type { importsContract } from '../contract/imports.ts';
import type { HandlersFor } from './types.ts';
import type { HandlerCtx } from '../env.ts';
import { AppError, fail } from '../../shared/errors.ts';
import { getSettings } from '../../domain/settings.ts';
import { startJob, type JobOutcome } from '../../jobs/runner.ts';
import { discardSessionUploads, discardUpload, getUpload, holdUpload, keptReport, markCommitted, saveUpload, type KeptReport, type Upload } from '../../excel/import/uploads.ts';
import type { SessionStore } from '../sessions.ts';
import { listBatches, undoBatch } from '../../excel/import/batches.ts';
import type { ImportPreview, ImportRequest } from '../../excel/import/run.ts';
import type { ImportMode } from '../../excel/import/commit.ts';
import type { ImportConfirm } from '../../excel/import/confirm.ts';

/** What the commit jobs answer (excel/import/commit.ts, tests.ts), as far as the clean-up after a commit needs. */
type CommitSummary = { status: string; batchId: number | null; errors: unknown[]; unmatched?: unknown[] };

type ListInput = { fileId: string; kind: 'residents' | 'tests'; sheet?: string; mapping?: Record<string, string | number | null>; communityId?: number; community?: string; startDate?: string; roundId?: number; confirm?: ImportConfirm };

function requestFor(u: Upload, input: ListInput & { mode?: ImportMode }): ImportRequest {
  return { file: u.path, fileName: u.fileName, kind: input.kind, sheet: input.sheet, mapping: input.mapping, communityId: input.communityId, community: input.community, startDate: input.startDate, roundId: input.roundId, mode: input.mode, confirm: input.confirm };
}

function jobOptions(ctx: HandlerCtx) {
  return { dbFile: ctx.env.dbFile, db: ctx.db, inline: ctx.env.inlineJobs, actor: ctx.actor, clock: ctx.clock };
}

/** Runs a job to its end and returns its result, or throws its error as the AppError it was. */
async function runToEnd<O>(ctx: HandlerCtx, name: string, req: ImportRequest): Promise<O> {
  const out = await startJob<O>(name, req, jobOptions(ctx)).done;
  if (out.state === 'succeeded') return out.result;
  if (out.state === 'cancelled') throw fail('VALIDATION', 'common.cancelled');
  throw AppError.from(out.error);
}

/** Runs a job over the upload's file, which is kept until the job ends. */
async function withUpload<O>(ctx: HandlerCtx, name: string, input: ListInput): Promise<O> {
  const u = getUpload(ctx.actor, input.fileId);
  const release = holdUpload(u);
  try {
    return await runToEnd<O>(ctx, name, requestFor(u, input));
  } finally {
    release();
  }
}

/** Stores that already discard their sessions' uploads when a session ends. */
const watched = new WeakSet<SessionStore>();

function watchSessions(sessions: SessionStore): void {
  if (watched.has(sessions)) return;
  watched.add(sessions);
  sessions.onEnd((key) => discardSessionUploads(sessions, key));
}

/** Commits still finishing their clean-up (deleting the file, keeping the error report), by fileId. */
const settling = new Map<string, Promise<void>>();

/**
 * After the commit job: written → the error report of its rejected rows (if any) is built and kept in memory, then the
 * file is deleted; cancelled → the file is deleted; refused or failed → kept, the clerk goes back to the preview.
 */
async function afterCommit(ctx: HandlerCtx, u: Upload, input: ListInput, done: Promise<JobOutcome<CommitSummary>>): Promise<void> {
  const out = await done;
  if (out.state === 'cancelled') {
    discardUpload(ctx.actor, u.fileId);
    return;
  }
  if (out.state !== 'succeeded' || out.result.status !== 'written') return;
  let report: KeptReport | null = null;
  // Rows not imported: rejected ones, and a test-result list's rows matching nobody under watch.
  const left = out.result.errors.length + (out.result.unmatched?.length ?? 0);
  if (left > 0) {
    report = await runToEnd<KeptReport>(ctx, 'import.errorReport', requestFor(u, input)).catch(() => null);
  }
  markCommitted(u, out.result.batchId, report, left > 0);
}

export const importsHandlers: HandlersFor<typeof importsContract> = {
  'import.upload': async (ctx, input) => {
    const { importMaxFileMb, sessionIdleMinutes } = await getSettings(ctx);
    const data = Buffer.from(input.dataBase64, 'base64');
    watchSessions(ctx.env.sessions);
    const { sessions, clock } = ctx.env;
    const key = ctx.sessionKey;
    const owner = ctx.actor.username;
    const idleMs = sessionIdleMinutes * 60_000;
    const u = saveUpload(ctx.actor, input.fileName, data, importMaxFileMb * 1024 * 1024, Date.now(), {
      sessionOwner: sessions,
      sessionKey: key,
      // The session is over even when nobody called since its idle timeout (a closed browser tab).
      abandoned: () => {
        const s = sessions.get(key);
        return !s || s.actor.username !== owner || clock.now().getTime() - s.lastSeen > idleMs;
      },
    });
    return { fileId: u.fileId, fileName: u.fileName, bytes: data.length };
  },
  'import.preview': async (ctx, input) => withUpload<ImportPreview>(ctx, 'import.preview', input),
  'import.commit': async (ctx, input) => {
    const u = getUpload(ctx.actor, input.fileId);
    const release = holdUpload(u);
    let job;
    try {
      job = startJob<CommitSummary>(input.kind === 'tests' ? 'import.tests' : 'import.residents', requestFor(u, input), jobOptions(ctx));
    } catch (e) {
      release();
      throw e;
    }
    const settled = afterCommit(ctx, u, input, job.done)
      .catch(() => undefined)
      .finally(() => {
        release();
        settling.delete(u.fileId);
      });
    settling.set(u.fileId, settled);
    return { jobId: job.id };
  },
  'import.errorReport': async (ctx, input) => {
    // Right after a commit the report may still be being kept: wait for it.
    await settling.get(input.fileId);
    return keptReport(ctx.actor, input.fileId) ?? withUpload(ctx, 'import.errorReport', input);
  },
  'import.cancel': async (ctx, input) => {
    // A commit still keeping its error report finishes first (the file goes with it either way).
    await settling.get(input.fileId);
    return { deleted: discardUpload(ctx.actor, input.fileId) };
  },
  'import.batches': async (ctx, input) => listBatches(ctx, input),
  'import.undo': async (ctx, input) => undoBatch(ctx, input.batchId),
};

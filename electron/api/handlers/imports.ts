// Handlers of the import channels. Reading and checking a list runs as a job in a worker thread (preview is awaited,
// commit returns the job id); uploaded bytes stay in the main process's temp folder, the renderer holds only a fileId.
import type { importsContract } from '../contract/imports.ts';
import type { HandlersFor } from './types.ts';
import type { HandlerCtx } from '../env.ts';
import { AppError } from '../../domain/errors.ts';
import { getSettings } from '../../domain/settings.ts';
import { startJob } from '../../jobs/runner.ts';
import { getUpload, saveUpload } from '../../excel/import/uploads.ts';
import { listBatches, undoBatch } from '../../excel/import/batches.ts';
import type { ImportPreview, ImportRequest } from '../../excel/import/run.ts';
import type { ImportMode } from '../../excel/import/commit.ts';
import type { ImportConfirm } from '../../excel/import/confirm.ts';

type ListInput = { fileId: string; kind: 'residents' | 'tests'; sheet?: string; mapping?: Record<string, string | number | null>; communityId?: number; startDate?: string; confirm?: ImportConfirm };

function request(ctx: HandlerCtx, input: ListInput & { mode?: ImportMode }): ImportRequest {
  const u = getUpload(ctx.actor, input.fileId);
  return { file: u.path, fileName: u.fileName, kind: input.kind, sheet: input.sheet, mapping: input.mapping, communityId: input.communityId, startDate: input.startDate, mode: input.mode, confirm: input.confirm };
}

function jobOptions(ctx: HandlerCtx) {
  return { dbFile: ctx.env.dbFile, db: ctx.db, actor: ctx.actor, clock: ctx.clock };
}

/** Runs a job to its end and returns its result, or throws its error as the AppError it was. */
async function runToEnd<O>(ctx: HandlerCtx, name: string, req: ImportRequest): Promise<O> {
  const out = await startJob<O>(name, req, jobOptions(ctx)).done;
  if (out.state === 'succeeded') return out.result;
  if (out.state === 'cancelled') throw new AppError('VALIDATION', '已取消。');
  throw new AppError(out.error.code, out.error.message, { fields: out.error.fields, details: out.error.details });
}

export const importsHandlers: HandlersFor<typeof importsContract> = {
  'import.upload': async (ctx, input) => {
    const { importMaxFileMb } = await getSettings(ctx);
    const data = Buffer.from(input.dataBase64, 'base64');
    const u = saveUpload(ctx.actor, input.fileName, data, importMaxFileMb * 1024 * 1024);
    return { fileId: u.fileId, fileName: u.fileName, bytes: data.length };
  },
  'import.preview': async (ctx, input) => runToEnd<ImportPreview>(ctx, 'import.preview', request(ctx, input)),
  'import.commit': async (ctx, input) => {
    const req = request(ctx, input);
    const job = startJob(input.kind === 'tests' ? 'import.tests' : 'import.residents', req, jobOptions(ctx));
    return { jobId: job.id };
  },
  'import.errorReport': async (ctx, input) => runToEnd(ctx, 'import.errorReport', request(ctx, input)),
  'import.batches': async (ctx, input) => listBatches(ctx, input),
  'import.undo': async (ctx, input) => undoBatch(ctx, input.batchId),
};

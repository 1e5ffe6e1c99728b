// Handlers of the report channels: an export is checked here (permission, masking, scope) and then runs as the
// 'export.report' job in a worker; a download reads back only files of the export folder the caller exported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { reportsContract } from '../contract/reports.ts';
import type { HandlersFor } from './types.ts';
import { localFile, type ApiEnv, type HandlerCtx } from '../env.ts';
import { audit } from '../../domain/audit.ts';
import { exportedBy } from '../../domain/auditlog.ts';
import { fail, forbidden, notFound } from '../../shared/errors.ts';
import { startJob } from '../../jobs/runner.ts';
import { resolveExport, type ExportRequest, type ExportResult } from '../../excel/export/index.ts';

/** env.exportDir, else an "exports" folder beside the database file (a temp folder for in-memory test databases). */
export function exportDirOf(env: Pick<ApiEnv, 'exportDir' | 'dbFile'>): string {
  if (env.exportDir) return path.resolve(env.exportDir);
  if (env.dbFile === ':memory:') return path.join(os.tmpdir(), 'isolation-desk-exports');
  return path.join(path.dirname(path.resolve(env.dbFile)), 'exports');
}


/** The path of an export file the caller may have: inside the export folder, an .xlsx (or a notice's .docx), exported by them (admin: any). */
async function ownExport(ctx: HandlerCtx, requested: string): Promise<string> {
  const dir = exportDirOf(ctx.env);
  const file = path.resolve(dir, requested);
  if (path.dirname(file) !== dir || !['.xlsx', '.docx'].includes(path.extname(file).toLowerCase())) throw forbidden('reports.notYourExport');
  if (!fs.existsSync(file)) throw notFound('thing.reportFile');
  // A link inside the folder must not lead out of it.
  if (path.dirname(fs.realpathSync(file)) !== fs.realpathSync(dir)) throw forbidden('reports.notYourExport');
  if (ctx.actor.role !== 'admin' && !(await exportedBy(ctx, file))) throw forbidden('reports.notYourExport');
  return file;
}

export const reportsHandlers: HandlersFor<typeof reportsContract> = {
  'reports.export': async (ctx, input) => {
    const req: ExportRequest = { ...input, outDir: exportDirOf(ctx.env), outFile: input.outFile === undefined ? undefined : localFile(ctx.env, input.outFile) };
    // Refuse now (unmasked without permission, another community, bad dates) rather than in a failed job later.
    await resolveExport(ctx, req);
    const job = startJob<ExportResult>('export.report', req, { dbFile: ctx.env.dbFile, actor: ctx.actor, clock: ctx.clock, db: ctx.db, inline: ctx.env.inlineJobs });
    return { jobId: job.id };
  },
  'reports.download': async (ctx, input) => {
    const file = await ownExport(ctx, input.path);
    const data = await fs.promises.readFile(file);
    await audit(ctx, { action: 'report.download', entity: 'report', extra: { fileName: path.basename(file), path: file, bytes: data.length } });
    return { fileName: path.basename(file), dataBase64: data.toString('base64') };
  },
  'reports.showInFolder': async (ctx, input) => {
    const file = await ownExport(ctx, input.path);
    if (!ctx.env.showItemInFolder) throw fail('BLOCKED', 'reports.noFolderInBrowser', { file });
    ctx.env.showItemInFolder(file);
    return null;
  },
};

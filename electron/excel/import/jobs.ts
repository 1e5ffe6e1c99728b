// The import's job functions, run by the job runner in a worker thread (registered in electron/jobs/registry.ts).
import type { JobFn } from '../../jobs/context.ts';
import { importErrorReport, previewImport, runImport, type ImportPreview, type ImportRequest } from './run.ts';
import type { ImportSummary } from './commit.ts';
import type { TestImportSummary } from './tests.ts';

const hooks = (ctx: Parameters<JobFn>[0]) => ({ progress: (p: { done: number; total: number; phase: string }) => ctx.progress(p), checkCancelled: () => ctx.checkCancelled() });

export const importPreviewJob: JobFn<ImportRequest, ImportPreview> = (ctx, req) => previewImport(ctx, req, hooks(ctx));

export const importResidentsJob: JobFn<ImportRequest, ImportSummary> = async (ctx, req) => (await runImport(ctx, { ...req, kind: 'residents' }, hooks(ctx))) as ImportSummary;

export const importTestsJob: JobFn<ImportRequest, TestImportSummary> = async (ctx, req) => (await runImport(ctx, { ...req, kind: 'tests' }, hooks(ctx))) as TestImportSummary;

export const importErrorReportJob: JobFn<ImportRequest, { fileName: string; dataBase64: string; rows: number }> = async (ctx, req) => {
  const r = await importErrorReport(ctx, req, hooks(ctx));
  return { fileName: r.fileName, dataBase64: r.data.toString('base64'), rows: r.rows };
};

// Job names → lazy loaders of their functions. A worker started for its job loads only that job; a spare worker
// (runner.ts keepWorkerReady) loads them all ahead of time.
// A job is the work below (excel/ import and export functions, which take progress and cancel hooks and know nothing
// of jobs) given the job's context: add one with one entry here.
import type { JobContext, JobFn } from './context.ts';
import type { ImportRequest } from '../excel/import/run.ts';
import type { ExportRequest } from '../excel/export/index.ts';
import type { NoticeRequest } from '../excel/export/notices.ts';
import type { DoorSheetRequest } from '../excel/export/door-sheet.ts';
import type { JobProgress } from '../shared/progress.ts';

/** The job's progress and cancel, as the hooks the import and export functions take. */
const hooks = (ctx: JobContext) => ({ progress: (p: JobProgress) => ctx.progress(p), checkCancelled: () => ctx.checkCancelled() });

export const jobRegistry: Record<string, () => Promise<JobFn>> = {
  'import.preview': async () => {
    const { previewImport } = await import('../excel/import/run.ts');
    return (ctx, req: ImportRequest) => previewImport(ctx, req, hooks(ctx));
  },
  'import.residents': async () => {
    const { runImport } = await import('../excel/import/run.ts');
    return (ctx, req: ImportRequest) => runImport(ctx, { ...req, kind: 'residents' }, hooks(ctx));
  },
  'import.tests': async () => {
    const { runImport } = await import('../excel/import/run.ts');
    return (ctx, req: ImportRequest) => runImport(ctx, { ...req, kind: 'tests' }, hooks(ctx));
  },
  'import.errorReport': async () => {
    const { importErrorReport } = await import('../excel/import/run.ts');
    return async (ctx, req: ImportRequest) => {
      const r = await importErrorReport(ctx, req, hooks(ctx));
      return { fileName: r.fileName, dataBase64: r.data.toString('base64'), rows: r.rows };
    };
  },
  'export.report': async () => {
    const { exportReport } = await import('../excel/export/index.ts');
    return (ctx, input: ExportRequest) => exportReport(ctx, input, { onProgress: (p) => ctx.progress(p), checkCancelled: () => ctx.checkCancelled() });
  },
  'export.notices': async () => {
    const { exportNotices } = await import('../excel/export/notices.ts');
    return (ctx, input: NoticeRequest) => exportNotices(ctx, input, { onProgress: (p) => ctx.progress(p) });
  },
  'export.doorSheet': async () => {
    const { exportDoorSheet } = await import('../excel/export/door-sheet.ts');
    return (ctx, input: DoorSheetRequest) => exportDoorSheet(ctx, input, { onProgress: (p) => ctx.progress(p) });
  },
};

export async function loadJob(name: string, extraModules: string[] = []): Promise<JobFn> {
  for (const url of extraModules) {
    const mod = (await import(url)) as { jobs?: Record<string, JobFn> };
    if (mod.jobs && Object.prototype.hasOwnProperty.call(mod.jobs, name)) return mod.jobs[name];
  }
  if (!Object.prototype.hasOwnProperty.call(jobRegistry, name)) throw new Error(`unknown job: ${name}`);
  return jobRegistry[name]();
}

/**
 * Warm-ups a spare worker runs once the code is loaded: each runs a job's code on made-up data in memory, so V8 has
 * compiled it and the heap has grown before the real job comes. Never fatal: a warm-up that fails only leaves it cold.
 */
const warmUps: (() => Promise<unknown>)[] = [async () => (await import('../excel/import/rehearse.ts')).rehearseImport()];

/** Loads every job's code and warms it up (a spare worker does this while it waits for its job). */
export async function preloadJobs(): Promise<void> {
  await Promise.all(Object.values(jobRegistry).map((load) => load()));
  for (const warm of warmUps) await warm().catch(() => undefined);
}

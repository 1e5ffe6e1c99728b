// Job names → lazy loaders of their functions. A worker started for its job loads only that job; a spare worker
// (runner.ts keepWorkerReady) loads them all ahead of time.
// Add a job with ONE line: 'area.verb': async () => (await import('../path/to/module.ts')).someJobFn,
import type { JobFn } from './context.ts';

export const jobRegistry: Record<string, () => Promise<JobFn>> = {
  'import.preview': async () => (await import('../excel/import/jobs.ts')).importPreviewJob,
  'import.residents': async () => (await import('../excel/import/jobs.ts')).importResidentsJob,
  'import.tests': async () => (await import('../excel/import/jobs.ts')).importTestsJob,
  'import.errorReport': async () => (await import('../excel/import/jobs.ts')).importErrorReportJob,
  'export.report': async () => (await import('../excel/export/index.ts')).exportReportJob as JobFn,
};

export async function loadJob(name: string, extraModules: string[] = []): Promise<JobFn> {
  for (const url of extraModules) {
    const mod = (await import(url)) as { jobs?: Record<string, JobFn> };
    if (mod.jobs && Object.prototype.hasOwnProperty.call(mod.jobs, name)) return mod.jobs[name];
  }
  if (!Object.prototype.hasOwnProperty.call(jobRegistry, name)) throw new Error(`unknown job: ${name}`);
  return jobRegistry[name]();
}

/** Loads every job's code (a spare worker does this while it waits for its job). */
export async function preloadJobs(): Promise<void> {
  await Promise.all(Object.values(jobRegistry).map((load) => load()));
}

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

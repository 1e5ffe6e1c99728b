// Handlers of the job channels: status and cancel of the caller's own jobs (jobs/runner.ts keeps them).
import type { jobsContract } from '../contract/jobs.ts';
import type { HandlersFor } from './types.ts';
import { notFound } from '../../shared/errors.ts';
import { cancelJob, getJob } from '../../jobs/runner.ts';

export const jobsHandlers: HandlersFor<typeof jobsContract> = {
  'jobs.status': async (ctx, input) => {
    const s = getJob(input.jobId, ctx.actor);
    if (!s) throw notFound('thing.oldJob');
    return s;
  },
  'jobs.cancel': async (ctx, input) => {
    const s = getJob(input.jobId, ctx.actor);
    if (!s) throw notFound('thing.job');
    cancelJob(input.jobId, ctx.actor);
    return { cancelled: s.state === 'running' };
  },
};

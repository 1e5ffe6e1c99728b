// Channels of background jobs (imports, exports…): poll a job's progress and result, or cancel it. Only whoever
// started a job (or an admin) sees it.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import type { JobStatus } from '../../jobs/runner.ts';

const jobId = z.object({ jobId: z.string().uuid(k('rule.jobId')) }).strict();

export const jobsContract = {
  'jobs.status': channel<JobStatus>()(jobId, 'session'),
  'jobs.cancel': channel<{ cancelled: boolean }>()(jobId, 'session', { write: true, changesNoData: true }),
};

// The import wizard's channels and the job channels, with their handlers: all the command line's `import` calls
// (upload, preview, commit, jobs.status, errorReport, cancel). Dispatched through dispatch-core.ts like the whole API
// (same session, permission and input checks), without loading the other areas' handlers and their domain code.
import { importsContract } from './contract/imports.ts';
import { jobsContract } from './contract/jobs.ts';
import { importsHandlers } from './handlers/imports.ts';
import { jobsHandlers } from './handlers/jobs.ts';
import type { ApiSlice } from './dispatch-core.ts';

export const importSlice: ApiSlice = {
  contract: { ...importsContract, ...jobsContract },
  handlers: { ...importsHandlers, ...jobsHandlers } as unknown as ApiSlice['handlers'],
};

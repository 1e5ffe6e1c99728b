// Handlers of the trust channels. Restore closes the open connection, swaps the file and reopens it in place
// (env.db is replaced), then ends every session: the accounts now are those of the restored file.
import type { trustContract } from '../contract/trust.ts';
import type { HandlersFor } from './types.ts';
import { localFile, type HandlerCtx } from '../env.ts';
import { countStats } from '../../domain/stats.ts';
import { listAudit } from '../../domain/auditlog.ts';
import { exportAudit } from '../../excel/export/audit.ts';
import { checkAuditChainNow, lastAuditChainCheck } from '../../domain/auditchain.ts';
import { backupCopy, backupDir, backupNow, databaseIdOf, backupStatus, restoreFromBackup, undoLastRestore } from '../../domain/backups.ts';
import { backupAnchors } from '../../db/verify.ts';
import { previewPurge, runPurge } from '../../domain/purgeRun.ts';
import { exportBeforePurge } from '../../excel/export/purge-archive.ts';
import { exportDirOf as exportDirFor } from './reports.ts';
import { jobWorkersDone } from '../../jobs/runner.ts';
import { fail } from '../../shared/errors.ts';

const exportDirOf = (ctx: HandlerCtx): string => exportDirFor(ctx.env);

/** Swapping the database file under a job's worker would send its writes to the file moved aside: wait, or refuse. */
async function assertNoJobs(): Promise<void> {
  if (!(await jobWorkersDone())) throw fail('BLOCKED', 'backups.jobsRunning');
}

export const trustHandlers: HandlersFor<typeof trustContract> = {
  'audit.list': async (ctx, input) => listAudit(ctx, input),
  'audit.export': async (ctx, input) => exportAudit(ctx, input, exportDirOf(ctx)),
  'audit.chainStatus': async (ctx) => lastAuditChainCheck(ctx),
  // The backups' recorded heads hold the chain to copies outside the file.
  'audit.verifyChain': async (ctx) =>
    checkAuditChainNow(ctx, ctx.env.dbFile === ':memory:' ? [] : backupAnchors(await backupDir(ctx.env), await databaseIdOf(ctx.env.db))),

  'backups.list': async (ctx) => backupStatus(ctx.env),
  'backups.create': async (ctx, input) => (input.out === undefined ? backupNow(ctx.env, ctx.actor) : backupCopy(ctx.env, ctx.actor, localFile(ctx.env, input.out))),
  'stats.counts': async (ctx) => countStats(ctx),
  'backups.restore': async (ctx, input) => {
    await assertNoJobs();
    const r = await restoreFromBackup(ctx.env, ctx.actor, input.name);
    ctx.env.sessions.clear();
    return r;
  },
  'backups.undoRestore': async (ctx, input) => {
    await assertNoJobs();
    const r = await undoLastRestore(ctx.env, ctx.actor, input.aside);
    ctx.env.sessions.clear();
    return r;
  },

  'purge.preview': async (ctx) => previewPurge(ctx, ctx.env.dbFile, exportDirOf(ctx)),
  // The export first is the handler's step, not the domain's (the domain never calls an Excel writer).
  'purge.run': async (ctx, input) => {
    const where = { dbFile: ctx.env.dbFile, exportDir: exportDirOf(ctx) };
    const exportedFirst = input.exportFirst ? await exportBeforePurge(ctx, { ...where, unmasked: input.exportFirst.unmasked }) : null;
    return runPurge(ctx, { ...where, keepBackups: input.keepBackups, exportedFirst });
  },
};

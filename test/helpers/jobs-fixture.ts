// Job functions for the runner's own tests, loaded by the worker through StartOptions.modules.
import { sql } from 'kysely';
import type { JobFn } from '../../electron/jobs/context.ts';
import { inTx } from '../../electron/domain/context.ts';
import { invalid } from '../../electron/shared/errors.ts';
import { audit } from '../../electron/domain/audit.ts';
// Tests write made-up action names ('test.*') that the app itself never writes.
import type { AuditAction } from '../../electron/shared/auditActions.ts';
import { today } from '../../electron/domain/clock.ts';

/** Writes `n` audit rows in one transaction, reporting progress and honouring cancel between rows. */
const count: JobFn<{ n: number; delayMs?: number }, { written: number; today: string; actor: string; inWorker: boolean }> = async (ctx, input) => {
  const { isMainThread } = await import('node:worker_threads');
  return inTx(ctx, async (tx) => {
    for (let i = 0; i < input.n; i++) {
      ctx.checkCancelled();
      await audit(tx, { action: 'test.count' as AuditAction, extra: { i } });
      ctx.progress({ done: i + 1, total: input.n, phase: '计数' });
      if (input.delayMs) await new Promise((r) => setTimeout(r, input.delayMs));
    }
    const n = await tx.db.selectFrom('auditLog').select(sql<number>`count(*)`.as('n')).where('action', '=', 'test.count').executeTakeFirstOrThrow();
    return { written: Number(n.n), today: today(ctx.clock), actor: ctx.actor.username, inWorker: !isMainThread };
  });
};

const fail: JobFn = async () => {
  throw invalid('common.dateBad');
};

/** Ignores cancel entirely: the runner must terminate it after the grace period. */
const spin: JobFn = async () => {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    /* busy */
  }
  return 'never';
};

/** The id of the thread the job ran in. */
const thread: JobFn<unknown, number> = async () => (await import('node:worker_threads')).threadId;

export const jobs: Record<string, JobFn> = { 'test.count': count, 'test.fail': fail, 'test.spin': spin, 'test.thread': thread };

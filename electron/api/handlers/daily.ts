// Handlers of the daily-work channels: each maps validated input to one domain call (scope is checked in the domain).
import type { dailyContract } from '../contract/daily.ts';
import type { HandlersFor } from './types.ts';
import { today } from '../../domain/clock.ts';
import { correctCheckIn, dueList, recordCheckIn } from '../../domain/checkins.ts';
import { dueGroups } from '../../domain/checkins-groups.ts';
import { recordTestResult } from '../../domain/tests.ts';
import { listCheckinBatches, previewBatch, recordBatch, undoBatch } from '../../domain/checkins-batch.ts';
import { closeAlert, listAlerts } from '../../domain/alerts.ts';
import { getDashboard, slotCounts } from '../../domain/dashboard.ts';
import { placeDailyStats } from '../../domain/dashboard-places.ts';
import { pageWithNeeds } from '../../domain/needs.ts';

export const dailyHandlers: HandlersFor<typeof dailyContract> = {
  'checkins.record': async (ctx, input) => recordCheckIn(ctx, input),
  'checkins.correct': async (ctx, input) => correctCheckIn(ctx, input),
  'checkins.due': async (ctx, input) => pageWithNeeds(ctx, await dueList(ctx, { ...input, date: input.date ?? today(ctx.clock) })),
  'checkins.groups': async (ctx, input) => dueGroups(ctx, { ...input, date: input.date ?? today(ctx.clock) }),
  'checkins.counts': async (ctx, input) => slotCounts(ctx, input),
  'checkins.batchPreview': async (ctx, input) => previewBatch(ctx, { ...input, date: input.date ?? today(ctx.clock) }),
  'checkins.recordBatch': async (ctx, input) => recordBatch(ctx, input),
  'checkins.undoBatch': async (ctx, input) => undoBatch(ctx, input.batchId),
  'checkins.batches': async (ctx, input) => listCheckinBatches(ctx, { ...input, date: input.date ?? today(ctx.clock) }),
  'tests.record': async (ctx, input) => recordTestResult(ctx, { ...input, source: 'manual' }),
  'alerts.list': async (ctx, input) => listAlerts(ctx, input),
  'alerts.close': async (ctx, input) => closeAlert(ctx, input),
  'dashboard.get': async (ctx, input) => getDashboard(ctx, input.date ?? today(ctx.clock)),
  'dashboard.places': async (ctx, input) => placeDailyStats(ctx, { ...input, date: input.date ?? today(ctx.clock) }),
};

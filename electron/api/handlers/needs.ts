// Handlers of the special-needs channels: each maps validated input to one domain call.
import type { needsContract } from '../contract/needs.ts';
import type { HandlersFor } from './types.ts';
import { today } from '../../domain/clock.ts';
import { setResidentNeeds } from '../../domain/needs.ts';
import { createNeedSchedule, listNeedSchedules, runNeedSchedules, updateNeedSchedule } from '../../domain/need-schedules.ts';

export const needsHandlers: HandlersFor<typeof needsContract> = {
  'needs.set': async (ctx, input) => setResidentNeeds(ctx, input),
  'needs.schedules': async (ctx, input) => listNeedSchedules(ctx, input.residentId),
  'needs.createSchedule': async (ctx, input) => createNeedSchedule(ctx, input),
  'needs.updateSchedule': async (ctx, input) => updateNeedSchedule(ctx, input),
  'needs.runSchedules': async (ctx, input) => runNeedSchedules(ctx, input.date ?? today(ctx.clock)),
};

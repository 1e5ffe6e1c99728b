// Handlers of the field-work channels: 包联组, the duty roster, door visits and a cadre's own tasks.
import type { fieldworkContract } from '../contract/fieldwork.ts';
import type { HandlersFor } from './types.ts';
import { createGroup, createShifts, deleteShift, listGroups, listShifts, updateGroup } from '../../domain/fieldwork.ts';
import { listVisits, planVisits, recordVisit, setFollowUp } from '../../domain/visits.ts';
import { myDeliver, myRecordVisit, myTasks } from '../../domain/fieldwork-mine.ts';

export const fieldworkHandlers: HandlersFor<typeof fieldworkContract> = {
  'cadreGroups.list': async (ctx, input) => listGroups(ctx, input),
  'cadreGroups.create': async (ctx, input) => createGroup(ctx, input),
  'cadreGroups.update': async (ctx, input) => updateGroup(ctx, input),
  'shifts.list': async (ctx, input) => listShifts(ctx, input),
  'shifts.create': async (ctx, input) => createShifts(ctx, input),
  'shifts.delete': async (ctx, input) => deleteShift(ctx, input.id),
  'visits.list': async (ctx, input) => listVisits(ctx, input),
  'visits.plan': async (ctx, input) => planVisits(ctx, input),
  'visits.record': async (ctx, input) => recordVisit(ctx, input),
  'visits.followUp': async (ctx, input) => setFollowUp(ctx, input),
  'mine.tasks': async (ctx, input) => myTasks(ctx, input),
  'mine.recordVisit': async (ctx, input) => myRecordVisit(ctx, input),
  'mine.deliver': async (ctx, input) => myDeliver(ctx, input),
};

// Channels of the cadres' field work (issue 14 §4): 包联组, the duty roster (shifts per day and post), door visits
// (plan, record, follow up), and a cadre's own tasks (我的任务: the `cadre` role's only channels besides the session's).
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate, text, version } from './common.ts';
import { CADRE_POSTS, VISIT_RESULTS } from '../../shared/enums.ts';
import { TEXT_MAX } from '../../shared/limits.ts';
import type { GroupRow, ShiftRow } from '../../domain/fieldwork.ts';
import type { VisitRow } from '../../domain/visits.ts';
import type { MyTasks } from '../../domain/fieldwork-mine.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, k('fieldwork.timeBad'));
const post = z.enum(CADRE_POSTS);
const result = z.enum(VISIT_RESULTS);
const note = text(TEXT_MAX.notes).nullish();

/** A group's members change the roster's rows (their group) as well as the group list. */
const GROUP_DEPENDENTS = ['cadreGroups.list', 'mine.tasks'] as const;
const SHIFT_DEPENDENTS = ['shifts.list', 'mine.tasks'] as const;
const VISIT_DEPENDENTS = ['visits.list', 'mine.tasks'] as const;
/** A delivery marked by its cadre: every view of requests, as the office's own moves. */
const DELIVERY_DEPENDENTS = ['mine.tasks', 'supplies.list', 'supplies.board', 'supplies.get', 'supplies.runSheet', 'dashboard.get', 'dashboard.places', 'cadres.list', 'residents.get'] as const;

const groupFields = {
  name: text(TEXT_MAX.placeName).min(1, k('fieldwork.groupNameRequired')),
  homeUnit: text(TEXT_MAX.placeName).min(1, k('rule.homeUnitRequired')),
  communityId: id,
  leaderId: id.nullish(),
  memberIds: z.array(id).max(200).optional(),
  notes: note,
};

const visitRecord = { id, version, result, note, followUpNote: note };

export const fieldworkContract = {
  // --- 包联组
  'cadreGroups.list': channel<GroupRow[]>()(z.object({ communityId: id.optional() }).strict(), 'cadres.read'),
  'cadreGroups.create': channel<{ id: number; version: number }>()(z.object(groupFields).strict(), 'cadres.write', { invalidates: GROUP_DEPENDENTS }),
  'cadreGroups.update': channel<{ id: number; version: number }>()(z.object({ id, version, ...groupFields }).strict(), 'cadres.write', { invalidates: GROUP_DEPENDENTS }),

  // --- the duty roster
  'shifts.list': channel<ShiftRow[]>()(
    z.object({ from: isoDate, to: isoDate, communityId: id.optional(), post: post.optional(), cadreId: id.optional() }).strict(),
    'cadres.read',
  ),
  'shifts.create': channel<{ ids: number[] }>()(
    z.object({ cadreIds: z.array(id).min(1, k('fieldwork.pickCadres')).max(200), date: isoDate, startTime: hhmm, endTime: hhmm, post, place: text(60).min(1, k('fieldwork.placeRequired')), notes: note }).strict(),
    'duty.write',
    { invalidates: SHIFT_DEPENDENTS },
  ),
  'shifts.delete': channel<{ id: number }>()(z.object({ id }).strict(), 'duty.write', { invalidates: SHIFT_DEPENDENTS }),

  // --- door visits
  'visits.list': channel<VisitRow[]>()(
    z
      .object({
        from: isoDate.optional(),
        to: isoDate.optional(),
        status: z.enum(['open', 'done', 'followUp', 'all']).optional(),
        communityId: id.optional(),
        cadreId: id.optional(),
        householdId: id.optional(),
      })
      .strict(),
    'cadres.read',
  ),
  'visits.plan': channel<{ ids: number[] }>()(
    z.object({ cadreId: id, householdIds: z.array(id).min(1, k('fieldwork.pickHouseholds')).max(300), date: isoDate }).strict(),
    'duty.write',
    { invalidates: VISIT_DEPENDENTS },
  ),
  'visits.record': channel<{ id: number; version: number }>()(z.object(visitRecord).strict(), 'duty.write', { invalidates: VISIT_DEPENDENTS }),
  'visits.followUp': channel<{ id: number; version: number }>()(z.object({ id, version, done: z.boolean(), followUpNote: note }).strict(), 'duty.write', { invalidates: VISIT_DEPENDENTS }),

  // --- a cadre's own tasks (the `cadre` role)
  'mine.tasks': channel<MyTasks>()(z.object({ date: isoDate.optional() }).strict(), 'tasks.own'),
  'mine.recordVisit': channel<{ id: number; version: number }>()(z.object(visitRecord).strict(), 'tasks.own', { invalidates: [...VISIT_DEPENDENTS, 'cadres.list'] }),
  'mine.deliver': channel<{ id: number; version: number }>()(z.object({ id, version, note }).strict(), 'tasks.own', { invalidates: DELIVERY_DEPENDENTS }),
};

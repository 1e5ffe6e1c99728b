// Channels for special needs (特殊需求): a person's flags, their recurring-need schedules (定期需求) and running them.
import { z } from 'zod';
import { channel } from '../define.ts';
import { id, isoDate, text, version } from './common.ts';
import { NEED_SCHEDULE_KINDS, NEEDS } from '../../shared/enums.ts';
import { TEXT_MAX } from '../../shared/limits.ts';
import type { NeedsSaved } from '../../domain/needs.ts';
import type { NeedScheduleView, ScheduleRunResult } from '../../domain/need-schedules.ts';

/** A person's flags show in every list of people, the due list, the drawer and the dashboard's counts. */
const NEEDS_DEPENDENTS = ['residents.list', 'residents.get', 'checkins.due', 'dashboard.get'] as const;
/** What a run creates: supply requests (every view of them) and the schedules' last run. */
const RUN_DEPENDENTS = ['needs.schedules', 'supplies.list', 'supplies.board', 'supplies.runSheet', 'dashboard.get', 'dashboard.places', 'residents.get'] as const;

const flag = z.object({ need: z.enum(NEEDS), note: text(100).nullish() }).strict();
const scheduleFields = {
  kind: z.enum(NEED_SCHEDULE_KINDS),
  items: text(2000),
  weekdays: z.array(z.number().int().min(1).max(7)).max(7),
  time: text(5).nullish(),
  startDate: isoDate,
  endDate: isoDate.nullish(),
  active: z.boolean().optional(),
  notes: text(TEXT_MAX.notes).nullish(),
};

export const needsContract = {
  /** Replaces a person's flags (an empty list clears them); version-checked on the person, audited. */
  'needs.set': channel<NeedsSaved>()(z.object({ residentId: id, version, needs: z.array(flag).max(20) }).strict(), 'residents.write', { invalidates: NEEDS_DEPENDENTS }),
  'needs.schedules': channel<NeedScheduleView[]>()(z.object({ residentId: id }).strict(), 'residents.read'),
  'needs.createSchedule': channel<NeedScheduleView>()(z.object({ residentId: id, ...scheduleFields }).strict(), 'supplies.write', { invalidates: ['needs.schedules', 'residents.get'] }),
  'needs.updateSchedule': channel<NeedScheduleView>()(
    z.object({ id, version, ...Object.fromEntries(Object.entries(scheduleFields).map(([k, v]) => [k, v.optional()])) }).strict() as unknown as z.ZodType<
      { id: number; version: number } & Partial<{ [K in keyof typeof scheduleFields]: z.output<(typeof scheduleFields)[K]> }>
    >,
    'supplies.write',
    { invalidates: ['needs.schedules', 'residents.get'] },
  ),
  /** Creates the requests the schedules in the caller's scope owe for a date (default today); never twice. */
  'needs.runSchedules': channel<ScheduleRunResult>()(z.object({ date: isoDate.optional() }).strict(), 'supplies.write', { invalidates: RUN_DEPENDENTS }),
};

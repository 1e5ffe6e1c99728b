// Channels of the daily work: check-ins (record, correct, due list), test results, alerts and the dashboard.
import { z } from 'zod';
import { channel } from '../define.ts';
import { id, isoDate, paging, text, version } from './common.ts';
import type { CheckinResult, DueList } from '../../domain/checkins.ts';
import type { TestRecorded } from '../../domain/tests.ts';
import type { AlertRow } from '../../domain/alerts.ts';
import type { Page } from '../../domain/residents.ts';
import type { Dashboard, SlotCounts } from '../../domain/dashboard.ts';
import type { Alert } from '../../db/schema.ts';

/**
 * What a check-in (new or corrected) makes stale: the due lists (the 今日监测 page updates its own row from the answer
 * instead of reloading the list), the slot's counts, the person, the dashboard; the open alerts only when it opened one.
 */
const CHECKIN_DEPENDENTS = [
  'checkins.due',
  'checkins.counts',
  'residents.list',
  'residents.get',
  'dashboard.get',
  { channel: 'alerts.list', if: (r: CheckinResult) => r.alertId !== null },
] as const;

const slot = z.enum(['am', 'pm']);
const testType = z.enum(['核酸', '抗原']);
const testResult = z.enum(['阴性', '阳性', '待出结果']);
const checkinFields = {
  temperature: z.number().min(34, '体温不能低于 34℃').max(43, '体温不能高于 43℃').nullish(),
  symptoms: z.array(z.enum(['发热', '咳嗽', '咽痛', '乏力', '嗅味觉减退', '腹泻', '其他'])).max(7),
  symptomOther: text(100).nullish(),
  testType: testType.nullish(),
  testResult: testResult.nullish(),
  healthCode: z.enum(['绿', '黄', '红']).nullish(),
  contactMethod: z.enum(['电话', '微信', '上门']).nullish(),
  notes: text(500).nullish(),
};

export const dailyContract = {
  'checkins.record': channel<CheckinResult>()(
    z.object({ residentId: id, date: isoDate, slot, ...checkinFields, symptoms: checkinFields.symptoms.default([]) }).strict(),
    'checkins.write',
    { invalidates: CHECKIN_DEPENDENTS },
  ),
  'checkins.correct': channel<CheckinResult>()(z.object({ id, version, ...checkinFields, symptoms: checkinFields.symptoms.optional() }).strict(), 'checkins.write', { invalidates: CHECKIN_DEPENDENTS }),
  'checkins.due': channel<DueList>()(
    z
      .object({
        date: isoDate.optional(),
        slot,
        communityId: id.optional(),
        compoundId: id.optional(),
        offset: paging.offset,
        limit: paging.limit,
      })
      .strict(),
    'residents.read',
  ),
  /** The counter of one slot (应报 / 已报 / 未报) without its list; date and slot default to the office's today and current slot. */
  'checkins.counts': channel<SlotCounts>()(
    z.object({ date: isoDate.optional(), slot: slot.optional(), communityId: id.optional(), compoundId: id.optional() }).strict(),
    'residents.read',
  ),
  'tests.record': channel<TestRecorded>()(z.object({ residentId: id, sampleDate: isoDate, testType, result: testResult }).strict(), 'checkins.write', {
    invalidates: ['residents.list', 'residents.get', 'episodes.releaseCheck', 'dashboard.get', { channel: 'alerts.list', if: (r) => r.alertId !== null }],
  }),
  'alerts.list': channel<Page<AlertRow>>()(
    z.object({ status: z.enum(['open', 'closed']).optional(), communityId: id.optional(), residentId: id.optional(), ...paging }).strict(),
    'residents.read',
  ),
  'alerts.close': channel<Alert>()(
    z.object({ id, version, action: z.enum(['上报', '送医', '复测正常', '转运', '其他']), note: text(500).nullish() }).strict(),
    'alerts.write',
    { invalidates: ['alerts.list', 'dashboard.get', 'residents.list', 'residents.get'] },
  ),
  'dashboard.get': channel<Dashboard>()(z.object({ date: isoDate.optional() }).strict(), 'dashboard.read'),
};

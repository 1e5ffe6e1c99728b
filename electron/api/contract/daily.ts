// Channels of the daily work: check-ins (record, correct, due list), test results, alerts and the dashboard.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate, paging, text, version } from './common.ts';
import type { CheckinResult, DueList } from '../../domain/checkins.ts';
import type { TestRecorded } from '../../domain/tests.ts';
import type { AlertRow } from '../../domain/alerts.ts';
import type { Page } from '../../domain/residents.ts';
import type { Dashboard } from '../../domain/dashboard.ts';
import type { Alert } from '../../db/schema.ts';

const slot = z.enum(['am', 'pm']);
const testType = z.enum(['核酸', '抗原']);
const testResult = z.enum(['阴性', '阳性', '待出结果']);
const checkinFields = {
  temperature: z.number().min(34, k('rule.temperatureLow')).max(43, k('rule.temperatureHigh')).nullish(),
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
  ),
  'checkins.correct': channel<CheckinResult>()(z.object({ id, version, ...checkinFields, symptoms: checkinFields.symptoms.optional() }).strict(), 'checkins.write'),
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
  'tests.record': channel<TestRecorded>()(z.object({ residentId: id, sampleDate: isoDate, testType, result: testResult }).strict(), 'checkins.write'),
  'alerts.list': channel<Page<AlertRow>>()(
    z.object({ status: z.enum(['open', 'closed']).optional(), communityId: id.optional(), residentId: id.optional(), ...paging }).strict(),
    'residents.read',
  ),
  'alerts.close': channel<Alert>()(
    z.object({ id, version, action: z.enum(['上报', '送医', '复测正常', '转运', '其他']), note: text(500).nullish() }).strict(),
    'alerts.write',
  ),
  'dashboard.get': channel<Dashboard>()(z.object({ date: isoDate.optional() }).strict(), 'dashboard.read'),
};

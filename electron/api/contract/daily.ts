// Channels of the daily work: check-ins (record, correct, due list), test results, alerts and the dashboard.
import { z } from 'zod';
import { channel } from '../define.ts';
import { id, isoDate, paging, text, version } from './common.ts';
import { ALERT_ACTIONS, ALERT_STATUSES, CONTACT_METHODS, HEALTH_CODES, SLOTS, SYMPTOMS, TEST_RESULTS, TEST_TYPES } from '../../shared/enums.ts';
import { DUE_PAGE_MAX, TEXT_MAX } from '../../shared/limits.ts';
import { temperatureProblem } from '../../shared/checkins.ts';
import type { CheckinResult, DueList, DueRow } from '../../domain/checkins.ts';
import type { NeedFlag } from '../../domain/needs.ts';

import type { BatchPreview, BatchResult, BatchUndoResult, CheckinBatchRow } from '../../domain/checkins-batch.ts';
import { BATCH_MAX } from '../../shared/limits.ts';
import type { DueGroups } from '../../domain/checkins-groups.ts';
import type { TestRecorded } from '../../domain/tests.ts';
import type { AlertRow } from '../../domain/alerts.ts';
import type { Page } from '../../domain/residents-list.ts';
import type { Dashboard, SlotCounts } from '../../domain/dashboard.ts';
import type { PlaceDailyStats } from '../../domain/dashboard-places.ts';
import type { Alert } from '../../db/schema.ts';

/** The due list with each person's special needs (特殊需求), the marks next to their names. */
type DueListWithNeeds = Omit<DueList, 'rows'> & { rows: (DueRow & { needs: NeedFlag[] })[] };

/**
 * What a check-in (new or corrected) makes stale: the due lists (the 今日监测 page updates its own row from the answer
 * instead of reloading the list), the slot's counts, the person, the dashboard; the open alerts only when it opened one.
 */
const CHECKIN_DEPENDENTS = [
  'checkins.due',
  'checkins.counts',
  'checkins.groups',
  'residents.list',
  'residents.get',
  'dashboard.get', 'dashboard.places',
  { channel: 'alerts.list', if: (r: CheckinResult) => r.alertId !== null },
] as const;

const slot = z.enum(SLOTS);
const testType = z.enum(TEST_TYPES);
const testResult = z.enum(TEST_RESULTS);
const checkinFields = {
  // The same rule as the domain (shared/checkins.ts): outside 34–43 ℃ a typing slip, below 35 ℃ a re-measurement.
  temperature: z
    .number()
    .superRefine((t, ctx) => {
      const problem = temperatureProblem(t);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.key, params: problem.params });
    })
    .nullish(),
  symptoms: z.array(z.enum(SYMPTOMS)).max(SYMPTOMS.length),
  symptomOther: text(TEXT_MAX.symptomOther).nullish(),
  testType: testType.nullish(),
  testResult: testResult.nullish(),
  healthCode: z.enum(HEALTH_CODES).nullish(),
  contactMethod: z.enum(CONTACT_METHODS).nullish(),
  notes: text(TEXT_MAX.notes).nullish(),
};

export const dailyContract = {
  'checkins.record': channel<CheckinResult>()(
    z.object({ residentId: id, date: isoDate, slot, ...checkinFields, symptoms: checkinFields.symptoms.default([]) }).strict(),
    'checkins.write',
    { invalidates: CHECKIN_DEPENDENTS },
  ),
  'checkins.correct': channel<CheckinResult>()(z.object({ id, version, ...checkinFields, symptoms: checkinFields.symptoms.optional() }).strict(), 'checkins.write', { invalidates: CHECKIN_DEPENDENTS }),
  'checkins.due': channel<DueListWithNeeds>()(
    z
      .object({
        date: isoDate.optional(),
        slot,
        communityId: id.optional(),
        compoundId: id.optional(),
        buildingId: id.optional(),
        unitId: id.optional(),
        search: text(TEXT_MAX.placeName).optional(),
        onlyMissing: z.boolean().optional(),
        onlyAbnormal: z.boolean().optional(),
        offset: paging.offset,
        limit: z.number().int().min(1).max(DUE_PAGE_MAX).optional(),
      })
      .strict(),
    'residents.read',
  ),
  /**
   * The due list's groups with their counts, in the list's order; scoped like it: every building (the jump list), and
   * the units of `buildingIds` (the page's buildings; every unit when absent).
   */
  'checkins.groups': channel<DueGroups>()(
    z.object({ date: isoDate.optional(), slot, communityId: id.optional(), compoundId: id.optional(), buildingIds: z.array(id).max(DUE_PAGE_MAX).optional() }).strict(),
    'residents.read',
  ),
  /** The counter of one slot (应报 / 已报 / 未报) without its list; date and slot default to the office's today and current slot. */
  'checkins.counts': channel<SlotCounts>()(
    z.object({ date: isoDate.optional(), slot: slot.optional(), communityId: id.optional(), compoundId: id.optional() }).strict(),
    'residents.read',
  ),
  /** Whole-building entry, step 1: who in the building or unit is due for the slot and not yet recorded. */
  'checkins.batchPreview': channel<BatchPreview>()(z.object({ date: isoDate.optional(), slot, placeId: id }).strict(), 'residents.read'),
  /** Step 2: records 正常 for the confirmed people still unrecorded (one audit record; undoable within the slot). */
  'checkins.recordBatch': channel<BatchResult>()(
    z.object({ date: isoDate, slot, placeId: id, residentIds: z.array(id).min(1).max(BATCH_MAX) }).strict(),
    'checkins.write',
    { invalidates: ['checkins.due', 'checkins.counts', 'checkins.groups', 'checkins.batches', 'residents.list', 'residents.get', 'dashboard.get', 'dashboard.places'] },
  ),
  'checkins.undoBatch': channel<BatchUndoResult>()(z.object({ batchId: id }).strict(), 'checkins.write', {
    invalidates: ['checkins.due', 'checkins.counts', 'checkins.groups', 'checkins.batches', 'residents.list', 'residents.get', 'dashboard.get', 'dashboard.places'],
  }),
  /** The whole-building entries of a date (and slot) in scope, newest first. */
  'checkins.batches': channel<CheckinBatchRow[]>()(z.object({ date: isoDate.optional(), slot: slot.optional() }).strict(), 'residents.read'),
  'tests.record': channel<TestRecorded>()(z.object({ residentId: id, sampleDate: isoDate, testType, result: testResult }).strict(), 'checkins.write', {
    invalidates: ['residents.list', 'residents.get', 'episodes.releaseCheck', 'dashboard.get', 'dashboard.places', { channel: 'alerts.list', if: (r) => r.alertId !== null }],
  }),
  'alerts.list': channel<Page<AlertRow>>()(
    z.object({ status: z.enum(ALERT_STATUSES).optional(), communityId: id.optional(), compoundId: id.optional(), buildingId: id.optional(), residentId: id.optional(), ...paging }).strict(),
    'residents.read',
  ),
  'alerts.close': channel<Alert>()(
    z.object({ id, version, action: z.enum(ALERT_ACTIONS), note: text(TEXT_MAX.notes).nullish() }).strict(),
    'alerts.write',
    { invalidates: ['alerts.list', 'dashboard.get', 'dashboard.places', 'residents.list', 'residents.get'] },
  ),
  'dashboard.get': channel<Dashboard>()(z.object({ date: isoDate.optional() }).strict(), 'dashboard.read'),
  /** The drill-down: per compound of a community, or per building of a compound. */
  'dashboard.places': channel<PlaceDailyStats>()(z.object({ date: isoDate.optional(), communityId: id.optional(), compoundId: id.optional() }).strict(), 'dashboard.read'),
};

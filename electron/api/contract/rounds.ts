// Channels of test rounds (全员核酸): the rounds, one round's coverage by community › compound › building (live), the
// 未检 people of a building (paged) and their print-ready sheet, exemptions. A round's result list is imported through
// the import channels with its roundId (contract/imports.ts).
import { z } from 'zod';
import { channel } from '../define.ts';
import { id, isoDate, paging, text } from './common.ts';
import { ROUND_EXEMPT_REASONS } from '../../shared/enums.ts';
import type { CreatedRound, ExemptionRow, RoundListRow, RoundView } from '../../domain/rounds.ts';
import type { RoundCoverage, UntestedPage } from '../../domain/rounds-coverage.ts';
import type { RoundReportFile } from '../../excel/export/round-report.ts';

export type { CreatedRound, ExemptionRow, RoundListRow, RoundView, RoundCoverage, UntestedPage, RoundReportFile };

const round = { roundId: id };
const STALE = ['rounds.list', 'rounds.coverage', 'rounds.untested', 'rounds.exemptions'] as const;

export const roundsContract = {
  'rounds.list': channel<RoundListRow[]>()(z.object({ limit: z.number().int().min(1).max(200).optional() }).strict(), 'residents.read'),
  'rounds.create': channel<CreatedRound>()(
    z
      .object({
        startDate: isoDate,
        endDate: isoDate.optional(),
        name: text(60).optional(),
        communityIds: z.array(id).max(200).optional(),
        /** The community by name (the command line's --community). */
        community: z.string().trim().min(1).max(60).optional(),
      })
      .strict(),
    'rounds.write',
    { invalidates: STALE },
  ),
  'rounds.close': channel<RoundView>()(z.object(round).strict(), 'rounds.write', { invalidates: STALE }),
  'rounds.coverage': channel<RoundCoverage>()(z.object(round).strict(), 'residents.read'),
  'rounds.untested': channel<UntestedPage>()(z.object({ ...round, buildingId: id, offset: paging.offset, limit: paging.limit }).strict(), 'residents.read'),
  'rounds.exemptions': channel<ExemptionRow[]>()(z.object(round).strict(), 'residents.read'),
  'rounds.exempt': channel<{ id: number }>()(
    z.object({ ...round, residentId: id, reason: z.enum(ROUND_EXEMPT_REASONS), note: text(200).nullish() }).strict(),
    'rounds.write',
    { invalidates: STALE },
  ),
  'rounds.unexempt': channel<{ removed: true }>()(z.object({ ...round, residentId: id }).strict(), 'rounds.write', { invalidates: STALE }),
  /** The 未检 sheet of one building (.xlsx bytes), audited. */
  'rounds.exportUntested': channel<{ fileName: string; dataBase64: string; rows: number }>()(z.object({ ...round, buildingId: id }).strict(), 'reports.export', { write: true, changesNoData: true }),
  /** 核酸检测轮次报告 of one round (.xlsx bytes: 按小区 and 按楼栋, the numbers of rounds.coverage), audited. */
  'rounds.exportReport': channel<RoundReportFile & { dataBase64: string }>()(z.object(round).strict(), 'reports.export', { write: true, changesNoData: true }),
};

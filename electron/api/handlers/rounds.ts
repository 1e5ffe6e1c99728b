// Handlers of the test-round channels: each maps validated input to one domain call (scope is checked in the
// domain); the 未检 sheet is written by the Excel writer to a temporary file, read back, deleted, and audited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { roundsContract } from '../contract/rounds.ts';
import type { HandlersFor } from './types.ts';
import { addExemption, closeRound, createRound, listExemptions, listRounds, removeExemption } from '../../domain/rounds.ts';
import { roundCoverage, untestedList } from '../../domain/rounds-coverage.ts';
import { audit } from '../../domain/audit.ts';
import { writeUntestedSheet } from '../../excel/export/untested.ts';
import { ROUND_REPORT_TITLE, writeRoundReport } from '../../excel/export/round-report.ts';

export const roundsHandlers: HandlersFor<typeof roundsContract> = {
  'rounds.list': async (ctx, input) => listRounds(ctx, input),
  'rounds.create': async (ctx, input) => createRound(ctx, input),
  'rounds.close': async (ctx, input) => closeRound(ctx, input),
  'rounds.coverage': async (ctx, input) => roundCoverage(ctx, input),
  'rounds.untested': async (ctx, input) => untestedList(ctx, input),
  'rounds.exemptions': async (ctx, input) => listExemptions(ctx, input),
  'rounds.exempt': async (ctx, input) => addExemption(ctx, { ...input, note: input.note ?? null }),
  'rounds.unexempt': async (ctx, input) => removeExemption(ctx, input),
  'rounds.exportUntested': async (ctx, input) => {
    const file = path.join(os.tmpdir(), `idesk-untested-${randomBytes(8).toString('hex')}.xlsx`);
    try {
      const sheet = await writeUntestedSheet(ctx, input, file);
      const data = await fs.promises.readFile(file);
      await audit(ctx, { action: 'round.export_untested', entity: 'test_round', entityId: input.roundId, extra: { buildingId: input.buildingId, title: sheet.title, rows: sheet.rows } });
      return { fileName: sheet.fileName, dataBase64: data.toString('base64'), rows: sheet.rows };
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  },
  // Audited as every report export is ('report.export'): counts only, nothing to mask.
  'rounds.exportReport': async (ctx, input) => {
    const file = path.join(os.tmpdir(), `idesk-round-report-${randomBytes(8).toString('hex')}.xlsx`);
    try {
      const report = await writeRoundReport(ctx, input, file);
      const data = await fs.promises.readFile(file);
      await audit(ctx, {
        action: 'report.export',
        entity: 'report',
        extra: {
          report: 'round-report',
          title: ROUND_REPORT_TITLE,
          roundId: input.roundId,
          communityId: report.communityId,
          masked: true,
          rows: report.compounds + report.buildings,
          fileName: report.fileName,
        },
      });
      return { ...report, dataBase64: data.toString('base64') };
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  },
};

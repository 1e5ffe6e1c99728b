// Channels of the import wizard: upload a list, preview it (mapping, counts, every problem, new places), commit it
// as a job (progress via 'jobs.status'), fetch the error report, list batches and undo one.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { id, isoDate, paging } from './common.ts';
import type { ImportPreview } from '../../excel/import/run.ts';
import type { BatchRow, UndoResult } from '../../excel/import/batches.ts';
import type { ImportSummary } from '../../excel/import/commit.ts';
import type { TestImportSummary } from '../../excel/import/tests.ts';
import type { RoundImportSummary } from '../../excel/import/round-tests.ts';
import type { RowIssue } from '../../excel/import/issues.ts';

/** What an import.commit job answers on 'jobs.status' when it succeeded (residents or test results). */
export type ImportCommitResult = ImportSummary | TestImportSummary | RoundImportSummary;
export type { ImportSummary, TestImportSummary, RoundImportSummary, RowIssue };

const FIELDS = [
  'name',
  'docNumber',
  'phone',
  'sex',
  'community',
  'compound',
  'building',
  'unit',
  'room',
  'address',
  'startDate',
  'notes',
  'docType',
  'category',
  'birthDate',
  'guardian',
  'needs',
  'seq',
  'sampleDate',
  'testType',
  'result',
  'tube',
] as const;

/** field → header text or 1-based column number; null = do not read that field. */
const mapping = z.partialRecord(z.enum(FIELDS), z.union([z.string().trim().max(100), z.number().int().min(1).max(1000), z.null()]));

/** The clerk's explicit choices (excel/import/confirm.ts): new communities to create, a stale list's people, a foreign title. */
const confirm = z
  .object({
    createCommunities: z.array(z.string().trim().min(1).max(60)).max(200).optional(),
    stale: z.enum(['import-ended', 'import-active']).optional(),
    otherSubdistrict: z.boolean().optional(),
  })
  .strict();

const listOptions = {
  fileId: z.string().uuid(k('rule.fileId')),
  kind: z.enum(['residents', 'tests']),
  sheet: z.string().max(100).optional(),
  mapping: mapping.optional(),
  communityId: id.optional(),
  /** The same by name (the command line's --community). */
  community: z.string().trim().min(1).max(60).optional(),
  startDate: isoDate.optional(),
  /** A test-result list of a test round (kind 'tests'): matched to everyone in the round's scope. */
  roundId: id.optional(),
  confirm: confirm.optional(),
};

/** Base64 of at most 500 MB (the largest importMaxFileMb allows); the setting's own limit is checked in the handler. */
const MAX_BASE64 = Math.ceil((500 * 1024 * 1024 * 4) / 3) + 4;

export const importsContract = {
  'import.upload': channel<{ fileId: string; fileName: string; bytes: number }>()(
    z.object({ fileName: z.string().trim().min(1, k('rule.fileNameRequired')).max(200), dataBase64: z.string().max(MAX_BASE64, k('rule.fileTooLarge')) }).strict(),
    'import.run',
    { write: true },
  ),
  'import.preview': channel<ImportPreview>()(z.object(listOptions).strict(), 'import.run'),
  'import.commit': channel<{ jobId: string }>()(z.object({ ...listOptions, mode: z.enum(['all-or-nothing', 'valid-only']).default('all-or-nothing') }).strict(), 'import.run', { write: true }),
  'import.errorReport': channel<{ fileName: string; dataBase64: string; rows: number }>()(z.object(listOptions).strict(), 'import.run'),
  /** The clerk cancelled or left the import: the uploaded file (and a kept error report) is deleted now. */
  'import.cancel': channel<{ deleted: boolean }>()(z.object({ fileId: listOptions.fileId }).strict(), 'import.run', { write: true }),
  'import.batches': channel<{ rows: BatchRow[]; total: number }>()(z.object({ offset: paging.offset, limit: paging.limit }).strict(), 'import.run'),
  'import.undo': channel<UndoResult>()(z.object({ batchId: id }).strict(), 'import.run', {
    invalidates: ['import.batches', 'places.communities', 'places.buildings', 'residents.list', 'residents.get', 'dashboard.get', 'dashboard.places', 'checkins.due', 'checkins.counts', 'checkins.groups', 'households.search'],
  }),
};

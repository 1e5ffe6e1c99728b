// The import as the wizard, the CLI and the jobs call it: read the file → analyse → preview, commit, or error report.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Ctx } from '../../domain/context.ts';
import { today } from '../../domain/clock.ts';
import { forbidden, invalid } from '../../shared/errors.ts';
import { msg } from '../../shared/messages/index.ts';
import { scopeOf } from '../../domain/actor.ts';
import { getSettings } from '../../domain/settings.ts';
import { cleanPlaceName, getOrgRoot } from '../../domain/places.ts';
import { isIsoDate } from '../../domain/dates.ts';
import type { JobProgress } from '../../shared/progress.ts';
import { assertImportable, FileUnreadable, readTable, type Table } from '../read.ts';
import { analyseResidents, type MappingView, type ResidentAnalysis } from './residents.ts';
import { analyseTests, planTests, commitTests, type TestAnalysis, type TestImportSummary } from './tests.ts';
import { planResidents } from './plan.ts';
import { commitRoundTests, openRound, planRoundTests, type RoundImportSummary } from './round-tests.ts';
import { guardiansInDatabase } from './guardians.ts';
import { commitResidents, type CommitHooks, type ImportMode, type ImportSummary } from './commit.ts';
import type { RowIssue } from './issues.ts';
import { confirmedNames, type ImportConfirm, type ImportConfirmations } from './confirm.ts';
import { confirmationsOf } from './confirm-check.ts';

export type ImportKind = 'residents' | 'tests';

export interface ImportRequest {
  /** Where the file is on disk. */
  file: string;
  /** The name the user gave it (its extension picks the reader; it is recorded in the batch). */
  fileName: string;
  kind: ImportKind;
  sheet?: string;
  mapping?: Record<string, string | number | null>;
  /** The community for rows naming none: by id (wizard) or name (CLI). */
  communityId?: number;
  community?: string;
  startDate?: string;
  /** A test-result list of a test round (全员核酸): matched to everyone in the round's scope, not only the isolated. */
  roundId?: number;
  mode?: ImportMode;
  /** The clerk's choices for what a list may only do when confirmed (confirm.ts): preview and commit take the same. */
  confirm?: ImportConfirm;
}

export interface PreviewBase {
  fileName: string;
  sheetName: string;
  sheetNames: string[];
  /** Sheets hidden in Excel: listed in the picker, marked, never the default. */
  hiddenSheets: string[];
  headerRow: number;
  title: string;
  mapping: MappingView[];
  errors: RowIssue[];
  warnings: RowIssue[];
}

export interface ResidentPreview extends PreviewBase {
  kind: 'residents';
  titleCommunity: string | null;
  counts: { dataRows: number; blankRows: number; valid: number; rejected: number; create: number; update: number; skip: number; households: number; newHouseholds: number };
  newPlaces: { level: 'community' | 'compound'; name: string; community: string }[];
  /** What must be confirmed before the commit (a foreign title, a stale list, new communities) and what is still pending. */
  confirmations: ImportConfirmations;
}

export interface TestPreview extends PreviewBase {
  kind: 'tests';
  /** The round a round's list is imported into. */
  roundId?: number;
  counts: { dataRows: number; blankRows: number; valid: number; rejected: number; matched: number; unmatched: number; duplicates: number; positives: number };
  unmatched: RowIssue[];
}

export type ImportPreview = ResidentPreview | TestPreview;

export interface Hooks extends CommitHooks {
  progress?: (p: JobProgress) => void;
}

/** Reads the file with the size limit from settings; the size is checked before the file is read into memory. */
export async function loadImportTable(ctx: Pick<Ctx, 'db'>, req: Pick<ImportRequest, 'file' | 'fileName' | 'sheet'>): Promise<Table> {
  const { importMaxFileMb } = await getSettings(ctx);
  const maxBytes = importMaxFileMb * 1024 * 1024;
  let size: number;
  try {
    size = (await fs.stat(req.file)).size;
  } catch {
    throw new FileUnreadable('unreadable', msg('file.cannotOpen', { name: req.fileName }));
  }
  assertImportable(req.fileName, size, maxBytes);
  return readTable(await fs.readFile(req.file), { fileName: req.fileName, maxBytes, sheet: req.sheet });
}

async function analyse(ctx: Ctx, req: ImportRequest, table: Table): Promise<ResidentAnalysis | TestAnalysis> {
  const todayDate = today(ctx.clock);
  if (req.kind === 'tests') return analyseTests(table, { mapping: req.mapping }, { today: todayDate });
  if (req.startDate && (!isIsoDate(req.startDate) || req.startDate > todayDate)) throw invalid('import.startDateBad', { date: req.startDate });
  let community = req.community;
  if (req.communityId !== undefined) {
    const c = await ctx.db.selectFrom('places').select('name').where('id', '=', req.communityId).where('level', '=', 'community').executeTakeFirst();
    if (!c) throw invalid('places.noSuchCommunity');
    community = c.name;
  }
  // A committee member imports for their own community only: it is the default, and rows naming another are rejected.
  let onlyCommunity: string | undefined;
  const scope = scopeOf(ctx.actor);
  if (scope !== null) {
    const own = await ctx.db.selectFrom('places').select('name').where('id', '=', scope).where('level', '=', 'community').executeTakeFirst();
    if (!own) throw forbidden('import.noOwnCommunity');
    if (community !== undefined && cleanPlaceName(community) !== own.name) throw forbidden('import.ownCommunityOnly', { name: own.name });
    community = onlyCommunity = own.name;
  }
  const org = await getOrgRoot(ctx).catch(() => null);
  // Rows naming a community that does not exist are rejected unless the clerk confirmed creating it.
  const known = new Set((await ctx.db.selectFrom('places').select('name').where('level', '=', 'community').execute()).map((r) => r.name));
  const communities = { known, create: confirmedNames(req.confirm) };
  const a = analyseResidents(table, { mapping: req.mapping, community, startDate: req.startDate }, { today: todayDate, orgNames: org ? [org.district, org.subdistrict] : [], onlyCommunity, communities });
  // 监护人 not in the list: looked up among the residents (not found → the row is rejected).
  await guardiansInDatabase(ctx, a);
  return a;
}

async function readAndAnalyse(ctx: Ctx, req: ImportRequest, hooks: Hooks) {
  hooks.progress?.({ done: 0, total: 1, phase: '读取文件' });
  const table = await loadImportTable(ctx, req);
  hooks.checkCancelled?.();
  hooks.progress?.({ done: 0, total: 1, phase: '校验' });
  const analysis = await analyse(ctx, req, table);
  hooks.checkCancelled?.();
  return { table, analysis };
}

function base(req: ImportRequest, table: Table, a: ResidentAnalysis | TestAnalysis): PreviewBase {
  return { fileName: req.fileName, sheetName: a.sheetName, sheetNames: a.sheetNames, hiddenSheets: table.hiddenSheets ?? [], headerRow: a.headerRow, title: a.title, mapping: a.mapping, errors: a.errors, warnings: a.warnings };
}

export async function previewImport(ctx: Ctx, req: ImportRequest, hooks: Hooks = {}): Promise<ImportPreview> {
  const { table, analysis } = await readAndAnalyse(ctx, req, hooks);
  const common = { dataRows: analysis.dataRows, blankRows: analysis.blankRows, valid: analysis.people.length, rejected: analysis.rejectedRows.length };
  if (req.kind === 'tests') {
    const a = analysis as TestAnalysis;
    const plan = req.roundId === undefined ? await planTests(ctx, a.people) : await planRoundTests(ctx, await openRound(ctx, req.roundId), a.people);
    return {
      ...base(req, table, a),
      kind: 'tests',
      warnings: [...a.warnings, ...plan.warnings, ...plan.duplicates],
      counts: { ...common, matched: plan.matched.length, unmatched: plan.unmatched.length, duplicates: plan.duplicates.length, positives: plan.matched.filter((m) => m.result === '阳性').length },
      unmatched: plan.unmatched,
      ...(req.roundId === undefined ? {} : { roundId: req.roundId }),
    };
  }
  const a = analysis as ResidentAnalysis;
  const plan = await planResidents(ctx, a.people, { today: today(ctx.clock) });
  return {
    ...base(req, table, a),
    kind: 'residents',
    titleCommunity: a.titleCommunity,
    warnings: [...a.warnings, ...plan.warnings],
    counts: { ...common, create: plan.create.length, update: plan.update.length, skip: plan.skip.length, households: plan.households, newHouseholds: plan.newHouseholds! },
    newPlaces: plan.newPlaces,
    confirmations: confirmationsOf(a, plan.stale, req.confirm),
  };
}

export async function runImport(ctx: Ctx, req: ImportRequest, hooks: Hooks = {}): Promise<ImportSummary | TestImportSummary | RoundImportSummary> {
  // A closed or unknown round is refused before the file is read.
  if (req.kind === 'tests' && req.roundId !== undefined) await openRound(ctx, req.roundId);
  const { analysis } = await readAndAnalyse(ctx, req, hooks);
  const opts = { mode: req.mode ?? 'all-or-nothing', fileName: path.basename(req.fileName), confirm: req.confirm };
  if (req.kind === 'tests' && req.roundId !== undefined) return commitRoundTests(ctx, req.roundId, analysis as TestAnalysis, opts, hooks);
  if (req.kind === 'tests') return commitTests(ctx, analysis as TestAnalysis, opts, hooks);
  return commitResidents(ctx, analysis as ResidentAnalysis, opts, hooks);
}

/** The .xlsx of rows that would not be imported (rejected, and for test lists also the unmatched ones). */
export async function importErrorReport(ctx: Ctx, req: ImportRequest, hooks: Hooks = {}): Promise<{ fileName: string; data: Buffer; rows: number }> {
  const { table, analysis } = await readAndAnalyse(ctx, req, hooks);
  let issues = analysis.errors;
  if (req.kind === 'tests') {
    const people = (analysis as TestAnalysis).people;
    const plan = req.roundId === undefined ? await planTests(ctx, people) : await planRoundTests(ctx, await openRound(ctx, req.roundId), people);
    issues = [...issues, ...plan.unmatched];
  }
  // exceljs (and its many modules) is loaded only here: reading and importing do not need it.
  const { buildErrorReport } = await import('./error-report.ts');
  const data = await buildErrorReport(table, analysis.headerRow, issues);
  const stem = path.basename(req.fileName).replace(/\.[^.]+$/, '');
  return { fileName: `${stem}-未导入的行.xlsx`, data, rows: new Set(issues.map((i) => i.row).filter((r) => r !== null)).size };
}

// Day counting of isolation episodes: the start date is day 1; a 7-day isolation from 01-12 has lastDay 01-18 and releaseDate 01-19.
// Labels, period dates, planned test days, "day N of M", whether an episode covers a date.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { addDays, diffDays } from './dates.ts';
import { dayText } from '../shared/days.ts';
import type { CategoryPolicy } from './settings.ts';
import type { Episode, EpisodeKind, EpisodeStatus } from '../db/schema.ts';
import { EPISODE_KIND_LABELS as EPISODE_KIND_WORDS, EPISODE_STATUS_LABELS as EPISODE_STATUS_WORDS, labelsIn } from '../shared/labels.ts';

export const EPISODE_KIND_LABELS: Record<EpisodeKind, string> = labelsIn(EPISODE_KIND_WORDS, 'zh');
export const EPISODE_STATUS_LABELS: Record<EpisodeStatus, string> = labelsIn(EPISODE_STATUS_WORDS, 'zh');

/** lastDay and releaseDate of a period of `days` days starting on `start` (day 1). */
export function periodDates(start: string, days: number): { lastDay: string; releaseDate: string } {
  const lastDay = addDays(start, days - 1);
  return { lastDay, releaseDate: addDays(lastDay, 1) };
}

/** The policy's test days (1-based, 'last' resolved) within a home isolation of `days` days, as planned at its start. */
export function testDaysFor(policy: Pick<CategoryPolicy, 'testDays'>, days: number): number[] {
  return [...new Set(policy.testDays.map((d) => (d === 'last' ? days : d)).filter((d) => d <= days))].sort((a, b) => a - b);
}

/**
 * The test days of a home isolation re-planned to `days` days (extended, or changed to the current policy): the
 * policy's days for the new length ('last' now the new last day), and every earlier test day already due by today
 * — it was asked for then, and stays asked for. The previous list is kept in the audit record of the change.
 */
export function replannedTestDays(e: Pick<Episode, 'kind' | 'startDate' | 'testDays'>, policy: Pick<CategoryPolicy, 'testDays'>, days: number, todayDate: string): number[] {
  if (e.kind !== 'home_isolation') return JSON.parse(e.testDays) as number[];
  const due = (JSON.parse(e.testDays) as number[]).filter((d) => d <= days && addDays(e.startDate, d - 1) <= todayDate);
  return [...new Set([...due, ...testDaysFor(policy, days)])].sort((a, b) => a - b);
}

/** "第N天/共M天" numbers for a date. */
export function dayOf(e: Pick<Episode, 'startDate' | 'lastDay'>, date: string): { n: number; of: number } {
  return { n: diffDays(e.startDate, date) + 1, of: diffDays(e.startDate, e.lastDay) + 1 };
}

/** "第N天/共M天", or past the last day "超期 N 天（待解除）" (shared/days.ts). */
export function dayLabel(e: Pick<Episode, 'startDate' | 'lastDay'>, date: string): string {
  return dayText(dayOf(e, date));
}

/**
 * Whether an episode covers a date: started on or before it, and still running or ended after it. An episode released
 * on 01-19 no longer covers 01-19 (its follow-on monitoring does). `endDay: 'included'` counts the day it ended as
 * covered too: records of a release day (its morning temperature) and that day's roster still belong to it.
 */
export type EndDay = 'excluded' | 'included';

export function coversDate(e: Pick<Episode, 'startDate' | 'status' | 'endedOn'>, date: string, endDay: EndDay = 'excluded'): boolean {
  if (e.startDate > date) return false;
  if (e.status === 'active') return true;
  return e.endedOn !== null && (endDay === 'included' ? e.endedOn >= date : e.endedOn > date);
}

/** coversDate as a SQL condition on the episodes table named `e` in the query (an alias such as 'e', or 'episodes'). */
export function coversDateSql(e: string, date: string, endDay: EndDay = 'excluded'): RawBuilder<SqlBool> {
  const col = (c: string) => sql.ref(`${e}.${c}`);
  return sql<SqlBool>`(${col('startDate')} <= ${date} and (${col('status')} = 'active' or ${col('endedOn')} ${sql.raw(endDay === 'included' ? '>=' : '>')} ${date}))`;
}

// The database side of an import's confirmations (confirm.ts): who in an analysed list would start a period that is
// already over, what the preview shows to be confirmed, and the commit's check before anything is written.
import type { Ctx } from '../../domain/context.ts';
import { addDays } from '../../domain/dates.ts';
import { getSettings } from '../../domain/settings.ts';
import { fail } from '../../shared/errors.ts';
import { cleanPlaceName } from '../../domain/places.ts';
import type { ResidentAnalysis } from './residents.ts';
import { planResidents } from './plan.ts';
import { confirmationRequired, confirmedNames, summariseStale, type ImportConfirm, type ImportConfirmations, type StaleRow } from './confirm.ts';

/** What the clerk is asked to confirm for this list, given the stale rows a plan found and the choices made so far. */
export function confirmationsOf(a: ResidentAnalysis, stale: StaleRow[], confirm: ImportConfirm | undefined): ImportConfirmations {
  const pending: ImportConfirmations['pending'] = [];
  if (a.otherSubdistrict && !confirm?.otherSubdistrict) pending.push('otherSubdistrict');
  if (stale.length && !confirm?.stale) pending.push('stale');
  return { otherSubdistrict: a.otherSubdistrict, stale: summariseStale(stale), newCommunities: a.newCommunities, pending };
}

/**
 * The stale rows of a list, looked up only when some row could be stale at all: a start date whose period under the
 * longest policy has not ended by today needs no lookup (a current list costs nothing here).
 */
export async function staleRowsOf(ctx: Pick<Ctx, 'db'>, a: ResidentAnalysis, todayDate: string): Promise<StaleRow[]> {
  const settings = await getSettings(ctx);
  const longest = Math.max(settings.policy.isolationDays, ...Object.values(settings.categoryPolicies).map((p) => p.isolationDays));
  const ends = new Map<string, string>();
  const candidates = a.people.filter((p) => {
    let lastDay = ends.get(p.startDate);
    if (lastDay === undefined) ends.set(p.startDate, (lastDay = addDays(p.startDate, longest - 1)));
    return lastDay < todayDate;
  });
  if (!candidates.length) return [];
  return (await planResidents(ctx, candidates, { today: todayDate, newHouseholds: false })).stale;
}

/**
 * Throws BLOCKED (nothing written) while the list needs a choice the request does not carry: a title naming another
 * subdistrict, people whose period is already over, or a community that does not exist and was not confirmed (the
 * import's analysis rejects such rows; a caller that skipped that check is stopped here).
 */
export async function assertConfirmed(ctx: Pick<Ctx, 'db'>, a: ResidentAnalysis, confirm: ImportConfirm | undefined, todayDate: string): Promise<void> {
  const stale = confirm?.stale ? [] : await staleRowsOf(ctx, a, todayDate);
  const c = confirmationsOf(a, stale, confirm);
  if (c.pending.length) throw confirmationRequired(c, todayDate);
  const known = new Set((await ctx.db.selectFrom('places').select('name').where('level', '=', 'community').execute()).map((r) => r.name));
  const create = confirmedNames(confirm);
  const unknown = [...new Set(a.people.map((p) => cleanPlaceName(p.community)))].filter((n) => !known.has(n) && !create.has(n));
  if (unknown.length) {
    throw fail('BLOCKED', 'import.unknownCommunities', { names: unknown.join('、') }, { details: { confirmationRequired: ['createCommunities'], unknownCommunities: unknown } });
  }
}

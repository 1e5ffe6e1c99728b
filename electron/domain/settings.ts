// Settings: the office's identity and the isolation policy. Every change is audited; a policy change applies to new episodes.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { isPostgres } from '../db/engine.ts';
import { asMessage, invalid, issueOf } from '../shared/errors.ts';
import { isMessageKey } from '../shared/messages/index.ts';
import { settingsSchema, DEFAULT_SETTINGS, type CategoryPolicy, type Settings } from '../shared/settings.ts';
import type { Category } from '../shared/enums.ts';

export { settingsSchema, categoryPolicySchema, DEFAULT_SETTINGS, type CategoryPolicy, type Settings } from '../shared/settings.ts';

/**
 * PostgreSQL: the settings as read in the last second, per pool. Every API call reads them (the session's idle limit)
 * and a save reads them again (the fever threshold): on PostgreSQL each read is a round trip, a tenth of a check-in's.
 * This process's own changes (updateSettings) drop the copy at once; another server's reach this one within a second.
 * SQLite reads them from the file each time (a read there costs microseconds).
 */
const PG_SETTINGS_MS = 1000;
const pgSettings = new WeakMap<object, { at: number; rows: SettingRow[] }>();
type SettingRow = { key: string; value: string };

export async function getSettings(ctx: Pick<Ctx, 'db'>): Promise<Settings> {
  if (!isPostgres(ctx.db)) return readSettings(ctx);
  const key = ctx.db.getExecutor().adapter as object;
  const hit = pgSettings.get(key);
  // The stored texts are kept, and parsed afresh each time: a caller may change the object it gets.
  if (hit && performance.now() - hit.at < PG_SETTINGS_MS) return fromRows(hit.rows);
  const at = performance.now();
  const rows = await ctx.db.selectFrom('settings').select(['key', 'value']).execute();
  pgSettings.set(key, { at, rows });
  return fromRows(rows);
}

async function readSettings(ctx: Pick<Ctx, 'db'>): Promise<Settings> {
  return fromRows(await ctx.db.selectFrom('settings').select(['key', 'value']).execute());
}

function fromRows(rows: SettingRow[]): Settings {
  const stored: Record<string, unknown> = {};
  for (const r of rows) stored[r.key] = JSON.parse(r.value);
  return { ...DEFAULT_SETTINGS, ...stored } as Settings;
}

export function policyFor(settings: Settings, category: Category): CategoryPolicy {
  return settings.categoryPolicies[category] ?? settings.policy;
}

/** Writes the given settings keys (validated as a whole), audited with before/after of each changed key. */
export async function updateSettings(ctx: Ctx, patch: Partial<Settings>): Promise<Settings> {
  return inTx(ctx, async (ctx) => {
    // Read afresh (not the copy of the last second), and the copy dropped: the next read sees this change.
    pgSettings.delete(ctx.db.getExecutor().adapter as object);
    const current = await readSettings(ctx);
    // Checked as a whole: a patch valid alone may clash with what is stored (an afternoon cutoff before the morning's).
    const parsed = settingsSchema.safeParse({ ...current, ...patch });
    if (!parsed.success) {
      // The schema's own rules carry catalog keys; a plain range check (already refused by the contract) a general one.
      const fields = parsed.error.issues.map((i) => issueOf(i.path.join('.') || 'settings', { key: isMessageKey(i.message) ? i.message : 'settings.badValue' }));
      throw invalid('settings.notSaved', { problems: fields.map(asMessage) }, fields);
    }
    const next = parsed.data;
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const at = nowIso(ctx.clock);
    for (const key of Object.keys(patch) as (keyof Settings)[]) {
      if (JSON.stringify(current[key]) === JSON.stringify(next[key])) continue;
      before[key] = current[key];
      after[key] = next[key];
      await ctx.db
        .insertInto('settings')
        .values({ key, value: JSON.stringify(next[key]), updatedAt: at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(next[key]), updatedAt: at }))
        .execute();
    }
    if (Object.keys(after).length) await audit(ctx, { action: 'settings.update', entity: 'settings', before, after });
    pgSettings.delete(ctx.db.getExecutor().adapter as object);
    return next;
  });
}

// Settings: the office's identity and the isolation policy. Every change is audited; a policy change applies to new episodes.
import { z } from 'zod';
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { DEFAULT_TIME_ZONE } from '../shared/time.ts';
import { zodKey } from '../shared/messages/index.ts';
import type { Category } from '../db/schema.ts';

export const CATEGORIES: Category[] = ['密接', '次密接', '入境', '中高风险地区来返', '其他'];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, zodKey('rule.timeFormat'));

export const categoryPolicySchema = z.object({
  isolationDays: z.number().int().min(1).max(60),
  monitoringDays: z.number().int().min(0).max(60),
  /** Day numbers (1 = start day) on which a test is due; 'last' stands for the last day of isolation. */
  testDays: z.array(z.union([z.number().int().min(1).max(60), z.literal('last')])).max(30),
});
export type CategoryPolicy = z.infer<typeof categoryPolicySchema>;

export const settingsSchema = z.object({
  district: z.string().trim().min(1).max(40),
  subdistrict: z.string().trim().min(1).max(40),
  policy: categoryPolicySchema,
  /** Optional per-category overrides of the default policy. */
  categoryPolicies: z.record(z.string(), categoryPolicySchema).default({}),
  feverThreshold: z.number().min(36).max(39),
  cutoffAm: hhmm,
  cutoffPm: hhmm,
  timeZone: z.string().min(1),
  supplyOverdueUrgentHours: z.number().min(0.5).max(72),
  supplyOverdueNormalHours: z.number().min(1).max(240),
  retentionDays: z.number().int().min(1).max(3650),
  sessionIdleMinutes: z.number().int().min(1).max(720),
  backupDir: z.string().default(''),
  backupKeepDaily: z.number().int().min(1).max(60),
  backupKeepWeekly: z.number().int().min(0).max(52),
  importMaxFileMb: z.number().min(1).max(500),
});
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  district: '（区名未设置）',
  subdistrict: '（街道名未设置）',
  policy: { isolationDays: 7, monitoringDays: 0, testDays: [1, 'last'] },
  categoryPolicies: {},
  feverThreshold: 37.3,
  cutoffAm: '10:00',
  cutoffPm: '18:00',
  timeZone: DEFAULT_TIME_ZONE,
  supplyOverdueUrgentHours: 2,
  supplyOverdueNormalHours: 24,
  retentionDays: 30,
  sessionIdleMinutes: 30,
  backupDir: '',
  backupKeepDaily: 7,
  backupKeepWeekly: 4,
  importMaxFileMb: 50,
};

export async function getSettings(ctx: Pick<Ctx, 'db'>): Promise<Settings> {
  const rows = await ctx.db.selectFrom('settings').select(['key', 'value']).execute();
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
    const current = await getSettings(ctx);
    const next = settingsSchema.parse({ ...current, ...patch });
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
    return next;
  });
}

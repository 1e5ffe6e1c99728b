// The settings: their schema (one copy: the contract's settings.update input, the domain's whole-settings check and
// the CLI's init options all derive from it) and their defaults. A policy change applies to new episodes.
import { z } from 'zod';
import { TEXT_MAX } from './limits.ts';
import { zodKey as k } from './messages/index.ts';
import { HHMM, isAbsoluteFolder, isIanaTimeZone } from './formats.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const hhmm = z.string().regex(HHMM, k('rule.timeFormat'));

const days = z.number().int().min(1).max(60);
export const categoryPolicySchema = z.object({
  isolationDays: days,
  monitoringDays: z.number().int().min(0).max(60),
  /** Day numbers (1 = start day) on which a test is due; 'last' stands for the last day of isolation. */
  testDays: z.array(z.union([days, z.literal('last')])).max(30),
});
export type CategoryPolicy = z.infer<typeof categoryPolicySchema>;

const fields = {
  district: z.string().trim().min(1, k('rule.districtRequired')).max(TEXT_MAX.orgName),
  subdistrict: z.string().trim().min(1, k('rule.subdistrictRequired')).max(TEXT_MAX.orgName),
  policy: categoryPolicySchema,
  /** Optional per-category overrides of the default policy. */
  categoryPolicies: z.record(z.string(), categoryPolicySchema),
  feverThreshold: z.number().min(36).max(39),
  /** Every check-in must carry a temperature (then 整栋正常 — whole-building entry without readings — is refused). */
  requireTemperature: z.boolean(),
  cutoffAm: hhmm,
  cutoffPm: hhmm,
  timeZone: z.string().max(60).refine(isIanaTimeZone, k('settings.timeZoneName')),
  supplyOverdueUrgentHours: z.number().min(0.5).max(72),
  supplyOverdueNormalHours: z.number().min(1).max(240),
  retentionDays: z.number().int().min(1).max(3650),
  sessionIdleMinutes: z.number().int().min(1).max(720),
  /** '' = the default folder next to the database. */
  backupDir: z
    .string()
    .trim()
    .max(TEXT_MAX.path)
    .refine((p) => p === '' || isAbsoluteFolder(p), k('settings.backupDirAbsolute')),
  backupKeepDaily: z.number().int().min(1).max(60),
  backupKeepWeekly: z.number().int().min(0).max(52),
  importMaxFileMb: z.number().min(1).max(500),
  /** The office server (serve): open to the office network on serverHost, or (false) to this computer only. */
  serverLan: z.boolean(),
  /** The address of this computer's network interface the server listens on when serverLan is on ('' = every interface). */
  serverHost: z.union([z.literal(''), z.ipv4(k('settings.serverHostFormat'))]),
  serverPort: z.number().int().min(1024).max(65535),
  /** The office named on printed notices ({officeName}); '' = district + subdistrict. */
  noticeOfficeName: z.string().trim().max(TEXT_MAX.orgName * 2),
  /** The phone printed on notices ({officePhone}); '' = a blank line to write it in. */
  noticePhone: z.string().trim().max(40),
};

const PM_AFTER_AM = k('settings.pmAfterAm');

/** Whole settings, as stored and as checked after every change (the afternoon cutoff comes after the morning's). */
export const settingsSchema = z.object(fields).superRefine((s, ctx) => {
  if (s.cutoffPm <= s.cutoffAm) ctx.addIssue({ code: 'custom', path: ['cutoffPm'], message: PM_AFTER_AM });
});
export type Settings = z.infer<typeof settingsSchema>;

/** settings.update's input: any of the keys, each checked alone (and the two cutoffs together when both are given). */
export const settingsPatchSchema = z
  .object(fields)
  .partial()
  .strict()
  .superRefine((s, ctx) => {
    if (s.cutoffAm && s.cutoffPm && s.cutoffPm <= s.cutoffAm) ctx.addIssue({ code: 'custom', path: ['cutoffPm'], message: PM_AFTER_AM });
  });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  district: '（区名未设置）',
  subdistrict: '（街道名未设置）',
  policy: { isolationDays: 7, monitoringDays: 0, testDays: [1, 'last'] },
  categoryPolicies: {},
  feverThreshold: 37.3,
  requireTemperature: false,
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
  serverLan: false,
  serverHost: '',
  serverPort: 5443,
  noticeOfficeName: '',
  noticePhone: '',
};

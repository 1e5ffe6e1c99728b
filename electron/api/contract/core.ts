// Channels for accounts, settings, places, residents and episodes.
import { z } from 'zod';
import { channel } from '../define.ts';
import { category, docType, empty, id, isoDate, paging, reason, role, sex, text, version } from './common.ts';
import type { Actor, Permission } from '../../domain/actor.ts';
import type { Settings } from '../../domain/settings.ts';
import type { CommunityNode, OrgRoot } from '../../domain/places.ts';
import type { UserView } from '../../domain/users.ts';
import type { Page, ResidentDetail, ResidentRow, Revealed, SaveResult } from '../../domain/residents.ts';
import type { BatchReleaseResult, ReleaseBlocker, ReleaseResult } from '../../domain/episodes.ts';
import type { Episode } from '../../db/schema.ts';

// What the writes below make stale (read channels; contract.ts checks every name).
/** Who is under control, day N, due lists and counts: what a person's period changes. */
const EPISODE_DEPENDENTS = ['residents.list', 'residents.get', 'episodes.releaseCheck', 'dashboard.get', 'checkins.due', 'checkins.counts'] as const;
const RESIDENT_DEPENDENTS = [...EPISODE_DEPENDENTS, 'places.communities', 'households.search'] as const;
/** Cutoffs, thresholds, overdue hours, the office's names and the idle timeout. */
const SETTINGS_DEPENDENTS = ['settings.get', 'auth.me', 'dashboard.get', 'checkins.due', 'checkins.counts', 'supplies.list', 'supplies.board', 'supplies.runSheet'] as const;
/** Every list that shows a place's name. */
const PLACE_NAME_READERS = [...RESIDENT_DEPENDENTS, 'alerts.list', 'users.list', 'cadres.list', 'supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet'] as const;

export interface Me {
  actor: Actor;
  permissions: Permission[];
  org: OrgRoot;
  today: string;
  sessionIdleMinutes: number;
}

const address = z.object({
  communityId: id,
  compound: text(60).min(1, '请填写小区'),
  building: text(30).nullish(),
  unit: text(30).nullish(),
  room: text(30).nullish(),
});

const residentFields = {
  name: text(50).min(1, '请填写姓名'),
  docType,
  docNumber: text(40).nullish(),
  sex: sex.nullish(),
  birthDate: isoDate.nullish(),
  phone: text(30).nullish(),
  category,
  notes: text(500).nullish(),
  guardianId: id.nullish(),
};

const settingsPatch = z
  .object({
    district: text(40).min(1),
    subdistrict: text(40).min(1),
    policy: z.object({
      isolationDays: z.number().int().min(1).max(60),
      monitoringDays: z.number().int().min(0).max(60),
      testDays: z.array(z.union([z.number().int().min(1).max(60), z.literal('last')])).max(30),
    }),
    categoryPolicies: z.record(
      z.string(),
      z.object({
        isolationDays: z.number().int().min(1).max(60),
        monitoringDays: z.number().int().min(0).max(60),
        testDays: z.array(z.union([z.number().int().min(1).max(60), z.literal('last')])).max(30),
      }),
    ),
    feverThreshold: z.number().min(36).max(39),
    cutoffAm: z.string(),
    cutoffPm: z.string(),
    timeZone: z.string().min(1).max(60),
    supplyOverdueUrgentHours: z.number().min(0.5).max(72),
    supplyOverdueNormalHours: z.number().min(1).max(240),
    retentionDays: z.number().int().min(1).max(3650),
    sessionIdleMinutes: z.number().int().min(1).max(720),
    backupDir: z.string().max(500),
    backupKeepDaily: z.number().int().min(1).max(60),
    backupKeepWeekly: z.number().int().min(0).max(52),
    importMaxFileMb: z.number().min(1).max(500),
  })
  .partial()
  .strict();

export const coreContract = {
  // --- accounts and session
  'auth.setupStatus': channel<{ needsSetup: boolean; org: OrgRoot | null }>()(empty, 'public'),
  'auth.setupAdmin': channel<Me>()(
    z.object({
      username: text(30).min(2),
      displayName: text(30).min(1),
      password: z.string().max(200),
      // The office's names, asked on the first run of a database that `init` did not name (the desktop app's own file).
      district: text(40).min(1, '请填写区名').optional(),
      subdistrict: text(40).min(1, '请填写街道名').optional(),
    }).strict(),
    'public',
    { invalidates: ['auth.setupStatus'] },
  ),
  'auth.login': channel<Me>()(z.object({ username: text(30).min(1, '请输入用户名'), password: z.string().min(1, '请输入密码').max(200) }).strict(), 'public'),
  'auth.logout': channel<null>()(empty, 'public'),
  'auth.me': channel<Me>()(empty, 'session'),
  'auth.changePassword': channel<null>()(z.object({ oldPassword: z.string().max(200), newPassword: z.string().max(200) }).strict(), 'session'),
  'users.list': channel<UserView[]>()(empty, 'users.manage'),
  'users.create': channel<UserView>()(
    z.object({ username: text(30).min(2), displayName: text(30).min(1), role, communityId: id.nullish(), password: z.string().max(200) }).strict(),
    'users.manage',
    { invalidates: ['users.list'] },
  ),
  'users.update': channel<UserView>()(
    z.object({ id, version, displayName: text(30).min(1).optional(), role: role.optional(), communityId: id.nullish(), active: z.boolean().optional() }).strict(),
    'users.manage',
    { invalidates: ['users.list'] },
  ),
  'users.resetPassword': channel<null>()(z.object({ id, newPassword: z.string().max(200) }).strict(), 'users.manage', { invalidates: ['users.list'] }),

  // --- settings and places
  'settings.get': channel<Settings>()(empty, 'settings.read'),
  'settings.update': channel<Settings>()(settingsPatch, 'settings.write', { invalidates: SETTINGS_DEPENDENTS }),
  'places.communities': channel<CommunityNode[]>()(empty, 'residents.read'),
  'places.createCommunity': channel<{ id: number }>()(z.object({ name: text(40).min(1) }).strict(), 'places.write', { invalidates: ['places.communities', 'dashboard.get'] }),
  'places.rename': channel<null>()(z.object({ id, version, name: text(60).min(1) }).strict(), 'places.write', { invalidates: PLACE_NAME_READERS }),

  // --- residents
  'residents.list': channel<Page<ResidentRow>>()(
    z
      .object({
        search: text(60).optional(),
        communityId: id.optional(),
        compoundId: id.optional(),
        householdId: id.optional(),
        status: z.enum(['none', 'isolating', 'monitoring', 'released', 'transferred', 'ended_other', 'active', 'due', 'all']).optional(),
        dayN: z.number().int().min(1).max(60).optional(),
        abnormal: z.boolean().optional(),
        sortField: z.enum(['lastDay', 'startDate', 'releaseDate', 'name', 'id', 'latestTemperature']).optional(),
        sortDir: z.enum(['asc', 'desc']).optional(),
        ...paging,
      })
      .strict(),
    'residents.read',
  ),
  'residents.get': channel<ResidentDetail>()(z.object({ id }).strict(), 'residents.read'),
  'residents.create': channel<SaveResult>()(
    z.object({ ...residentFields, householdId: id.nullish(), address: address.nullish(), startEpisode: isoDate.nullish() }).strict(),
    'residents.write',
    { invalidates: RESIDENT_DEPENDENTS },
  ),
  'residents.update': channel<SaveResult>()(
    z
      .object({
        id,
        version,
        ...Object.fromEntries(Object.entries(residentFields).map(([k, v]) => [k, v.optional()])),
        householdId: id.nullish(),
        address: address.nullish(),
      })
      .strict() as z.ZodType<{ id: number; version: number } & Record<string, unknown>>,
    'residents.write',
    { invalidates: RESIDENT_DEPENDENTS },
  ),
  /** Audited. 'docNumber' answers the birth date too (the ID number's hidden digits): shown together, never apart. */
  'residents.reveal': channel<Revealed>()(z.object({ id, field: z.enum(['phone', 'docNumber']) }).strict(), 'residents.reveal'),

  // --- episodes
  'episodes.start': channel<Episode>()(
    z.object({ residentId: id, startDate: isoDate, kind: z.enum(['home_isolation', 'health_monitoring']).optional(), days: z.number().int().min(1).max(60).optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.extend': channel<Episode>()(z.object({ episodeId: id, version, newLastDay: isoDate, reason }).strict(), 'episodes.write', { invalidates: EPISODE_DEPENDENTS }),
  'episodes.releaseCheck': channel<{ blockers: ReleaseBlocker[]; early: boolean; releaseDate: string }>()(z.object({ episodeId: id }).strict(), 'residents.read'),
  'episodes.release': channel<ReleaseResult>()(
    z.object({ episodeId: id, version, reason: text(500).optional(), overrideReason: text(500).optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.batchRelease': channel<BatchReleaseResult>()(z.object({ items: z.array(z.object({ episodeId: id, version })).min(1).max(2000) }).strict(), 'episodes.release', { invalidates: EPISODE_DEPENDENTS }),
  'episodes.end': channel<Episode>()(
    z.object({ episodeId: id, version, outcome: z.enum(['transferred', 'ended_other']), reason, date: isoDate.optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.applyPolicy': channel<Episode>()(z.object({ episodeId: id, version }).strict(), 'episodes.release', { invalidates: EPISODE_DEPENDENTS }),
};

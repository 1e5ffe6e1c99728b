// Channels for accounts, settings, places, residents and episodes.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { category, docType, empty, id, isoDate, paging, reason, role, sex, text, version } from './common.ts';
import type { Actor, Permission } from '../../domain/actor.ts';
import { settingsPatchSchema, type Settings } from '../../shared/settings.ts';
import { EPISODE_KINDS, EPISODE_OUTCOMES, NEEDS, RESIDENT_STATUS_FILTERS } from '../../shared/enums.ts';
import { TEXT_MAX } from '../../shared/limits.ts';
import type { CommunityNode, OrgRoot } from '../../domain/places.ts';
import type { UserView } from '../../domain/users.ts';
import type { SaveResult } from '../../domain/residents.ts';
import type { Page, ResidentRow } from '../../domain/residents-list.ts';
import type { ResidentDetail, Revealed } from '../../domain/residents-detail.ts';
import type { BatchReleaseResult, ReleaseBlocker, ReleaseResult } from '../../domain/episodes-release.ts';
import type { Episode } from '../../db/schema.ts';

// What the writes below make stale (read channels; contract.ts checks every name).
/** Who is under control, day N, due lists and counts: what a person's period changes. */
const EPISODE_DEPENDENTS = ['residents.list', 'residents.get', 'episodes.releaseCheck', 'dashboard.get', 'dashboard.places', 'checkins.due', 'checkins.counts', 'checkins.groups'] as const;
const RESIDENT_DEPENDENTS = [...EPISODE_DEPENDENTS, 'places.communities', 'places.buildings', 'households.search'] as const;
/** Cutoffs, thresholds, overdue hours, the office's names and the idle timeout. */
const SETTINGS_DEPENDENTS = ['settings.get', 'auth.me', 'dashboard.get', 'dashboard.places', 'checkins.due', 'checkins.counts', 'checkins.groups', 'supplies.list', 'supplies.board', 'supplies.runSheet'] as const;
/** Every list that shows a place's name. */
const PLACE_NAME_READERS = [...RESIDENT_DEPENDENTS, 'alerts.list', 'users.list', 'cadres.list', 'supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet'] as const;

export interface Me {
  actor: Actor;
  permissions: Permission[];
  org: OrgRoot;
  today: string;
  sessionIdleMinutes: number;
  /** A district reader's server (区级只读): every subdistrict, read only; the screens show a banner, no write actions. */
  readOnly?: boolean;
}

const address = z.object({
  communityId: id,
  compound: text(TEXT_MAX.placeName).min(1, k('rule.compoundRequired')),
  building: text(TEXT_MAX.addressPart).nullish(),
  unit: text(TEXT_MAX.addressPart).nullish(),
  room: text(TEXT_MAX.addressPart).nullish(),
});

const residentFields = {
  name: text(TEXT_MAX.personName).min(1, k('rule.nameRequired')),
  docType,
  docNumber: text(TEXT_MAX.docNumber).nullish(),
  sex: sex.nullish(),
  birthDate: isoDate.nullish(),
  phone: text(TEXT_MAX.phone).nullish(),
  category,
  notes: text(TEXT_MAX.notes).nullish(),
  guardianId: id.nullish(),
};

export const coreContract = {
  // --- accounts and session
  'auth.setupStatus': channel<{ needsSetup: boolean; org: OrgRoot | null }>()(empty, 'public'),
  'auth.setupAdmin': channel<Me>()(
    z.object({
      username: text(TEXT_MAX.shortName).min(2),
      displayName: text(TEXT_MAX.shortName).min(1),
      password: z.string().max(TEXT_MAX.password),
      // The office's names, asked on the first run of a database that `init` did not name (the desktop app's own file).
      district: text(TEXT_MAX.orgName).min(1, k('rule.districtRequired')).optional(),
      subdistrict: text(TEXT_MAX.orgName).min(1, k('rule.subdistrictRequired')).optional(),
    }).strict(),
    'public',
    { invalidates: ['auth.setupStatus'] },
  ),
  'auth.login': channel<Me>()(z.object({ username: text(TEXT_MAX.shortName).min(1, k('rule.usernameRequired')), password: z.string().min(1, k('rule.passwordRequired')).max(TEXT_MAX.password) }).strict(), 'public'),
  'auth.logout': channel<null>()(empty, 'public'),
  'auth.me': channel<Me>()(empty, 'session'),
  'auth.changePassword': channel<null>()(z.object({ oldPassword: z.string().max(TEXT_MAX.password), newPassword: z.string().max(TEXT_MAX.password) }).strict(), 'session', { write: true }),
  'users.list': channel<UserView[]>()(empty, 'users.manage'),
  'users.create': channel<UserView>()(
    z.object({ username: text(TEXT_MAX.shortName).min(2), displayName: text(TEXT_MAX.shortName).min(1), role, communityId: id.nullish(), cadreId: id.nullish(), password: z.string().max(TEXT_MAX.password) }).strict(),
    'users.manage',
    { invalidates: ['users.list'] },
  ),
  'users.update': channel<UserView>()(
    z.object({ id, version, displayName: text(TEXT_MAX.shortName).min(1).optional(), role: role.optional(), communityId: id.nullish(), cadreId: id.nullish(), active: z.boolean().optional() }).strict(),
    'users.manage',
    { invalidates: ['users.list'] },
  ),
  'users.resetPassword': channel<null>()(z.object({ id, newPassword: z.string().max(TEXT_MAX.password) }).strict(), 'users.manage', { invalidates: ['users.list'] }),

  // --- settings and places
  'settings.get': channel<Settings>()(empty, 'settings.read'),
  'settings.update': channel<Settings>()(settingsPatchSchema, 'settings.write', { invalidates: SETTINGS_DEPENDENTS }),
  'places.communities': channel<CommunityNode[]>()(empty, 'residents.read'),
  'places.createCommunity': channel<{ id: number }>()(z.object({ name: text(TEXT_MAX.orgName).min(1) }).strict(), 'places.write', { invalidates: ['places.communities', 'dashboard.get', 'dashboard.places'] }),
  'places.rename': channel<null>()(z.object({ id, version, name: text(TEXT_MAX.placeName).min(1) }).strict(), 'places.write', { invalidates: PLACE_NAME_READERS }),

  // --- residents
  'residents.list': channel<Page<ResidentRow>>()(
    z
      .object({
        search: text(TEXT_MAX.placeName).optional(),
        communityId: id.optional(),
        compoundId: id.optional(),
        buildingId: id.optional(),
        householdId: id.optional(),
        status: z.enum(RESIDENT_STATUS_FILTERS).optional(),
        dayN: z.number().int().min(1).max(60).optional(),
        abnormal: z.boolean().optional(),
        needs: z.array(z.enum(NEEDS)).max(NEEDS.length).optional(),
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
    z.object({ residentId: id, startDate: isoDate, kind: z.enum(EPISODE_KINDS).optional(), days: z.number().int().min(1).max(60).optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.extend': channel<Episode>()(z.object({ episodeId: id, version, newLastDay: isoDate, reason }).strict(), 'episodes.write', { invalidates: EPISODE_DEPENDENTS }),
  'episodes.releaseCheck': channel<{ blockers: ReleaseBlocker[]; early: boolean; releaseDate: string }>()(z.object({ episodeId: id }).strict(), 'residents.read'),
  'episodes.release': channel<ReleaseResult>()(
    z.object({ episodeId: id, version, reason: text(TEXT_MAX.reason).optional(), overrideReason: text(TEXT_MAX.reason).optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.batchRelease': channel<BatchReleaseResult>()(z.object({ items: z.array(z.object({ episodeId: id, version })).min(1).max(2000) }).strict(), 'episodes.release', { invalidates: EPISODE_DEPENDENTS }),
  'episodes.end': channel<Episode>()(
    z.object({ episodeId: id, version, outcome: z.enum(EPISODE_OUTCOMES), reason, date: isoDate.optional() }).strict(),
    'episodes.write',
    { invalidates: EPISODE_DEPENDENTS },
  ),
  'episodes.applyPolicy': channel<Episode>()(z.object({ episodeId: id, version }).strict(), 'episodes.release', { invalidates: EPISODE_DEPENDENTS }),
};

// Handlers of the core channels: each maps validated input to one domain call.
import type { coreContract, Me } from '../contract/core.ts';
import type { HandlersFor } from './types.ts';
import type { HandlerCtx } from '../env.ts';
import { PERMISSIONS, READER_PERMISSIONS, ROLE_PERMISSIONS, type Actor } from '../../domain/actor.ts';
import { isDistrictReader } from '../../db/engine.ts';
import { today } from '../../domain/clock.ts';
import { fail } from '../../shared/errors.ts';
import { audit } from '../../domain/audit.ts';
import { inTx } from '../../domain/context.ts';
import { DEFAULT_SETTINGS, getSettings, updateSettings } from '../../domain/settings.ts';
import { ensureCommunity, getOrgRoot, listCommunities, renamePlace, setOrgIdentity } from '../../domain/places.ts';
import { changeOwnPassword, countUsers, createUser, getUser, listUsers, login, resetPassword, updateUser } from '../../domain/users.ts';
import { loginSource } from '../../domain/login-throttle.ts';
import { createResident, updateResident, type ResidentPatch } from '../../domain/residents.ts';
import { listResidents } from '../../domain/residents-list.ts';
import { getResidentDetail, revealResident } from '../../domain/residents-detail.ts';
import { applyCurrentPolicy, endEpisode, extendEpisode, startEpisode } from '../../domain/episodes.ts';
import { batchRelease, releaseCheck, releaseEpisode } from '../../domain/episodes-release.ts';

async function me(ctx: HandlerCtx, actor: Actor): Promise<Me> {
  const settings = await getSettings(ctx);
  const readOnly = await isDistrictReader(ctx.db);
  return {
    actor,
    // On a district reader's server the screens get the reading permissions only (the dispatcher refuses the rest).
    permissions: PERMISSIONS.filter((p) => ROLE_PERMISSIONS[actor.role].has(p) && (!readOnly || READER_PERMISSIONS.has(p))),
    org: await getOrgRoot(ctx),
    today: today(ctx.clock),
    sessionIdleMinutes: settings.sessionIdleMinutes,
    ...(readOnly ? { readOnly } : {}),
  };
}

export const coreHandlers: HandlersFor<typeof coreContract> = {
  'auth.setupStatus': async (ctx) => ({ needsSetup: (await countUsers(ctx)) === 0, org: await getOrgRoot(ctx).catch(() => null) }),
  'auth.setupAdmin': async (ctx, input) => {
    // Only while the database has no account at all: the first-run screen creates the admin.
    const actor = await inTx(ctx, async (tx) => {
      if ((await countUsers(tx)) > 0) throw fail('FORBIDDEN', 'auth.alreadySetUp');
      const setupCtx = { ...tx, actor: { userId: null, username: 'setup', displayName: '首次设置', role: 'admin' as const, communityId: null } };
      const { district, subdistrict, ...account } = input;
      // A database the desktop app created itself has no place tree yet: the first run names the office
      // (placeholders when left empty; the admin renames them in 设置).
      if (!(await getOrgRoot(tx).catch(() => null))) {
        const root = await setOrgIdentity(setupCtx, district ?? DEFAULT_SETTINGS.district, subdistrict ?? DEFAULT_SETTINGS.subdistrict);
        await updateSettings(setupCtx, { district: root.district, subdistrict: root.subdistrict });
      }
      const u = await createUser(setupCtx, { ...account, role: 'admin' });
      return { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, communityId: null };
    });
    ctx.env.sessions.set(ctx.sessionKey, actor, ctx.clock.now().getTime());
    return me(ctx, actor);
  },
  'auth.login': async (ctx, input) => {
    const actor = await login(ctx, input.username, input.password, loginSource(ctx.deviceId));
    ctx.env.sessions.set(ctx.sessionKey, actor, ctx.clock.now().getTime());
    return me(ctx, actor);
  },
  'auth.logout': async (ctx) => {
    const s = ctx.env.sessions.get(ctx.sessionKey);
    if (s) {
      await audit({ ...ctx, actor: s.actor }, { action: 'auth.logout', entity: 'user', entityId: s.actor.userId });
      ctx.env.sessions.delete(ctx.sessionKey);
    }
    return null;
  },
  'auth.me': async (ctx) => me(ctx, ctx.actor),
  'auth.changePassword': async (ctx, input) => {
    await changeOwnPassword(ctx, input.oldPassword, input.newPassword);
    return null;
  },
  'users.list': async (ctx) => listUsers(ctx),
  'users.create': async (ctx, input) => createUser(ctx, input),
  'users.update': async (ctx, input) => {
    const u = await updateUser(ctx, input);
    if (!u.active || input.role || input.communityId !== undefined || input.cadreId !== undefined) ctx.env.sessions.deleteUser(u.id);
    return u;
  },
  'users.resetPassword': async (ctx, input) => {
    await getUser(ctx, input.id);
    await resetPassword(ctx, input.id, input.newPassword);
    ctx.env.sessions.deleteUser(input.id);
    return null;
  },

  'settings.get': async (ctx) => getSettings(ctx),
  'settings.update': async (ctx, input) => {
    const { district, subdistrict, ...rest } = input;
    return inTx(ctx, async (tx) => {
      if (district || subdistrict) {
        // A file without its place tree yet (the command line's init of a new file): the names create it.
        const root = await getOrgRoot(tx).catch(() => null);
        await setOrgIdentity(tx, district ?? root?.district ?? DEFAULT_SETTINGS.district, subdistrict ?? root?.subdistrict ?? DEFAULT_SETTINGS.subdistrict);
      }
      return updateSettings(tx, { ...rest, ...(district ? { district } : {}), ...(subdistrict ? { subdistrict } : {}) });
    });
  },
  'places.communities': async (ctx) => listCommunities(ctx),
  'places.createCommunity': async (ctx, input) => ({ id: await ensureCommunity(ctx, input.name) }),
  'places.rename': async (ctx, input) => {
    await renamePlace(ctx, input.id, input.version, input.name);
    return null;
  },

  'residents.list': async (ctx, input) => listResidents(ctx, input),
  'residents.get': async (ctx, input) => getResidentDetail(ctx, input.id),
  'residents.create': async (ctx, input) => {
    const { startEpisode: start, ...rest } = input;
    return inTx(ctx, async (tx) => {
      const saved = await createResident(tx, rest);
      if (start) await startEpisode(tx, { residentId: saved.id, startDate: start });
      return saved;
    });
  },
  'residents.update': async (ctx, input) => updateResident(ctx, input as unknown as ResidentPatch),
  'residents.reveal': (ctx, input) => revealResident(ctx, input.id, input.field),

  'episodes.start': async (ctx, input) => startEpisode(ctx, input),
  'episodes.extend': async (ctx, input) => extendEpisode(ctx, input),
  'episodes.releaseCheck': async (ctx, input) => releaseCheck(ctx, input.episodeId),
  'episodes.release': async (ctx, input) => releaseEpisode(ctx, input),
  'episodes.batchRelease': async (ctx, input) => batchRelease(ctx, input.items),
  'episodes.end': async (ctx, input) => endEpisode(ctx, input),
  'episodes.applyPolicy': async (ctx, input) => applyCurrentPolicy(ctx, input.episodeId, input.version),
};

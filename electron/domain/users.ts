// Accounts, roles with community scope, login with lock-out, password changes. Every change is audited.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { AppError, invalid, issue, notFound } from '../shared/errors.ts';
import { msg, type Message } from '../shared/messages/index.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { Role, User } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  communityId: number | null;
  communityName: string | null;
  active: boolean;
  lockedUntil: string | null;
  version: number;
}

export function actorOf(u: Pick<User, 'id' | 'username' | 'displayName' | 'role' | 'communityId'>): Actor {
  return { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, communityId: u.communityId };
}

export async function countUsers(ctx: Pick<Ctx, 'db'>): Promise<number> {
  const r = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface NewUserInput {
  username: string;
  displayName: string;
  role: Role;
  communityId?: number | null;
  password: string;
}

export async function createUser(ctx: Ctx, input: NewUserInput): Promise<UserView> {
  const problem = passwordProblem(input.password);
  if (problem) throw invalid(problem, undefined, [issue('password', problem)]);
  if (input.role === 'committee' && !input.communityId) {
    throw invalid('users.communityRequired', undefined, [issue('communityId', 'users.pickCommunity')]);
  }
  const passwordHash = await hashPassword(input.password);
  return inTx(ctx, async (ctx) => {
    const exists = await ctx.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw invalid('users.usernameTaken', { username: input.username }, [issue('username', 'users.usernameExists')]);
    if (input.communityId) await assertCommunity(ctx, input.communityId);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('users')
      .values({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        communityId: input.role === 'committee' ? input.communityId ?? null : null,
        passwordHash,
        failedLogins: 0,
        lockedUntil: null,
        active: 1,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(ctx, {
      action: 'user.create',
      entity: 'user',
      entityId: row.id,
      after: { username: input.username, displayName: input.displayName, role: input.role, communityId: input.communityId ?? null },
    });
    return getUser(ctx, row.id);
  });
}

async function assertCommunity(ctx: Ctx, id: number) {
  const c = await ctx.db.selectFrom('places').select('id').where('id', '=', id).where('level', '=', 'community').executeTakeFirst();
  if (!c) throw invalid('places.noSuchCommunity', undefined, [issue('communityId', 'places.communityMissing')]);
}

export async function getUser(ctx: Pick<Ctx, 'db'>, id: number): Promise<UserView> {
  const u = await ctx.db
    .selectFrom('users')
    .leftJoin('places', 'places.id', 'users.communityId')
    .select([
      'users.id',
      'users.username',
      'users.displayName',
      'users.role',
      'users.communityId',
      'places.name as communityName',
      'users.active',
      'users.lockedUntil',
      'users.version',
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
  if (!u) throw notFound('thing.user');
  return { ...u, active: !!u.active };
}

export async function listUsers(ctx: Pick<Ctx, 'db'>): Promise<UserView[]> {
  const ids = await ctx.db.selectFrom('users').select('id').orderBy('id').execute();
  return Promise.all(ids.map((r) => getUser(ctx, r.id)));
}

export interface UpdateUserInput {
  id: number;
  version: number;
  displayName?: string;
  role?: Role;
  communityId?: number | null;
  active?: boolean;
}

export async function updateUser(ctx: Ctx, input: UpdateUserInput): Promise<UserView> {
  return inTx(ctx, async (ctx) => {
    const before = await getUser(ctx, input.id);
    const role = input.role ?? before.role;
    const communityId = role === 'committee' ? (input.communityId !== undefined ? input.communityId : before.communityId) : null;
    if (role === 'committee' && !communityId) throw invalid('users.communityRequired', undefined, [issue('communityId', 'users.pickCommunity')]);
    if (communityId) await assertCommunity(ctx, communityId);
    if (before.role === 'admin' && (role !== 'admin' || input.active === false)) await assertAnotherAdmin(ctx, input.id);
    const patch = {
      displayName: input.displayName ?? before.displayName,
      role,
      communityId,
      active: input.active === undefined ? (before.active ? 1 : 0) : input.active ? 1 : 0,
    };
    await updateVersioned(ctx, 'users', input.id, input.version, patch, 'thing.user');
    await audit(ctx, {
      action: 'user.update',
      entity: 'user',
      entityId: input.id,
      before: { displayName: before.displayName, role: before.role, communityId: before.communityId, active: before.active },
      after: { ...patch, active: !!patch.active },
    });
    return getUser(ctx, input.id);
  });
}

async function assertAnotherAdmin(ctx: Ctx, exceptId: number) {
  const other = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .where('id', '!=', exceptId)
    .executeTakeFirst();
  if (!other) throw invalid('users.lastAdmin');
}

export type LoginOutcome = { ok: true; actor: Actor } | { ok: false; error: AppError };

/** Checks a password; 5 failures lock the account for 15 minutes. Success and failure are both audited. */
export async function login(ctx: Ctx, username: string, password: string): Promise<Actor> {
  const now = ctx.clock.now();
  const u = await ctx.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const refuse = async (reason: string, m: Message) => {
    await audit({ ...ctx, actor: { ...ctx.actor, username } }, { action: 'auth.login_failed', entity: 'user', entityId: u?.id ?? null, extra: { reason } });
    return new AppError(reason === 'locked' || reason === 'locked_now' ? 'LOCKED' : 'UNAUTHENTICATED', m);
  };
  if (!u || !u.active) {
    // Same work as a real check, so a wrong username is not faster than a wrong password.
    await verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    throw await refuse(u ? 'inactive' : 'unknown_user', msg('auth.badCredentials'));
  }
  if (u.lockedUntil && new Date(u.lockedUntil).getTime() > now.getTime()) {
    const mins = Math.ceil((new Date(u.lockedUntil).getTime() - now.getTime()) / 60000);
    throw await refuse('locked', msg('auth.locked', { tries: MAX_FAILED_LOGINS, minutes: mins }));
  }
  const good = await verifyPassword(password, u.passwordHash);
  if (!good) {
    const failed = u.failedLogins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await ctx.db
      .updateTable('users')
      .set({
        failedLogins: lock ? 0 : failed,
        lockedUntil: lock ? new Date(now.getTime() + LOCK_MINUTES * 60000).toISOString() : u.lockedUntil,
      })
      .where('id', '=', u.id)
      .execute();
    throw await refuse(
      lock ? 'locked_now' : 'bad_password',
      lock
        ? msg('auth.lockedNow', { tries: MAX_FAILED_LOGINS, minutes: LOCK_MINUTES })
        : msg('auth.badPassword', { left: MAX_FAILED_LOGINS - failed, minutes: LOCK_MINUTES }),
    );
  }
  await ctx.db.updateTable('users').set({ failedLogins: 0, lockedUntil: null }).where('id', '=', u.id).execute();
  const actor = actorOf(u);
  await audit({ ...ctx, actor }, { action: 'auth.login', entity: 'user', entityId: u.id });
  return actor;
}

export async function changeOwnPassword(ctx: Ctx, oldPassword: string, newPassword: string): Promise<void> {
  if (ctx.actor.userId == null) throw invalid('users.cliNoPassword');
  const u = await ctx.db.selectFrom('users').selectAll().where('id', '=', ctx.actor.userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(oldPassword, u.passwordHash))) throw invalid('users.oldPasswordWrong', undefined, [issue('oldPassword', 'users.oldPasswordWrong')]);
  await setPassword(ctx, u.id, newPassword, 'user.change_password');
}

export async function resetPassword(ctx: Ctx, userId: number, newPassword: string): Promise<void> {
  await setPassword(ctx, userId, newPassword, 'user.reset_password');
}

async function setPassword(ctx: Ctx, userId: number, password: string, action: 'user.change_password' | 'user.reset_password') {
  const problem = passwordProblem(password);
  if (problem) throw invalid(problem, undefined, [issue('newPassword', problem)]);
  const passwordHash = await hashPassword(password);
  await inTx(ctx, async (ctx) => {
    const r = await ctx.db
      .updateTable('users')
      .set((eb) => ({ passwordHash, failedLogins: 0, lockedUntil: null, version: eb('version', '+', 1), updatedAt: nowIso(ctx.clock) }))
      .where('id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('thing.user');
    await audit(ctx, { action, entity: 'user', entityId: userId });
  });
}

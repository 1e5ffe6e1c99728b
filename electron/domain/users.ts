// Accounts, roles with community scope, login (throttled per user and source), password changes. Every change is audited.
import type { Ctx } from './context.ts';
import { inTx } from './context.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { AppError, fail, invalid, issue, notFound } from '../shared/errors.ts';
import { LOGIN_THROTTLE } from '../shared/limits.ts';
import { isoIn } from '../shared/time.ts';
import { claimAttempt, clearAllAttempts, clearAttempts, LOCAL_SOURCE, lockedUntilOf, throttleDelayMs, throttleGate, waitSeconds } from './login-throttle.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import type { Role, User } from '../db/schema.ts';
import { updateVersioned } from './versioned.ts';
import { isUniqueViolation, userInBoundSubdistrict as inBoundSubdistrict } from '../db/engine.ts';

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  communityId: number | null;
  communityName: string | null;
  /** A `cadre` account's cadre record and its name. */
  cadreId: number | null;
  cadreName: string | null;
  active: boolean;
  /** When the latest lock of this name on some source (device) ends, office time; null if locked nowhere now. */
  lockedUntil: string | null;
  version: number;
}

export function actorOf(u: Pick<User, 'id' | 'username' | 'displayName' | 'role' | 'communityId'> & { cadreId?: number | null }): Actor {
  const actor: Actor = { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, communityId: u.communityId };
  // A cadre account acts for its cadre record and no community (fieldwork-mine.ts checks each record is theirs).
  if (u.role === 'cadre') return { ...actor, communityId: null, cadreId: u.cadreId ?? null };
  return actor;
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
  /** Required for the `cadre` role: the cadre record the account acts for. */
  cadreId?: number | null;
  password: string;
}

export async function createUser(ctx: Ctx, input: NewUserInput): Promise<UserView> {
  const problem = passwordProblem(input.password);
  if (problem) throw invalid(problem, undefined, [issue('password', problem)]);
  if (input.role === 'committee' && !input.communityId) {
    throw invalid('users.communityRequired', undefined, [issue('communityId', 'users.pickCommunity')]);
  }
  if (input.role === 'cadre' && !input.cadreId) throw invalid('users.cadreRequired', undefined, [issue('cadreId', 'users.pickCadre')]);
  const passwordHash = await hashPassword(input.password);
  return inTx(ctx, async (ctx) => {
    const exists = await ctx.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
    if (exists) throw invalid('users.usernameTaken', { username: input.username }, [issue('username', 'users.usernameExists')]);
    if (input.communityId) await assertCommunity(ctx, input.communityId);
    const cadreId = input.role === 'cadre' ? input.cadreId ?? null : null;
    if (cadreId) await assertCadreFree(ctx, cadreId, null);
    const at = nowIso(ctx.clock);
    const row = await ctx.db
      .insertInto('users')
      .values({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        communityId: input.role === 'committee' ? input.communityId ?? null : null,
        cadreId,
        passwordHash,
        failedLogins: 0,
        lockedUntil: null,
        active: 1,
        createdAt: at,
        updatedAt: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((e: unknown) => {
        // A name taken in another subdistrict of the district's database, which this server cannot see: usernames
        // are unique in the whole district.
        if (isUniqueViolation(e)) throw invalid('users.usernameTaken', { username: input.username }, [issue('username', 'users.usernameExists')]);
        throw e;
      });
    await audit(ctx, {
      action: 'user.create',
      entity: 'user',
      entityId: row.id,
      after: { username: input.username, displayName: input.displayName, role: input.role, communityId: input.communityId ?? null, ...(cadreId ? { cadreId } : {}) },
    });
    return getUser(ctx, row.id);
  });
}

/** The cadre exists and no other account acts for it (one login per cadre). */
async function assertCadreFree(ctx: Ctx, cadreId: number, exceptUserId: number | null) {
  const c = await ctx.db.selectFrom('cadres').select('id').where('id', '=', cadreId).executeTakeFirst();
  if (!c) throw invalid('users.noSuchCadre', undefined, [issue('cadreId', 'users.pickCadre')]);
  let q = ctx.db.selectFrom('users').select('username').where('cadreId', '=', cadreId);
  if (exceptUserId !== null) q = q.where('id', '!=', exceptUserId);
  const other = await q.executeTakeFirst();
  if (other) throw invalid('users.cadreTaken', { username: other.username }, [issue('cadreId', 'users.cadreTakenField')]);
}

async function assertCommunity(ctx: Ctx, id: number) {
  const c = await ctx.db.selectFrom('places').select('id').where('id', '=', id).where('level', '=', 'community').executeTakeFirst();
  if (!c) throw invalid('places.noSuchCommunity', undefined, [issue('communityId', 'places.communityMissing')]);
}

export async function getUser(ctx: Pick<Ctx, 'db' | 'clock'>, id: number): Promise<UserView> {
  const u = await ctx.db
    .selectFrom('users')
    .leftJoin('places', 'places.id', 'users.communityId')
    .leftJoin('cadres', 'cadres.id', 'users.cadreId')
    .select([
      'users.cadreId',
      'cadres.name as cadreName',
      'users.id',
      'users.username',
      'users.displayName',
      'users.role',
      'users.communityId',
      'places.name as communityName',
      'users.active',
      'users.version',
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
  if (!u) throw notFound('thing.user');
  return { ...u, active: !!u.active, lockedUntil: await lockedUntilOf(ctx.db, ctx.clock, u.username) };
}

export async function listUsers(ctx: Pick<Ctx, 'db' | 'clock'>): Promise<UserView[]> {
  const ids = await ctx.db.selectFrom('users').select('id').orderBy('id').execute();
  return Promise.all(ids.map((r) => getUser(ctx, r.id)));
}

export interface UpdateUserInput {
  id: number;
  version: number;
  displayName?: string;
  role?: Role;
  communityId?: number | null;
  cadreId?: number | null;
  active?: boolean;
}

export async function updateUser(ctx: Ctx, input: UpdateUserInput): Promise<UserView> {
  return inTx(ctx, async (ctx) => {
    const before = await getUser(ctx, input.id);
    const role = input.role ?? before.role;
    const communityId = role === 'committee' ? (input.communityId !== undefined ? input.communityId : before.communityId) : null;
    if (role === 'committee' && !communityId) throw invalid('users.communityRequired', undefined, [issue('communityId', 'users.pickCommunity')]);
    if (communityId) await assertCommunity(ctx, communityId);
    const cadreId = role === 'cadre' ? (input.cadreId !== undefined ? input.cadreId : before.cadreId) : null;
    if (role === 'cadre' && !cadreId) throw invalid('users.cadreRequired', undefined, [issue('cadreId', 'users.pickCadre')]);
    if (cadreId) await assertCadreFree(ctx, cadreId, input.id);
    if (before.role === 'admin' && (role !== 'admin' || input.active === false)) await assertAnotherAdmin(ctx, input.id);
    const patch = {
      displayName: input.displayName ?? before.displayName,
      role,
      communityId,
      cadreId,
      active: input.active === undefined ? (before.active ? 1 : 0) : input.active ? 1 : 0,
    };
    await updateVersioned(ctx, 'users', input.id, input.version, patch, 'thing.user');
    await audit(ctx, {
      action: 'user.update',
      entity: 'user',
      entityId: input.id,
      before: { displayName: before.displayName, role: before.role, communityId: before.communityId, cadreId: before.cadreId, active: before.active },
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

// A hash of nothing anyone can type: an unknown or disabled name costs the same scrypt work as a real check.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Checks a password from one source ('local', 'device:<id>'). An unknown name, a disabled account and a wrong password
 * get the same answer after the same work; failures slow down and then lock that name on that source only
 * (login-throttle.ts). Success and every refusal are audited, the refusal with its real reason.
 */
export async function login(ctx: Ctx, username: string, password: string, source: string = LOCAL_SOURCE): Promise<Actor> {
  const now = ctx.clock.now();
  const found = await ctx.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  // A server bound to a subdistrict (db/engine.ts boundSubdistrict) takes only its own subdistrict's accounts: another
  // one's is an unknown name (the database's row-level security hides it too).
  const u = found && (await inBoundSubdistrict(ctx.db, found.id)) ? found : undefined;
  const refuse = async (reason: string, error: AppError, extra: Record<string, unknown> = {}) => {
    await audit(
      { ...ctx, actor: { ...ctx.actor, username } },
      { action: 'auth.login_failed', entity: 'user', entityId: u?.id ?? null, extra: { reason, source, ...extra } },
    );
    return error;
  };
  const { lockAfter, lockMinutes } = LOGIN_THROTTLE;
  const gate = await throttleGate(ctx.db, username, source, now);
  if (gate.kind === 'locked') {
    const minutes = Math.max(1, Math.ceil((gate.until.getTime() - now.getTime()) / 60_000));
    throw await refuse('locked', fail('LOCKED', 'auth.locked', { tries: lockAfter, minutes }), { failures: gate.failures });
  }
  if (gate.kind === 'throttled') {
    throw await refuse('throttled', fail('THROTTLED', 'auth.throttled', { seconds: waitSeconds(gate.waitMs) }), { failures: gate.failures });
  }
  const claim = await claimAttempt(ctx.db, username, source, gate, now);
  if (!claim) {
    // Another attempt for this name from this source was counted since the gate read it.
    const seconds = waitSeconds(throttleDelayMs(gate.failures + 1));
    throw await refuse('throttled', fail('THROTTLED', 'auth.throttled', { seconds }), { failures: gate.failures + 1 });
  }
  const real = !!u && !!u.active;
  const good = await verifyPassword(password, real ? u.passwordHash : DUMMY_HASH);
  if (!good || !real) {
    const reason = !u ? 'unknown_user' : !u.active ? 'inactive' : 'bad_password';
    if (claim.lockedUntil) {
      throw await refuse(reason, fail('LOCKED', 'auth.lockedNow', { tries: lockAfter, minutes: lockMinutes }), {
        failures: claim.failures,
        lockedUntil: isoIn(claim.lockedUntil, ctx.clock.timeZone),
      });
    }
    throw await refuse(reason, fail('UNAUTHENTICATED', 'auth.badCredentials'), { failures: claim.failures });
  }
  await clearAttempts(ctx.db, username, source);
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
    const { username } = await ctx.db.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirstOrThrow();
    await clearAllAttempts(ctx.db, username);
    await audit(ctx, { action, entity: 'user', entityId: userId });
  });
}

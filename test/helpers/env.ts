// Test fixtures: a real SQLite database built by the real migrations, a fixed clock, and logged-in sessions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR, type Actor } from '../../electron/domain/actor.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { call, dispatch, type CallerInfo } from '../../electron/api/dispatch.ts';
import { setOrgIdentity, ensureCommunity } from '../../electron/domain/places.ts';
import { createUser } from '../../electron/domain/users.ts';
import { openTestPgDatabase, testPgUrl } from './pg-db.ts';
import { pgAsDbHandle } from '../../electron/db/postgres.ts';

export const PASSWORD = 'demo1234';

export function tempDir(prefix = 'idesk-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Points the system temp folder (TMPDIR) at a fresh folder for the tests of one file, and puts it back after them.
 * Call at the top level of a test file; returns a getter of the folder.
 */
export function isolatedTmpdir(prefix: string, hooks: { beforeAll: (fn: () => void) => void; afterAll: (fn: () => void) => void }): () => string {
  let tmp = '';
  let saved: string | undefined;
  hooks.beforeAll(() => {
    tmp = tempDir(prefix);
    saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
  });
  hooks.afterAll(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return () => tmp;
}

export interface TestEnv {
  handle: DbHandle;
  env: ApiEnv;
  clock: ReturnType<typeof fixedClock>;
  ctx: (actor?: Actor) => Ctx;
  communities: { a: number; b: number };
  /** Logs in through the API and returns the session key. */
  login: (username: string, password?: string) => Promise<string>;
  call: typeof call extends (env: ApiEnv, ...rest: infer R) => infer O ? (...rest: R) => O : never;
  /** `caller.deviceId`: the paired device the call comes from, as the office server passes it (none: this PC). */
  dispatch: (channel: string, input: unknown, sessionKey: string, caller?: CallerInfo) => ReturnType<typeof dispatch>;
  close: () => Promise<void>;
}

/** Two communities (西大街社区, 华夏里社区) and the four demo roles; committee1 belongs to 西大街社区. */
export async function makeEnv(opts: { file?: string; now?: string } = {}): Promise<TestEnv> {
  // Under `npm run test:pg` every environment is a fresh PostgreSQL database, a file asked for or not.
  const handle = testPgUrl() ? pgAsDbHandle(await openTestPgDatabase()) : await openDatabase(opts.file ?? ':memory:', { create: true });
  const clock = fixedClock(opts.now ?? '2022-01-20T01:00:00.000Z'); // 09:00 in Shanghai
  const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: opts.file ?? ':memory:' };
  const ctx = (actor: Actor = CLI_ACTOR): Ctx => ({ db: handle.db, actor, clock });
  await setOrgIdentity(ctx(), '广阳区', '解放道街道');
  const a = await ensureCommunity(ctx(), '西大街社区');
  const b = await ensureCommunity(ctx(), '华夏里社区');
  for (const u of [
    { username: 'admin', displayName: '管理员', role: 'admin' as const },
    { username: 'clerk', displayName: '街道王科员', role: 'clerk' as const },
    { username: 'committee1', displayName: '西大街李主任', role: 'committee' as const, communityId: a },
    { username: 'committee2', displayName: '华夏里赵主任', role: 'committee' as const, communityId: b },
    { username: 'official', displayName: '张书记', role: 'official' as const },
  ]) {
    await createUser(ctx(), { ...u, password: PASSWORD });
  }
  let n = 0;
  return {
    handle,
    env,
    clock,
    ctx,
    communities: { a, b },
    login: async (username, password = PASSWORD) => {
      const key = `test-${++n}`;
      await call(env, 'auth.login', { username, password }, key);
      return key;
    },
    call: ((channel: never, input: never, key: never) => call(env, channel, input, key)) as never,
    dispatch: (channel, input, key, caller) => dispatch(env, channel, input, key, caller),
    close: () => handle.close(),
  };
}

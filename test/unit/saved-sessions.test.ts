// The office server's sessions in the database: taken up again by a new process with the account read afresh; never
// in clear; ended by logout, a password reset (all of that user's), a disabled account, a restore (clear); idle ones
// dropped after a day.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { SavedSessions } from '../../electron/server/saved-sessions.ts';
import { dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';

let t: TestEnv;
let saved: SavedSessions;
let env: ApiEnv;
/** A second "process": a new store over the same file. */
const restarted = (): ApiEnv => ({ ...env, sessions: new SessionStore(new SavedSessions(t.handle.sqlite)) });

beforeEach(async () => {
  t = await makeEnv({ file: path.join(tempDir('idesk-saved-'), 'office.db') });
  saved = new SavedSessions(t.handle.sqlite);
  env = { ...t.env, sessions: new SessionStore(saved) };
});
afterEach(() => t.close());

describe('sessions kept by the office server', () => {
  it('a new process takes a session up by its id, which is stored only as a hash', async () => {
    expect((await dispatch(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'dev:1:secret-session-id')).ok).toBe(true);
    const rows = t.handle.sqlite.prepare('SELECT * FROM server_sessions').all() as { key_hash: string }[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('secret-session-id');
    const after = restarted();
    expect(await dispatch(after, 'auth.me', {}, 'dev:1:secret-session-id')).toMatchObject({ ok: true, data: { actor: { username: 'clerk' } } });
    expect(await dispatch(after, 'auth.me', {}, 'dev:1:another-id')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('logout, a password reset and a disabled account end it for the next process too; a restore ends all', async () => {
    await dispatch(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'k-clerk');
    await dispatch(env, 'auth.login', { username: 'committee1', password: 'demo1234' }, 'k-c1');
    await dispatch(env, 'auth.login', { username: 'official', password: 'demo1234' }, 'k-off');
    await dispatch(env, 'auth.logout', {}, 'k-clerk');
    expect(await dispatch(restarted(), 'auth.me', {}, 'k-clerk')).toMatchObject({ ok: false });
    // Disabled behind the server's back (another process): not revived.
    t.handle.sqlite.prepare("UPDATE users SET active = 0 WHERE username = 'official'").run();
    expect(await dispatch(restarted(), 'auth.me', {}, 'k-off')).toMatchObject({ ok: false });
    env.sessions.deleteUser(Number(t.handle.sqlite.prepare("SELECT id FROM users WHERE username = 'committee1'").pluck().get()));
    expect(await dispatch(restarted(), 'auth.me', {}, 'k-c1')).toMatchObject({ ok: false });
    await dispatch(env, 'auth.login', { username: 'admin', password: 'demo1234' }, 'k-admin');
    env.sessions.clear();
    expect(t.handle.sqlite.prepare('SELECT COUNT(*) FROM server_sessions').pluck().get()).toBe(0);
  });

  it('drops sessions idle for more than a day', async () => {
    await dispatch(env, 'auth.login', { username: 'clerk', password: 'demo1234' }, 'k-old');
    expect(saved.prune(t.clock.now().getTime() + 2 * 86_400_000)).toBe(1);
    expect(await dispatch(restarted(), 'auth.me', {}, 'k-old')).toMatchObject({ ok: false });
  });
});

// Accounts: login, failure and logout are audited; one answer for every wrong login; failures throttled per user name
// and source, 10 lock that source for 15 minutes (fixed clock); admin reset unlocks; own change; an idle session ends
// after settings.sessionIdleMinutes with a Chinese message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, PASSWORD, type TestEnv } from '../helpers/env.ts';
import { renderMessage } from '../../electron/shared/messages/index.ts';
import type { UserView } from '../../electron/domain/users.ts';

let t: TestEnv;
beforeEach(async () => {
  t = await makeEnv();
});
afterEach(async () => t.close());

const minutes = (n: number) => new Date(Date.parse('2022-01-20T01:00:00.000Z') + n * 60_000).toISOString();

function auditRows(action: string) {
  return t.handle.sqlite.prepare('SELECT user_name AS userName, entity_id AS entityId, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as {
    userName: string;
    entityId: number | null;
    details: string | null;
  }[];
}

const accounts = async (key: string) => (await t.call('users.list', {}, key)) as UserView[];

function userId(name: string): number {
  return t.handle.sqlite.prepare('SELECT id FROM users WHERE username = ?').pluck().get(name) as number;
}

describe('login and logout are audited', () => {
  it('records success, each kind of failure, and logout', async () => {
    const key = await t.login('clerk');
    expect(auditRows('auth.login')).toEqual([{ userName: 'clerk', entityId: userId('clerk'), details: null }]);

    const bad = await t.dispatch('auth.login', { username: 'clerk', password: 'wrong1234' }, 'k-bad');
    expect(bad).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('用户名或密码不正确') } });
    const nobody = await t.dispatch('auth.login', { username: 'nobody', password: 'wrong1234' }, 'k-bad');
    expect(nobody).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    const failed = auditRows('auth.login_failed');
    expect(failed.map((f) => [f.userName, JSON.parse(f.details!).reason])).toEqual([
      ['clerk', 'bad_password'],
      ['nobody', 'unknown_user'],
    ]);

    expect(await t.call('auth.logout', {}, key)).toBeNull();
    expect(auditRows('auth.logout')).toEqual([{ userName: 'clerk', entityId: userId('clerk'), details: null }]);
    const after = await t.dispatch('auth.me', {}, key);
    expect(after).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: '请先登录。' } });
  });
});

describe('password rules', () => {
  it('need 8+ characters with letters and digits, for new accounts, resets and own changes', async () => {
    const admin = await t.login('admin');
    for (const [pw, msg] of [
      ['abc123', '至少 8 位'],
      ['abcdefgh', '字母和数字'],
      ['12345678', '字母和数字'],
    ] as const) {
      const r = await t.dispatch('users.create', { username: `u${pw}`, displayName: '新人', role: 'clerk', password: pw }, admin);
      expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining(msg) } });
      const reset = await t.dispatch('users.resetPassword', { id: userId('clerk'), newPassword: pw }, admin);
      expect(reset).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining(msg) } });
    }
    const clerk = await t.login('clerk');
    const own = await t.dispatch('auth.changePassword', { oldPassword: PASSWORD, newPassword: 'short1' }, clerk);
    expect(own).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('至少 8 位') } });
    expect(await t.dispatch('users.create', { username: 'newbie', displayName: '新人', role: 'clerk', password: 'abcd1234' }, admin)).toMatchObject({ ok: true });
    await t.login('newbie', 'abcd1234');
  });
});

const T0 = Date.parse('2022-01-20T01:00:00.000Z');
/** Moves the test clock by ms. */
const later = (ms: number) => t.clock.set(new Date(t.clock.now().getTime() + ms).toISOString());
/** A login from this PC, or from paired device `device` of the office server (its source is 'device:<id>'). */
const attempt = (username: string, password: string, device?: number) =>
  t.dispatch('auth.login', { username, password }, `k-${device ?? 'local'}`, device === undefined ? undefined : { deviceId: device });
/** What a caller learns from an answer: its code, key, parameters and Chinese text (or 'ok'). */
const seen = (r: Awaited<ReturnType<typeof attempt>>) => (r.ok ? 'ok' : { code: r.error.code, key: r.error.key, params: r.error.params, message: r.error.message });
const failures = (username: string, source = 'local') =>
  t.handle.sqlite.prepare('SELECT failures FROM login_throttle WHERE username = ? AND source = ?').pluck().get(username, source) as number | undefined;
const failedDetails = () =>
  auditRows('auth.login_failed').map((f) => ({ user: f.userName, ...(JSON.parse(f.details!) as { reason: string; source: string; failures: number }) }));
const BAD = { code: 'UNAUTHENTICATED', key: 'auth.badCredentials', params: undefined, message: '用户名或密码不正确。' };

describe('one answer for every wrong login', () => {
  it('an unknown name, a disabled account and a wrong password get the same code, key and message; the log keeps why', async () => {
    const admin = await t.login('admin');
    const official = (await accounts(admin)).find((u) => u.username === 'official')!;
    await t.call('users.update', { id: official.id, version: official.version, active: false }, admin);

    const wrong = await attempt('clerk', 'wrong1234');
    const nobody = await attempt('nobody', 'wrong1234');
    const disabled = await attempt('official', PASSWORD); // its right password
    expect(seen(wrong)).toEqual(BAD);
    expect(seen(nobody)).toEqual(seen(wrong));
    expect(seen(disabled)).toEqual(seen(wrong));
    expect(renderMessage('en', BAD.key)).toBe('Wrong user name or password.');
    expect(failedDetails()).toEqual([
      { user: 'clerk', reason: 'bad_password', source: 'local', failures: 1 },
      { user: 'nobody', reason: 'unknown_user', source: 'local', failures: 1 },
      { user: 'official', reason: 'inactive', source: 'local', failures: 1 },
    ]);
  });
});

describe('login throttling per user name and source', () => {
  it('each failure makes the next attempt wait longer (200 ms doubling, at most 25 s); a too-early one is not checked', async () => {
    const waits = [200, 400, 800, 1600, 3200, 6400, 12_800, 25_000, 25_000];
    for (const [i, wait] of waits.entries()) {
      expect(seen(await attempt('clerk', 'wrong1234')), `failure ${i + 1}`).toEqual(BAD);
      later(wait - 1);
      // Too early: refused even with the right password, which is not checked and not counted.
      const early = await attempt('clerk', PASSWORD);
      expect(seen(early), `after failure ${i + 1}`).toEqual({
        code: 'THROTTLED',
        key: 'auth.throttled',
        params: { seconds: 1 },
        message: '尝试过于频繁，请 1 秒后再试。',
      });
      expect(failures('clerk')).toBe(i + 1);
      later(1);
    }
    // The wait is said in whole seconds, rounded up.
    t.clock.set(new Date(T0 + 60 * 60_000).toISOString());
    for (let i = 0; i < 7; i++) {
      await attempt('committee1', 'wrong1234');
      later(25_000);
    }
    later(-25_000 + 100); // 100 ms after the 7th failure: 12.7 s to go
    expect(seen(await attempt('committee1', PASSWORD))).toMatchObject({ code: 'THROTTLED', params: { seconds: 13 }, message: '尝试过于频繁，请 13 秒后再试。' });
    expect(renderMessage('en', 'auth.throttled', { seconds: 13 })).toBe('Too many attempts. Try again in 13 s.');

    // On time, the right password gets in and the row is cleared: the next failure waits 200 ms again.
    later(12_700);
    expect(await attempt('clerk', PASSWORD)).toMatchObject({ ok: true });
    expect(failures('clerk')).toBeUndefined();
    expect(seen(await attempt('clerk', 'wrong1234'))).toEqual(BAD);
    later(199);
    expect(seen(await attempt('clerk', PASSWORD))).toMatchObject({ code: 'THROTTLED' });
    later(1);
    expect(await attempt('clerk', PASSWORD)).toMatchObject({ ok: true });

    const reasons = failedDetails().filter((d) => d.user === 'clerk').map((d) => d.reason);
    expect(reasons).toEqual([...waits.flatMap(() => ['bad_password', 'throttled']), 'bad_password', 'throttled']);
  });

  it('attempts sent at once: only one checks its password, the others are too early', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => attempt('clerk', 'wrong1234')));
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.code)).sort()).toEqual(['THROTTLED', 'THROTTLED', 'THROTTLED', 'THROTTLED', 'UNAUTHENTICATED']);
    expect(failures('clerk')).toBe(1);
    // Even with the right password: one is checked (and lets the user in), the others were too early.
    later(200);
    const right = await Promise.all([1, 2, 3, 4, 5].map(() => attempt('clerk', PASSWORD)));
    expect(right.map((a) => (a.ok ? 'ok' : a.error.code)).sort()).toEqual(['THROTTLED', 'THROTTLED', 'THROTTLED', 'THROTTLED', 'ok']);
  });

  it('10 failures lock the name on that source only, for 15 minutes; an unknown name goes through exactly the same', async () => {
    const run = async (username: string, password: string) => {
      t.clock.set(new Date(T0).toISOString());
      const out: unknown[] = [];
      for (let i = 0; i < 10; i++) {
        out.push(seen(await attempt(username, 'wrong1234', 1)));
        later(25_000);
      }
      out.push(seen(await attempt(username, password, 1)));
      later(14 * 60_000 - 25_000 + 1); // 1 ms less than a minute of the lock left
      out.push(seen(await attempt(username, password, 1)));
      return out;
    };
    const real = await run('clerk', PASSWORD);
    expect(real.slice(0, 9)).toEqual(Array(9).fill(BAD));
    expect(real[9]).toEqual({
      code: 'LOCKED',
      key: 'auth.lockedNow',
      params: { tries: 10, minutes: 15 },
      message: '用户名或密码不正确。已连续输错 10 次，此账号在本机锁定 15 分钟（到时自动解除），或请管理员重置密码解锁。',
    });
    expect(real[10]).toEqual({
      code: 'LOCKED',
      key: 'auth.locked',
      params: { tries: 10, minutes: 15 },
      message: '用户名或密码连续输错 10 次，此账号已在本机锁定，请 15 分钟后再试（到时自动解除），或请管理员重置密码解锁。',
    });
    expect(real[11]).toMatchObject({ code: 'LOCKED', params: { minutes: 1 } });
    expect(await run('nobody', 'whatever1')).toEqual(real);

    // Locked on device:1 only: this PC and another device still log in, and leave device:1 locked.
    t.clock.set(new Date(T0 + 10 * 60_000).toISOString());
    const admin = await t.login('admin');
    expect(await attempt('clerk', PASSWORD, 2)).toMatchObject({ ok: true });
    expect(await attempt('clerk', PASSWORD)).toMatchObject({ ok: true });
    expect(await attempt('clerk', PASSWORD, 1)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    // The account list shows when the lock ends, in office time (09:00 + 9 × 25 s + 15 min).
    const clerk = (await accounts(admin)).find((u) => u.username === 'clerk')!;
    expect(clerk.lockedUntil).toBe('2022-01-20T09:18:45+08:00');

    // The lock ends by itself; then the name starts afresh on device:1.
    t.clock.set(new Date(T0 + 9 * 25_000 + 15 * 60_000).toISOString());
    expect(await attempt('clerk', PASSWORD, 1)).toMatchObject({ ok: true });
    expect(failures('clerk', 'device:1')).toBeUndefined();
    expect((await accounts(admin)).find((u) => u.username === 'clerk')!.lockedUntil).toBeNull();

    const clerkLog = failedDetails().filter((d) => d.user === 'clerk');
    expect(clerkLog.map((d) => d.reason)).toEqual([...Array(10).fill('bad_password'), 'locked', 'locked', 'locked']);
    expect(new Set(clerkLog.map((d) => d.source))).toEqual(new Set(['device:1']));
    expect(clerkLog[9]).toEqual({ user: 'clerk', reason: 'bad_password', source: 'device:1', failures: 10, lockedUntil: '2022-01-20T09:18:45+08:00' });
    expect(failedDetails().filter((d) => d.user === 'nobody').map((d) => d.reason)).toEqual([...Array(10).fill('unknown_user'), 'locked', 'locked']);
  });

  it('failure rows of names that stopped failing a day ago are forgotten when a new one is made; a lock still running is kept', async () => {
    t.clock.set(new Date(T0).toISOString());
    for (let i = 0; i < 3; i++) {
      await attempt(`guess${i}`, 'wrong1234', 1);
      later(25_000);
    }
    for (let i = 0; i < 10; i++) {
      await attempt('clerk', 'wrong1234', 3);
      later(25_000);
    }
    t.handle.sqlite.prepare("UPDATE login_throttle SET locked_until = ? WHERE username = 'clerk'").run(new Date(T0 + 48 * 3600_000).toISOString());
    const rows = () => (t.handle.sqlite.prepare('SELECT username FROM login_throttle ORDER BY username').pluck().all() as string[]);
    expect(rows()).toEqual(['clerk', 'guess0', 'guess1', 'guess2']);
    t.clock.set(new Date(T0 + 23 * 3600_000).toISOString());
    await attempt('guess9', 'wrong1234', 1);
    expect(rows()).toEqual(['clerk', 'guess0', 'guess1', 'guess2', 'guess9']);
    t.clock.set(new Date(T0 + 25 * 3600_000).toISOString());
    await attempt('another', 'wrong1234', 1);
    expect(rows()).toEqual(['another', 'clerk', 'guess9']);
  });

  it('an admin password reset unlocks the name on every source, ends its sessions and is audited', async () => {
    const clerkOld = await t.login('clerk');
    for (const device of [1, undefined]) {
      for (let i = 0; i < 10; i++) {
        await attempt('clerk', 'wrong1234', device);
        later(25_000);
      }
      expect(await attempt('clerk', PASSWORD, device)).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    }
    const admin = await t.login('admin');
    await t.call('users.resetPassword', { id: userId('clerk'), newPassword: 'fresh2022' }, admin);
    expect(t.handle.sqlite.prepare("SELECT COUNT(*) FROM login_throttle WHERE username = 'clerk'").pluck().get()).toBe(0);
    expect(await t.dispatch('auth.me', {}, clerkOld)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(seen(await attempt('clerk', PASSWORD, 1))).toEqual(BAD);
    later(200);
    expect(await attempt('clerk', 'fresh2022', 1)).toMatchObject({ ok: true });
    expect(await attempt('clerk', 'fresh2022')).toMatchObject({ ok: true });
    expect(auditRows('user.reset_password')).toEqual([{ userName: 'admin', entityId: userId('clerk'), details: null }]);
    // Only an account manager may reset.
    const clerk = await t.login('clerk', 'fresh2022');
    expect(await t.dispatch('users.resetPassword', { id: userId('admin'), newPassword: 'taken2022' }, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('own password change', () => {
  it('needs the old password, is audited, and the new one works', async () => {
    const key = await t.login('committee1');
    const wrong = await t.dispatch('auth.changePassword', { oldPassword: 'notmine1', newPassword: 'better2022' }, key);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringContaining('原密码不正确') } });
    expect(await t.dispatch('auth.changePassword', { oldPassword: PASSWORD, newPassword: 'better2022' }, key)).toMatchObject({ ok: true });
    expect(auditRows('user.change_password')).toEqual([{ userName: 'committee1', entityId: userId('committee1'), details: null }]);
    expect(await t.dispatch('auth.login', { username: 'committee1', password: PASSWORD }, 'k')).toMatchObject({ ok: false });
    later(200); // the wait after one failure
    expect(await t.dispatch('auth.login', { username: 'committee1', password: 'better2022' }, 'k')).toMatchObject({ ok: true });
  });
});

describe('idle sessions', () => {
  it('expire after settings.sessionIdleMinutes without a call, with a Chinese message; activity keeps them alive', async () => {
    const admin = await t.login('admin');
    await t.call('settings.update', { sessionIdleMinutes: 10 }, admin);
    const key = await t.login('clerk');
    t.clock.set(minutes(9));
    expect(await t.dispatch('auth.me', {}, key)).toMatchObject({ ok: true }); // activity moves the idle window
    t.clock.set(minutes(19));
    expect(await t.dispatch('auth.me', {}, key)).toMatchObject({ ok: true }); // exactly 10 minutes idle: still in
    t.clock.set(minutes(29) .replace('.000Z', '.001Z'));
    const r = await t.dispatch('residents.list', {}, key);
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: '您已超过 10 分钟未操作，为保护居民信息已自动退出，请重新登录。' } });
    expect(await t.dispatch('auth.me', {}, key)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: '请先登录。' } });
    expect(await t.dispatch('auth.me', {}, admin)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

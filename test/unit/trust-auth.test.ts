// Accounts: login, failure and logout are audited; password rules; lock-out after 5 failures for 15 minutes (fixed
// clock); admin reset; own change; an idle session ends after settings.sessionIdleMinutes with a Chinese message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, PASSWORD, type TestEnv } from '../helpers/env.ts';

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

describe('lock-out', () => {
  it('locks after 5 failures for 15 minutes, even against the right password, then lets the user in', async () => {
    for (let i = 1; i <= 4; i++) {
      const r = await t.dispatch('auth.login', { username: 'clerk', password: 'wrong1234' }, 'k');
      expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.stringContaining(`再错 ${5 - i} 次`) } });
    }
    const fifth = await t.dispatch('auth.login', { username: 'clerk', password: 'wrong1234' }, 'k');
    expect(fifth).toMatchObject({ ok: false, error: { code: 'LOCKED', message: expect.stringContaining('已锁定 15 分钟') } });
    const right = await t.dispatch('auth.login', { username: 'clerk', password: PASSWORD }, 'k');
    expect(right).toMatchObject({ ok: false, error: { code: 'LOCKED', message: expect.stringContaining('15 分钟后再试') } });
    t.clock.set(minutes(14));
    const still = await t.dispatch('auth.login', { username: 'clerk', password: PASSWORD }, 'k');
    expect(still).toMatchObject({ ok: false, error: { code: 'LOCKED', message: expect.stringContaining('1 分钟后再试') } });
    t.clock.set(minutes(15) .replace('.000Z', '.001Z'));
    expect(await t.dispatch('auth.login', { username: 'clerk', password: PASSWORD }, 'k')).toMatchObject({ ok: true });
    const reasons = auditRows('auth.login_failed').map((f) => JSON.parse(f.details!).reason);
    expect(reasons).toEqual(['bad_password', 'bad_password', 'bad_password', 'bad_password', 'locked_now', 'locked', 'locked']);
  });

  it('an admin reset unlocks the account, ends its sessions and is audited', async () => {
    const clerkOld = await t.login('clerk');
    for (let i = 0; i < 5; i++) await t.dispatch('auth.login', { username: 'clerk', password: 'wrong1234' }, 'k');
    expect(await t.dispatch('auth.login', { username: 'clerk', password: PASSWORD }, 'k')).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
    const admin = await t.login('admin');
    await t.call('users.resetPassword', { id: userId('clerk'), newPassword: 'fresh2022' }, admin);
    expect(await t.dispatch('auth.me', {}, clerkOld)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await t.dispatch('auth.login', { username: 'clerk', password: PASSWORD }, 'k')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await t.dispatch('auth.login', { username: 'clerk', password: 'fresh2022' }, 'k')).toMatchObject({ ok: true });
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

// Errors a person can read in their language: every error carries a stable key and parameters from one catalog
// (electron/shared/messages), the Chinese text stays the message (CLI, logs), and the English interface renders the
// same key in English — zod's own English never comes through.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { CATALOG, CATALOG_AREAS, renderMessage, type MessageKey } from '../../electron/shared/messages/index.ts';
import { toErrorData } from '../../electron/shared/errors.ts';

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
// English texts that name the Chinese column headers a list must use.
const CHINESE_ON_PURPOSE = new Set<string>(['import.missingColumns']);

describe('the message catalog', () => {
  const entries = Object.entries(CATALOG) as [MessageKey, readonly [string, string]][];

  it('has Chinese and English for every key, with the same placeholders', () => {
    expect(entries.length).toBeGreaterThan(200);
    for (const [key, [zh, en]] of entries) {
      expect(zh.trim(), key).not.toBe('');
      expect(en.trim(), key).not.toBe('');
      expect(placeholders(en), `${key}: ${en}`).toEqual(placeholders(zh));
      if (!CHINESE_ON_PURPOSE.has(key)) expect(en, key).not.toMatch(CJK);
    }
  });

  it('names each key in one area only (a second copy would silently replace the first)', () => {
    const seen = new Map<string, string>();
    for (const [area, messages] of Object.entries(CATALOG_AREAS)) {
      for (const key of Object.keys(messages)) {
        expect(seen.get(key), `${key} in ${area} and ${seen.get(key)}`).toBeUndefined();
        seen.set(key, area);
      }
    }
    expect(seen.size).toBe(entries.length);
  });

  it('renders parameters and nested messages in the asked language', () => {
    const p = { what: { key: 'thing.user' as const } };
    expect(renderMessage('zh', 'common.conflict', p)).toBe('该用户已被其他人修改，您的修改未保存。请刷新查看最新内容后再改。');
    expect(renderMessage('en', 'common.conflict', p)).toBe('Someone else changed this user; your changes were not saved. Refresh to see the latest and edit again.');
    expect(renderMessage('zh-CN', 'session.idle', { minutes: 30 })).toContain('30 分钟');
  });
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

describe('the code', () => {
  const files = [...sourceFiles('electron'), ...sourceFiles('renderer/src')];

  it('builds no error from raw text (tsc holds AppError/invalid/… to catalog keys; this catches a cast)', () => {
    const raw = /new (AppError|ApiError)\([^,]+,\s*['"`]|\b(invalid|forbidden|notFound|conflict)\(\s*['"`][^'"`]*[\u3400-\u9fff]/;
    const found = files.filter((f) => raw.test(fs.readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('never branches on the text of a message (only on its code or key)', () => {
    const branch = /\.message\s*(===|!==|==|!=)|\.message\.(includes|startsWith|endsWith|match)\(/;
    const lines = (f: string) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => branch.test(l) && !/typeof [\w?.]*\.message/.test(l));
    const found = files.filter((f) => lines(f).length > 0);
    expect(found).toEqual([]);
  });
});

describe('an error through dispatch', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv();
  });
  afterAll(() => t.close());

  it('a 201-character password: the key and limit of the field, Chinese text, English rendering without zod’s words', async () => {
    const r = await t.dispatch('auth.login', { username: 'admin', password: 'a'.repeat(201) }, 'k-long');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'VALIDATION', key: 'zod.input' });
    expect(r.error.fields).toEqual([{ field: 'password', key: 'zod.tooLong', params: { max: 200 }, message: '不能超过 200 个字' }]);
    expect(r.error.message).toBe('输入不正确：password 不能超过 200 个字');
    const en = renderMessage('en', r.error.key, r.error.params);
    expect(en).toBe('Invalid input: password: At most 200 characters');
    expect(renderMessage('en', r.error.fields![0]!.key, r.error.fields![0]!.params)).toBe('At most 200 characters');
    // What went over the wire holds no zod text anywhere.
    expect(JSON.stringify(r.error)).not.toMatch(/Too big|expected|Invalid input:/);
  });

  it('a contract rule and a missing field become catalog keys too', async () => {
    const r = await t.dispatch('auth.login', { username: '', password: 'x' }, 'k-empty');
    expect(r.ok || r.error.fields).toEqual([expect.objectContaining({ field: 'username', key: 'rule.usernameRequired', message: '请输入用户名' })]);
    const missing = await t.dispatch('auth.login', { username: 'admin' }, 'k-missing');
    expect(missing.ok || missing.error.fields).toEqual([expect.objectContaining({ field: 'password', key: 'zod.required' })]);
  });

  it('a domain error carries its key and parameters, and its field problems theirs', async () => {
    const admin = await t.login('admin');
    const input = { username: 'clerk', displayName: '重名', role: 'clerk', password: 'abcd1234' };
    const r = await t.dispatch('users.create', input, admin);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'VALIDATION', key: 'users.usernameTaken', params: { username: 'clerk' }, message: '用户名 clerk 已存在，请换一个' });
    expect(r.error.fields).toEqual([{ field: 'username', key: 'users.usernameExists', message: '用户名已存在' }]);
    expect(renderMessage('en', r.error.key, r.error.params)).toBe('The user name clerk is taken; choose another');
  });

  it('a wrong password and an unknown name: the same key, in English too; a too-early retry says how long to wait', async () => {
    const r = await t.dispatch('auth.login', { username: 'official', password: 'wrong1234' }, 'k-wrong');
    const nobody = await t.dispatch('auth.login', { username: 'nobody', password: 'wrong1234' }, 'k-wrong');
    expect(r.ok || nobody.ok).toBe(false);
    if (r.ok || nobody.ok) return;
    expect(r.error).toEqual({ code: 'UNAUTHENTICATED', key: 'auth.badCredentials', message: '用户名或密码不正确。' });
    expect(nobody.error).toEqual(r.error);
    expect(renderMessage('en', r.error.key, r.error.params)).toBe('Wrong user name or password.');
    const again = await t.dispatch('auth.login', { username: 'official', password: 'wrong1234' }, 'k-wrong');
    expect(again).toMatchObject({ ok: false, error: { code: 'THROTTLED', key: 'auth.throttled', params: { seconds: 1 } } });
    if (!again.ok) expect(renderMessage('en', again.error.key, again.error.params)).toBe('Too many attempts. Try again in 1 s.');
  });

  it('no session: the key the window tells apart, not the text', async () => {
    const r = await t.dispatch('residents.list', {}, 'nobody');
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', key: 'session.required', message: '请先登录。' } });
  });

  it('SQLite failures become storage keys', () => {
    expect(toErrorData(Object.assign(new Error('x'), { code: 'SQLITE_FULL' }))).toMatchObject({ code: 'STORAGE', key: 'storage.diskFull' });
    expect(toErrorData(new Error('boom'))).toMatchObject({ code: 'INTERNAL', key: 'common.internal' });
  });
});

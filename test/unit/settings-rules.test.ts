// settings.update through dispatch on a real database: a bad value is a VALIDATION error naming its field (not
// INTERNAL), nothing is written (settings rows and audit log as they were), and sound values are saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { isAbsoluteFolder, isIanaTimeZone } from '../../electron/shared/formats.ts';

let t: TestEnv;
let admin: string;
beforeEach(async () => {
  t = await makeEnv();
  admin = await t.login('admin');
});
afterEach(() => t.close());

function snapshot() {
  return {
    settings: t.handle.sqlite.prepare('SELECT key, value, updated_at FROM settings ORDER BY key').all(),
    audit: t.handle.sqlite.prepare('SELECT COUNT(*) FROM audit_log').pluck().get(),
  };
}

async function refused(patch: Record<string, unknown>, field: string) {
  const before = snapshot();
  const r = await t.dispatch('settings.update', patch, admin);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe('VALIDATION');
  expect(r.error.fields?.map((f) => f.field)).toContain(field);
  expect(snapshot()).toEqual(before);
  return r.error;
}

describe('settings.update refuses, on the field, what it used to accept or crash on', () => {
  it("cutoffAm '25:00' is a VALIDATION error on cutoffAm (it was INTERNAL 程序内部错误)", async () => {
    const e = await refused({ cutoffAm: '25:00' }, 'cutoffAm');
    expect(e?.message).not.toContain('程序内部错误');
    await refused({ cutoffAm: '9:00' }, 'cutoffAm');
    await refused({ cutoffPm: '18:60' }, 'cutoffPm');
  });

  it('an afternoon cutoff earlier than (or equal to) the morning one is refused on cutoffPm, alone or with cutoffAm', async () => {
    // Alone: checked against the stored morning cutoff (10:00).
    const e = await refused({ cutoffPm: '09:00' }, 'cutoffPm');
    expect(e?.fields).toEqual([{ field: 'cutoffPm', key: 'settings.pmAfterAm', message: expect.stringContaining('晚于上午') }]);
    await refused({ cutoffPm: '10:00' }, 'cutoffPm');
    // Both in one patch.
    await refused({ cutoffAm: '15:00', cutoffPm: '12:00' }, 'cutoffPm');
    // A morning cutoff moved past the stored afternoon one (18:00).
    await refused({ cutoffAm: '19:00' }, 'cutoffPm');
  });

  it("a time zone that is not an IANA name ('Mars/Base', '+08:00', '') is refused on timeZone", async () => {
    await refused({ timeZone: 'Mars/Base' }, 'timeZone');
    await refused({ timeZone: '+08:00' }, 'timeZone');
    await refused({ timeZone: '' }, 'timeZone');
  });

  it("a relative backup folder ('../../tmp/x', 'backups', 'C:x') is refused on backupDir", async () => {
    await refused({ backupDir: '../../tmp/x' }, 'backupDir');
    await refused({ backupDir: 'backups' }, 'backupDir');
    await refused({ backupDir: 'C:x' }, 'backupDir');
  });

  it('sound values are saved and audited', async () => {
    const r = await t.dispatch(
      'settings.update',
      { cutoffAm: '09:30', cutoffPm: '17:00', timeZone: 'Asia/Urumqi', backupDir: 'D:\\隔离备份' },
      admin,
    );
    expect(r).toMatchObject({ ok: true, data: { cutoffAm: '09:30', cutoffPm: '17:00', timeZone: 'Asia/Urumqi', backupDir: 'D:\\隔离备份' } });
    // Empty folder = the default place.
    expect(await t.dispatch('settings.update', { backupDir: '' }, admin)).toMatchObject({ ok: true, data: { backupDir: '' } });
    const actions = t.handle.sqlite.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'settings.update'").pluck().get();
    expect(actions).toBe(2);
  });
});

describe('the checks themselves', () => {
  it('time zones: IANA names (and UTC) pass, offsets and unknown names do not', () => {
    for (const ok of ['Asia/Shanghai', 'UTC', 'Europe/London', 'America/Argentina/Buenos_Aires']) expect(isIanaTimeZone(ok), ok).toBe(true);
    for (const bad of ['Mars/Base', '+08:00', 'GMT+8 ', '', 'Asia/Shanghai;']) expect(isIanaTimeZone(bad), bad).toBe(false);
  });

  it('folders: absolute POSIX, Windows drive and UNC paths pass; relative ones do not', () => {
    for (const ok of ['/srv/backups', 'C:\\x', 'c:/x', 'D:\\隔离备份\\2022', '\\\\server\\share', '\\\\server\\share\\dir']) expect(isAbsoluteFolder(ok), ok).toBe(true);
    for (const bad of ['../../tmp/x', 'backups', './x', 'C:x', '\\\\server', '~/backups']) expect(isAbsoluteFolder(bad), bad).toBe(false);
  });
});

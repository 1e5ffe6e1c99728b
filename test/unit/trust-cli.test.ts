// The command line's backup, restore and verify: a verified copy, a restore that brings the data back and can be
// undone, a corrupted backup refused with nothing changed, and verify reporting the backup folder.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { tempDir } from '../helpers/env.ts';
import { runCli } from '../../electron/cli/run.ts';

const count = (file: string, sql: string) => {
  const raw = new SqliteDatabase(file, { readonly: true });
  try {
    return raw.prepare(sql).pluck().get() as number;
  } finally {
    raw.close();
  }
};

async function seeded() {
  const dir = tempDir('idesk-cli-trust-');
  const file = path.join(dir, 'desk.db');
  expect((await runCli(['seed-demo', '--db', file, '--residents', '30', '--today', '2022-01-20'])).result.code).toBe(0);
  return { dir, file };
}

describe('backup / restore / verify on the command line', () => {
  it('backup --out makes a verified copy; restore --from brings it back; --undo puts the later file back', async () => {
    const { dir, file } = await seeded();
    const people = count(file, 'SELECT COUNT(*) FROM residents');
    const out = path.join(dir, 'copy.db');
    const b = await runCli(['backup', '--db', file, '--out', out, '--json']);
    expect(b.result.code).toBe(0);
    expect(b.result.json).toMatchObject({ ok: true, file: out, problems: [], counts: { residents: people } });
    expect(count(out, 'SELECT COUNT(*) FROM residents')).toBe(people);
    expect(count(file, "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.create' AND user_name = 'cli'")).toBe(1);
    expect((await runCli(['backup', '--db', file, '--out', out, '--json'])).result).toMatchObject({ code: 2, json: { error: { code: 'OUT_EXISTS' } } });

    const raw = new SqliteDatabase(file);
    raw.exec('PRAGMA foreign_keys = OFF; DELETE FROM checkins; DELETE FROM tests; DELETE FROM alerts;');
    raw.close();
    const checkins = count(out, 'SELECT COUNT(*) FROM checkins');
    expect(checkins).toBeGreaterThan(0);

    const r = await runCli(['restore', '--db', file, '--from', out, '--json']);
    expect(r.result.code).toBe(0);
    const movedAside = (r.result.json as { movedAsideAs: string }).movedAsideAs;
    expect(path.basename(movedAside)).toMatch(/^desk\.db\.before-restore-\d{8}-\d{6}$/);
    expect(count(file, 'SELECT COUNT(*) FROM checkins')).toBe(checkins);
    expect(count(file, "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.restore'")).toBe(1);

    const u = await runCli(['restore', '--db', file, '--undo', '--json']);
    expect(u.result).toMatchObject({ code: 0, json: { restoredFrom: movedAside } });
    expect(count(file, 'SELECT COUNT(*) FROM checkins')).toBe(0);
    expect((await runCli(['restore', '--db', file, '--json'])).result).toMatchObject({ code: 2, json: { error: { code: 'USAGE' } } });
  });

  it('backup without --out uses the backup folder; verify reports it; a corrupted backup is refused with nothing changed', async () => {
    const { dir, file } = await seeded();
    const b = await runCli(['backup', '--db', file, '--json']);
    expect(b.result.code).toBe(0);
    const made = (b.result.json as { file: string }).file;
    expect(path.dirname(made)).toBe(path.join(dir, 'backups'));
    expect(path.basename(made)).toMatch(/^isolation-desk-[0-9a-f]{8}-\d{8}-\d{6}-manual\.db$/);
    const v = await runCli(['verify', '--db', file, '--json']);
    expect(v.result.json).toMatchObject({ ok: true, backups: { count: 1, newestVerified: path.basename(made), failed: [] } });
    expect((await runCli(['verify', '--db', file])).result.text).toContain('最近一个校验通过的是 isolation-desk-');

    const size = fs.statSync(made).size;
    const fd = fs.openSync(made, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0x33), 0, 8192, Math.floor(size / 8192 / 2) * 8192);
    fs.closeSync(fd);
    const before = fs.readdirSync(dir).sort();
    const r = await runCli(['restore', '--db', file, '--from', made, '--json']);
    expect(r.result.code).toBe(1);
    expect(r.result.json).toMatchObject({ ok: false, error: { code: 'BLOCKED', message: expect.stringContaining('未通过校验') } });
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });
});

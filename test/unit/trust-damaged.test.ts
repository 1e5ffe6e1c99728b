// A damaged data file: openDatabase refuses it and leaves it as it is; restoreNewestVerified puts the newest backup
// that still verifies in its place (skipping a newer, damaged one) and keeps the damaged file aside, byte for byte.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { makeEnv, tempDir } from '../helpers/env.ts';
import { addPerson, api } from '../helpers/trust.ts';
import { openDatabase, DatabaseOpenError } from '../../electron/db/open.ts';
import { restoreNewestVerified } from '../../electron/db/restore.ts';

function scribble(file: string, at: number, length: number) {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, at);
  fs.closeSync(fd);
}

describe('a damaged database file', () => {
  it('is refused and kept; the newest verified backup is restored and the damaged file kept aside', async () => {
    const dir = tempDir('idesk-damaged-');
    const file = path.join(dir, 'isolation-desk.db');
    const t = await makeEnv({ file });
    const admin = await t.login('admin');
    await addPerson(t, admin, { name: '第一位', communityId: t.communities.a, seq: 1 });
    const good = await api(t, 'backups.create', {}, admin);
    t.clock.set('2022-01-21T01:00:00.000Z'); // another day, so retention keeps both
    const admin2 = await t.login('admin');
    await addPerson(t, admin2, { name: '第二位', communityId: t.communities.a, seq: 2 });
    const newer = await api(t, 'backups.create', {}, admin2);
    expect([good.ok, newer.ok]).toEqual([true, true]);
    await t.close();

    // The newer backup rots on disk after it was verified; then the data file itself is damaged.
    const newerFile = path.join(dir, 'backups', newer.name);
    scribble(newerFile, 0, 100);
    scribble(file, 0, 100);
    const damagedBytes = fs.readFileSync(file);

    const err = await openDatabase(file).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect(err.code).toBe('damaged');
    expect(err.message).toMatch(/已损坏.*原文件已保留.*备份恢复/);
    expect(fs.readFileSync(file).equals(damagedBytes)).toBe(true);

    const r = await restoreNewestVerified(file);
    expect(r).not.toBeNull();
    expect(path.basename(r!.restoredFrom)).toBe(good.name);
    expect(r!.skipped.map((s) => path.basename(s.file))).toEqual([newer.name]);
    expect(path.basename(r!.damagedKeptAs)).toMatch(/^isolation-desk\.db\.damaged-\d{8}-\d{6}$/);
    expect(fs.readFileSync(r!.damagedKeptAs).equals(damagedBytes)).toBe(true);
    // The failed re-verification is recorded, so the backup list shows it.
    expect(JSON.parse(fs.readFileSync(`${newerFile}.json`, 'utf8')).ok).toBe(false);

    const h = await openDatabase(file);
    expect(h.sqlite.prepare('SELECT name FROM residents ORDER BY id').pluck().all()).toEqual(['第一位']);
    await h.close();
  });

  it('with no backup that verifies, nothing is touched and null says so', async () => {
    const dir = tempDir('idesk-damaged-');
    const file = path.join(dir, 'isolation-desk.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 7));
    fs.mkdirSync(path.join(dir, 'backups'));
    fs.writeFileSync(path.join(dir, 'backups', 'isolation-desk-20220101-000000-daily.db'), Buffer.alloc(4096, 1));
    expect(await restoreNewestVerified(file)).toBeNull();
    expect(fs.readFileSync(file).equals(Buffer.alloc(8192, 7))).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['backups', 'isolation-desk.db']);
  });
});

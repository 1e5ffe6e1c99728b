// A full disk (simulated with PRAGMA max_page_count): the write fails with the Chinese STORAGE message, nothing of it
// is half-written, the file stays sound, and once there is room again the same write succeeds.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

let t: TestEnv;
afterEach(async () => t?.close());

const person = (i: number) => ({
  name: `满盘${i}`,
  docType: '居民身份证' as const,
  docNumber: makeIdNumber('131002', '1975-03-04', i),
  phone: '13912345678',
  category: '密接' as const,
  notes: '备注'.repeat(200),
  address: { communityId: t.communities.a, compound: `新建小区${i}`, building: '1', unit: '1', room: String(i) },
  startEpisode: '2022-01-19',
});

describe('disk full', () => {
  it('fails with STORAGE, writes nothing of the failed call, keeps the file sound, and recovers', async () => {
    t = await makeEnv({ file: path.join(tempDir('idesk-full-'), 'a.db') });
    const key = await t.login('clerk');
    const raw = t.handle.sqlite;
    const pages = Number(raw.pragma('page_count', { simple: true }));
    raw.pragma(`max_page_count = ${pages + 3}`);
    const count = (q: string) => raw.prepare(q).pluck().get() as number;
    let ok = 0;
    let failure: { code: string; message: string } | null = null;
    for (let i = 1; i < 300 && !failure; i++) {
      const before = { residents: count('SELECT COUNT(*) FROM residents'), places: count('SELECT COUNT(*) FROM places'), audit: count('SELECT COUNT(*) FROM audit_log') };
      const r = await t.dispatch('residents.create', person(i), key);
      if (r.ok) {
        ok++;
        continue;
      }
      failure = r.error;
      // Nothing of the failed call: no person, no new places or household, no audit row, no episode.
      expect({ residents: count('SELECT COUNT(*) FROM residents'), places: count('SELECT COUNT(*) FROM places'), audit: count('SELECT COUNT(*) FROM audit_log') }).toEqual(before);
    }
    expect(failure).toEqual({ code: 'STORAGE', key: 'storage.diskFull', message: '磁盘空间已满，操作未完成，数据未改动。请清理磁盘空间后重试。' });
    expect(count('SELECT COUNT(*) FROM residents')).toBe(ok);
    expect(count('SELECT COUNT(*) FROM episodes')).toBe(ok);
    expect(count("SELECT COUNT(*) FROM audit_log WHERE action = 'resident.create'")).toBe(ok);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(raw.inTransaction).toBe(false);

    raw.pragma('max_page_count = 1073741823');
    const again = await t.dispatch('residents.create', person(ok + 1), key);
    expect(again).toMatchObject({ ok: true });
    expect(count('SELECT COUNT(*) FROM residents')).toBe(ok + 1);
  });
});

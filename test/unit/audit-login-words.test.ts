// A refused login in the audit list, in both interface languages: its reason, where it came from (this PC or a paired
// device) and the failures in a row are words, not codes. The details are what electron/domain/users.ts login writes.
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import admin from '../../renderer/src/i18n/admin.ts';
import codes from '../../renderer/src/i18n/codes.ts';
import { summaryOf, type AuditRow } from '../../renderer/src/pages/audit/format.ts';

async function tIn(lng: 'zh-CN' | 'en') {
  const i = i18next.createInstance();
  await i.init({
    lng,
    fallbackLng: false,
    ns: ['admin', 'codes'],
    defaultNS: 'admin',
    resources: { [lng]: { admin: admin[lng], codes: codes[lng] } },
    interpolation: { escapeValue: false },
  });
  return i.getFixedT(lng, 'admin');
}

const row = (details: Record<string, unknown>) => ({ purged: false, details }) as unknown as AuditRow;

describe('a refused login in the audit list', () => {
  it('names the reason, the source and the failures in words', async () => {
    const zh = await tIn('zh-CN');
    const en = await tIn('en');
    const throttled = row({ reason: 'throttled', source: 'local', failures: 3 });
    expect(summaryOf(throttled, zh as never)).toMatch(/尝试过于频繁，未核对密码.*本机.*连续失败次数.*3/);
    expect(summaryOf(throttled, en as never)).toMatch(/too many attempts, password not checked.*this PC.*Failures in a row.*3/);
    const locked = row({ reason: 'bad_password', source: 'device:7', failures: 10, lockedUntil: '2022-01-20T09:18:45+08:00' });
    expect(summaryOf(locked, zh as never)).toMatch(/密码错误.*设备 7.*锁定至/);
    expect(summaryOf(locked, en as never)).toMatch(/wrong password.*device 7.*Locked until: 2022-01-20 09:18$/);
    expect(summaryOf(locked, en as never)).not.toMatch(/device:7|throttled|lockedUntil|failures/);
  });
});

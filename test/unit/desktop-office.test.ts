// 设置 › 共享 in the desktop app: the admin starts the office server on the window's own database (same env, same
// sessions) with the saved LAN settings, sees its address and fingerprint, and stops it; elsewhere it cannot be
// started (serve's own status, browser mode).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { desktopOffice } from '../../electron/server/desktop-office.ts';
import { OfficeClient } from '../../electron/server/client.ts';
import { makePairingCodes } from '../../electron/domain/devices.ts';
import type { ServerStatus } from '../../electron/api/contract/office.ts';

let t: TestEnv;
let dir: string;

beforeAll(async () => {
  dir = tempDir('idesk-desk-office-');
  t = await makeEnv({ file: path.join(dir, 'office.db') });
  fs.mkdirSync(path.join(dir, 'ui'));
  fs.writeFileSync(path.join(dir, 'ui', 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""></head><body></body></html>');
});
afterAll(() => t?.close());

describe('the desktop app serves its database from 设置 › 共享', () => {
  it('starts with the saved port on loopback, answers paired PCs, reports itself, stops; only an admin may', async () => {
    const office = desktopOffice(t.env, { staticDir: path.join(dir, 'ui'), dataDir: dir });
    t.env.office = office;
    const admin = await t.login('admin');
    const clerk = await t.login('clerk');
    expect(await t.dispatch('server.start', {}, clerk)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await t.call('settings.update', { serverPort: 15443 + (process.pid % 1000) }, admin);
    const started = (await t.call('server.start', {}, admin)) as ServerStatus;
    try {
      expect(started).toMatchObject({ running: true, canControl: true, host: '127.0.0.1' });
      expect(started.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      // A paired PC logs in to the same sessions store and database the window uses.
      const pc = new OfficeClient(started.url!, started.fingerprint!);
      const [code] = (await makePairingCodes(t.ctx(), 1)).codes;
      expect((await pc.pair(code, '社区电脑')).ok).toBe(true);
      expect(await pc.login('clerk', 'demo1234')).toMatchObject({ ok: true });
      pc.close();
      const actions = (await t.handle.db.selectFrom('auditLog').select('action').where('action', 'like', 'server.%').execute()).map((r) => r.action);
      expect(actions).toContain('server.start');
    } finally {
      const stopped = await t.call('server.stop', {}, admin);
      expect(stopped).toMatchObject({ running: false, url: null });
    }
    expect(await t.dispatch('server.stop', {}, admin)).toMatchObject({ ok: false, error: { key: 'server.notRunning' } });
  });

  it('where no office control is given (browser mode), start is refused with a reason', async () => {
    t.env.office = undefined;
    const admin = await t.login('admin');
    expect(await t.dispatch('server.start', {}, admin)).toMatchObject({ ok: false, error: { key: 'server.notHere' } });
    expect(await t.call('server.status', {}, admin)).toMatchObject({ running: false, canControl: false });
  });
});

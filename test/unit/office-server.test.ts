// The office server's contract over the network, on 127.0.0.1 with a real certificate, a real database file and real
// pinned clients: pairing (reused, expired, guessed codes; revoked devices), server-made sessions, 20 PCs saving the
// same resident at once, community scope over every path (get, list, update, move, export, reveal, live feed),
// idempotent retries through a proxy that loses replies, and a client that refuses any other certificate.
// Engine-neutral: under `npm run test:pg` makeEnv gives it a PostgreSQL database (the live feed then wakes by LISTEN).
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { startOfficeServer, type OfficeServer } from '../../electron/server/index.ts';
import { makeSelfSigned } from '../../electron/server/tls.ts';
import { OfficeClient, PinMismatchError } from '../../electron/server/client.ts';
import { makePairingCodes } from '../../electron/domain/devices.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { createUser } from '../../electron/domain/users.ts';
import { isPostgres } from '../../electron/db/engine.ts';
import { verifyAuditChain } from '../../electron/db/audit-chain.ts';
import type { LiveMessage } from '../../electron/server/live.ts';

let t: TestEnv;
let server: OfficeServer;
let dir: string;
const clients: OfficeClient[] = [];
let residentA: number;
let residentB: number;

const ok = <T>(r: { ok: boolean; data?: T; error?: { code: string; message: string } }): T => {
  if (!r.ok) throw new Error(`${r.error?.code}: ${r.error?.message}`);
  return r.data as T;
};

async function codes(n = 1): Promise<string[]> {
  return (await makePairingCodes(t.ctx(), n)).codes;
}

/** A new PC: paired with a fresh code and logged in as `username`. */
async function pc(username?: string, name = 'PC'): Promise<OfficeClient> {
  const c = new OfficeClient(server.url, server.fingerprint!);
  clients.push(c);
  ok(await c.pair((await codes())[0], name));
  if (username) ok(await c.login(username, 'demo1234'));
  return c;
}

beforeAll(async () => {
  dir = tempDir('idesk-office-');
  t = await makeEnv({ file: path.join(dir, 'office.db') });
  const staticDir = path.join(dir, 'renderer');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""></head><body></body></html>');
  const address = (communityId: number, room: string) => ({ communityId, compound: '幸福小区', building: '1', unit: '1', room });
  const a = await createResident(t.ctx(), { name: '甲', docType: '护照', docNumber: 'PA1', category: '密接', phone: '13800000001', address: address(t.communities.a, '101') });
  const b = await createResident(t.ctx(), { name: '乙', docType: '护照', docNumber: 'PB1', category: '密接', phone: '13800000002', address: address(t.communities.b, '102') });
  await startEpisode(t.ctx(), { residentId: a.id, startDate: '2022-01-16' });
  await startEpisode(t.ctx(), { residentId: b.id, startDate: '2022-01-16' });
  residentA = a.id;
  residentB = b.id;
  server = await startOfficeServer({ env: t.env, staticDir, port: 0, tls: { certDir: path.join(dir, 'cert') }, liveIntervalMs: 50, limits: { pair: 1000, pairAll: 1000, login: 1000 } });
  t.env.office = server.control;
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  await t?.close();
});

describe('the office server on the network', () => {
  it('listens on 127.0.0.1 over TLS only, with an owner-only private key and the fingerprint it reports', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.host).toBe('127.0.0.1');
    expect(server.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(path.join(dir, 'cert', 'server-key.pem')).mode & 0o077).toBe(0);
    // Plain HTTP to the port never reaches the API.
    const plain = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write('POST /api/auth.me HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
      let got = '';
      s.on('data', (d) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(3000, () => s.destroy());
    });
    expect(plain).not.toContain('"ok"');
  });

  it('refuses every call of an unpaired PC, with a right password too, and audits it', async () => {
    const c = new OfficeClient(server.url, server.fingerprint!);
    clients.push(c);
    const r = await c.post<{ ok: boolean; error: { code: string } }>('/api/auth.login', { username: 'clerk', password: 'demo1234' });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ ok: false, error: { code: 'DEVICE_UNPAIRED' } });
    c.cookies.set('idesk_device', 'made-up-credential');
    expect((await c.call('auth.me')).ok).toBe(false);
    const refused = await t.handle.db.selectFrom('auditLog').select('action').where('action', '=', 'device.refused').execute();
    expect(refused.length).toBeGreaterThan(0);
  });

  it('pairs with a code once; a reused, expired or guessed code is refused and audited', async () => {
    const [code] = await codes();
    const first = new OfficeClient(server.url, server.fingerprint!);
    const second = new OfficeClient(server.url, server.fingerprint!);
    clients.push(first, second);
    expect(await first.pair(code, '西大街社区电脑')).toMatchObject({ ok: true, data: { name: '西大街社区电脑' } });
    expect(first.cookies.get('idesk_device')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await second.pair(code, '另一台')).toMatchObject({ ok: false, error: { code: 'DEVICE_UNPAIRED', key: 'device.badCode' } });
    // Expired: made 11 minutes ago by the clock.
    const now = t.clock.now().toISOString();
    t.clock.set(new Date(Date.parse(now) - 11 * 60_000).toISOString());
    const [old] = await codes();
    t.clock.set(now);
    expect(await second.pair(old, '另一台')).toMatchObject({ ok: false, error: { key: 'device.badCode' } });
    // Guessing: every wrong code is refused the same way.
    for (const guess of ['00000000', '12345678', '99999999']) expect(await second.pair(guess, 'x')).toMatchObject({ ok: false, error: { key: 'device.badCode' } });
    expect(await second.pair('1234', 'x')).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'device.codeFormat' } });
    const reasons = (await t.handle.db.selectFrom('auditLog').select('details').where('action', '=', 'device.pair_refused').execute()).map((r) => JSON.parse(r.details!).reason);
    expect(reasons).toEqual(expect.arrayContaining(['used', 'expired', 'unknown']));
    const paired = await t.handle.db.selectFrom('auditLog').select('details').where('action', '=', 'device.paired').execute();
    expect(paired.some((p) => JSON.parse(p.details!).name === '西大街社区电脑')).toBe(true);
  });

  it('rate-limits pairing per address so guessing within a code\'s life is hopeless', async () => {
    const strict = await startOfficeServer({ env: t.env, staticDir: path.join(dir, 'renderer'), port: 0, tls: { certDir: path.join(dir, 'cert') }, limits: { pair: 5 } });
    const c = new OfficeClient(strict.url, strict.fingerprint!);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await c.post('/api/devices.pair', { code: String(10_000_000 + i), name: 'x' })).status);
      expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      c.close();
      await strict.close();
    }
  });

  it('makes the session id itself at login; a revoked device is refused at once even with the right password', async () => {
    const c = await pc();
    c.cookies.set('idesk_session', 'f'.repeat(43));
    ok(await c.login('admin', 'demo1234'));
    expect(c.cookies.get('idesk_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.cookies.get('idesk_session')).not.toBe('f'.repeat(43));
    const myId = ok(await c.call<{ deviceId: number | null }>('server.status')).deviceId!;
    expect(myId).toBeGreaterThan(0);
    const credential = c.cookies.get('idesk_device')!;
    const admin = await pc('admin', '管理员电脑');
    expect(ok(await admin.call<{ id: number; revokedAt: string | null }[]>('devices.list')).find((d) => d.id === myId)?.revokedAt).toBeNull();
    ok(await admin.call('devices.revoke', { id: myId }));
    const after = await c.post('/api/auth.me', {});
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ ok: false, error: { code: 'DEVICE_UNPAIRED' } });
    c.cookies.set('idesk_device', credential);
    expect(await c.login('admin', 'demo1234')).toMatchObject({ ok: false, error: { code: 'DEVICE_UNPAIRED' } });
    const revoked = await t.handle.db.selectFrom('auditLog').select('entityId').where('action', '=', 'device.revoke').execute();
    expect(revoked.map((r) => r.entityId)).toContain(myId);
  });
});

describe('many PCs at once', () => {
  it('20 users save the same resident from the same version: one succeeds, 19 get CONFLICT, one audit row', async () => {
    for (let i = 0; i < 20; i++) await createUser(t.ctx(), { username: `clerk${i}`, displayName: `科员${i}`, role: 'clerk', password: 'demo1234' });
    const pcs = await Promise.all(Array.from({ length: 20 }, (_, i) => pc(`clerk${i}`, `电脑${i}`)));
    const got = ok(await pcs[0].call<{ resident: { version: number } }>('residents.get', { id: residentA }));
    const before = await t.handle.db.selectFrom('auditLog').select('id').where('action', '=', 'resident.update').execute();
    const answers = await Promise.all(pcs.map((c, i) => c.call('residents.update', { id: residentA, version: got.resident.version, notes: `第 ${i} 台电脑` })));
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    const refused = answers.filter((a) => !a.ok) as { ok: false; error: { code: string } }[];
    expect(refused).toHaveLength(19);
    expect(new Set(refused.map((a) => a.error.code))).toEqual(new Set(['CONFLICT']));
    const after = await t.handle.db.selectFrom('auditLog').select('id').where('action', '=', 'resident.update').execute();
    expect(after.length - before.length).toBe(1);
  }, 60_000);
});

describe('grouped commits', () => {
  // SQLite: the saves share transactions (one commit serves several). PostgreSQL: each save is a transaction of its
  // own, several at once on the pool (server/idempotency.ts writeAlone); the duplicate that loses the race on the
  // unique index is run again and refused as CONFLICT.
  it('check-ins sent at once share transactions (SQLite) or run side by side (PostgreSQL); a refused one leaves nothing behind; retries get the kept answers', async () => {
    const people: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await createResident(t.ctx(), { name: `组${i}`, docType: '护照', docNumber: `PG${i}`, category: '密接', address: { communityId: t.communities.a, compound: '幸福小区', building: '3', unit: '1', room: String(301 + i) } });
      await startEpisode(t.ctx(), { residentId: r.id, startDate: '2022-01-17' });
      people.push(r.id);
    }
    const pcs = await Promise.all(Array.from({ length: 6 }, (_, i) => pc('clerk', `组电脑${i}`)));
    const before = { ...server.groups };
    const audits = async () => (await t.handle.db.selectFrom('auditLog').select('id').where('action', '=', 'checkin.record').execute()).length;
    const auditBefore = await audits();
    // Twelve saves and a thirteenth for a person the first save records (one of the two is refused as a duplicate).
    const sends = people.map((id, i) => ({ c: pcs[i % 6], input: { residentId: id, date: '2022-01-20', slot: 'pm', temperature: 36.5 }, key: `group-key-${i}` }));
    sends.push({ c: pcs[5], input: { residentId: people[0], date: '2022-01-20', slot: 'pm', temperature: 37.9 }, key: 'group-key-dup' });
    const answers = await Promise.all(sends.map((s) => s.c.call('checkins.record', s.input, { key: s.key })));
    expect(answers.filter((a) => a.ok)).toHaveLength(12);
    expect(answers.filter((a) => !a.ok).map((a) => (a as { error: { code: string } }).error.code)).toEqual(['CONFLICT']);
    const writes = server.groups.writes - before.writes;
    const commits = server.groups.commits - before.commits;
    expect(writes).toBe(13);
    if (isPostgres(t.handle.db)) expect(commits).toBe(13);
    else expect(commits).toBeLessThan(writes);
    // The refused save left no check-in, alert or audit row of its own; the twelve are there once each.
    const saved = await t.handle.db.selectFrom('checkins').select('id').where('date', '=', '2022-01-20').where('slot', '=', 'pm').where('residentId', 'in', people).execute();
    expect(saved).toHaveLength(12);
    expect(await t.handle.db.selectFrom('checkins').select('id').where('temperature', '=', 37.9).execute()).toHaveLength(0);
    expect((await audits()) - auditBefore).toBe(12);
    // Each retry (same device, same key) gets the first answer and writes nothing more.
    const again = await Promise.all(sends.map((s) => s.c.call('checkins.record', s.input, { key: s.key })));
    expect(again).toEqual(answers);
    expect((await audits()) - auditBefore).toBe(12);
    // Written side by side (PostgreSQL) or in groups (SQLite), the audit chain still links every row to the one before.
    const chain = await verifyAuditChain(t.handle.db);
    expect(chain.problems).toEqual([]);
    expect(chain.ok).toBe(true);
  }, 60_000);
});

describe('community scope over the network', () => {
  it('refuses a committee member the other community on get, list, update, move, export and reveal', async () => {
    const c = await pc('committee1', '西大街');
    const get = await c.call('residents.get', { id: residentB });
    expect(get).toMatchObject({ ok: false, error: { code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) } });
    const list = ok(await c.call<{ rows: { id: number }[] }>('residents.list', { communityId: t.communities.b }));
    expect(list.rows.map((r) => r.id)).not.toContain(residentB);
    expect(await c.call('residents.update', { id: residentB, version: 1, notes: 'x' })).toMatchObject({ ok: false });
    const own = ok(await c.call<{ resident: { version: number } }>('residents.get', { id: residentA }));
    const move = await c.call('residents.update', { id: residentA, version: own.resident.version, address: { communityId: t.communities.b, compound: '幸福小区', building: '2', unit: '1', room: '201' } });
    expect(move).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await c.call('reports.export', { report: 'roster', date: '2022-01-20', communityId: t.communities.b })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await c.call('residents.reveal', { id: residentB, field: 'phone' })).toMatchObject({ ok: false });
  });

  it('the live feed tells a committee member of their community only, and a clerk of both', async () => {
    const member = await pc('committee1', '西大街2');
    const clerk = await pc('clerk', '街道');
    const heard: Record<string, LiveMessage[]> = { member: [], clerk: [] };
    const ws1 = await member.live(null, (m) => heard.member.push(m));
    const ws2 = await clerk.live(null, (m) => heard.clerk.push(m));
    try {
      const writer = await pc('clerk', '街道2');
      ok(await writer.call('checkins.record', { residentId: residentB, date: '2022-01-20', slot: 'am', temperature: 36.4 }));
      ok(await writer.call('checkins.record', { residentId: residentA, date: '2022-01-20', slot: 'am', temperature: 36.5 }));
      const seen = (who: string) => heard[who].flatMap((m) => (m.type === 'changes' ? m.changes : []));
      for (let i = 0; i < 100 && !seen('clerk').some((c) => c.table === 'checkins' && seen('clerk').length >= 2); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      const checkinIds = async (residentId: number) => (await t.handle.db.selectFrom('checkins').select('id').where('residentId', '=', residentId).execute()).map((r) => r.id);
      const [idsA, idsB] = [await checkinIds(residentA), await checkinIds(residentB)];
      const memberCheckins = seen('member').filter((c) => c.table === 'checkins').map((c) => c.id);
      const clerkCheckins = seen('clerk').filter((c) => c.table === 'checkins').map((c) => c.id);
      expect(memberCheckins.some((id) => idsA.includes(id))).toBe(true);
      expect(memberCheckins.some((id) => idsB.includes(id))).toBe(false);
      expect(clerkCheckins.some((id) => idsA.includes(id)) && clerkCheckins.some((id) => idsB.includes(id))).toBe(true);
      expect(heard.member[0]).toMatchObject({ type: 'hello' });
    } finally {
      ws1.close();
      ws2.close();
    }
  });

  it('catches a reconnecting client up from its last seq, and refuses the socket without a session', async () => {
    const clerk = await pc('clerk', '重连');
    const first: LiveMessage[] = [];
    const ws = await clerk.live(null, (m) => first.push(m));
    for (let i = 0; i < 40 && !first.length; i++) await new Promise((r) => setTimeout(r, 25));
    const since = first[0].seq;
    ws.close();
    ok(await clerk.call('checkins.record', { residentId: residentA, date: '2022-01-20', slot: 'pm', temperature: 36.6 }));
    const again: LiveMessage[] = [];
    const ws2 = await clerk.live(since, (m) => again.push(m));
    for (let i = 0; i < 40 && again.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    ws2.close();
    const caught = again.find((m) => m.type === 'changes');
    expect(caught && caught.type === 'changes' && caught.changes.some((c) => c.table === 'checkins')).toBe(true);
    const stranger = await pc(undefined, '未登录');
    await expect(stranger.live(null, () => {})).rejects.toThrow(/401/);
  });
});

describe('lost replies and retries', () => {
  it('a proxy that drops the reply: the client retries with the same key and the write is applied once', async () => {
    const c = await pc('clerk', '重试');
    // A proxy on 127.0.0.1 between the PC and the server, holding the server's own certificate (so the pin holds):
    // it passes each request on, and loses the first reply after the server has answered.
    let drop = true;
    const proxy = https.createServer({ cert: fs.readFileSync(server.certFile!), key: fs.readFileSync(path.join(dir, 'cert', 'server-key.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const up = https.request({ host: '127.0.0.1', port: server.port, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${server.port}` }, rejectUnauthorized: false }, (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (d: Buffer) => body.push(d));
          answer.on('end', () => {
            if (drop) {
              drop = false;
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        });
        up.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const via = new OfficeClient(`https://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/`, server.fingerprint!);
    for (const [k, v] of c.cookies) via.cookies.set(k, v);
    try {
      const before = await t.handle.db.selectFrom('checkins').select('id').where('residentId', '=', residentB).where('slot', '=', 'pm').execute();
      expect(before).toHaveLength(0);
      const r = await via.call('checkins.record', { residentId: residentB, date: '2022-01-20', slot: 'pm', temperature: 36.7 }, { key: 'retry-key-0001', retries: 2 });
      expect(r.ok).toBe(true);
      expect(drop).toBe(false);
      const rows = await t.handle.db.selectFrom('checkins').select('id').where('residentId', '=', residentB).where('slot', '=', 'pm').execute();
      expect(rows).toHaveLength(1);
      // The same key again (a third try) answers the first result; another channel under that key is refused.
      expect(await via.call('checkins.record', { residentId: residentB, date: '2022-01-20', slot: 'pm', temperature: 36.7 }, { key: 'retry-key-0001' })).toEqual(r);
      expect(await via.call('alerts.close', { id: 1, version: 1, note: 'x' }, { key: 'retry-key-0001' })).toMatchObject({ ok: false, error: { key: 'server.idempotencyKey' } });
      const audits = await t.handle.db.selectFrom('auditLog').select('id').where('action', 'like', 'checkin.%').where('residentId', '=', residentB).execute();
      expect(audits.length).toBeGreaterThan(0);
    } finally {
      via.close();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});

describe('the client pins the certificate', () => {
  it('refuses a server with another certificate before sending anything', async () => {
    const other = await makeSelfSigned(['127.0.0.1']);
    let received = 0;
    const impostor = tls.createServer({ cert: other.cert, key: other.key }, (s) => {
      s.on('data', (d) => (received += d.length));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', () => r()));
    const c = new OfficeClient(`https://127.0.0.1:${(impostor.address() as net.AddressInfo).port}/`, server.fingerprint!);
    try {
      await expect(c.call('auth.login', { username: 'clerk', password: 'demo1234' })).rejects.toBeInstanceOf(PinMismatchError);
      await new Promise((r) => setTimeout(r, 200));
      expect(received).toBe(0);
    } finally {
      c.close();
      await new Promise<void>((r) => impostor.close(() => r()));
    }
  });
});

// A server on the district reader (issue 17 "a district role reads all", migration 0019): a district account logs in
// to an API core and an office server running on the reader's role, sees both subdistricts' residents, counts and
// dashboard rows, every write channel of the contract is refused before its handler with 区级只读, and its logins,
// reveals and exports are audited in its own chain (the district place's id), which verify walks. Raw SQL as the
// reader still cannot write residents, check-ins, another chain's audit rows or another server's sessions.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runCli } from '../../electron/cli/run.ts';
import { openPostgres, type PgHandle } from '../../electron/db/postgres.ts';
import { verifyPostgres } from '../../electron/db/pg/verify.ts';
import { rowHash, detailsCommit, newNonces, verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { connectionKind } from '../../electron/db/engine.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { ensureCommunity, getOrgRoot } from '../../electron/domain/places.ts';
import { createUser } from '../../electron/domain/users.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { dispatch } from '../../electron/api/dispatch.ts';
import { contract } from '../../electron/api/contract.ts';
import { changesData } from '../../electron/api/define.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { startOfficeServer, type OfficeServer } from '../../electron/server/index.ts';
import { PgSavedSessions } from '../../electron/server/saved-sessions.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { getJob, type JobStatus } from '../../electron/jobs/runner.ts';
import { PG_DISTRICT_READER_DDL } from '../../electron/db/pg/district.ts';
import { adminQuery, pgDatabaseUrl, pgRoleUrl, withPgClient } from '../helpers/pg-db.ts';

const NAME = `idesk_dreader${process.pid}`;
const ROLE_A = `idesk_ra_${process.pid}`;
const ROLE_B = `idesk_rb_${process.pid}`;
const READER = `idesk_rr_${process.pid}`;
const ROLE_PW = 'role-pass-123';
const PASSWORD = 'demo1234';
const DAY = '2022-01-20';
const READ_ONLY_ZH = '区级只读连接，不能修改数据；请到本街道的管理台操作。';

let url: string;
let owner: PgHandle;
let tmp: string;
let districtId: number;
const handles: PgHandle[] = [];
const clock = fixedClock('2022-01-20T01:00:00.000Z');

const roleUrl = (role: string) => pgRoleUrl(url, role, ROLE_PW);

/** A plain client logged in as `role` (raw SQL as that server would send it). */
const asRole = <T>(role: string, fn: (c: pg.Client) => Promise<T>) => withPgClient(roleUrl(role), fn);

interface Side {
  handle: PgHandle;
  env: ApiEnv;
  key: string;
  community: number;
  residents: number[];
}
const side: Record<'a' | 'b' | 'r', Side> = {} as never;

async function api<T>(s: Side, channel: string, input: unknown, key = s.key): Promise<T> {
  const r = await dispatch(s.env, channel, input, key);
  if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.message}`), { code: r.error.code });
  return r.data as T;
}
async function apiError(s: Side, channel: string, input: unknown, key = s.key): Promise<string> {
  const r = await dispatch(s.env, channel, input, key);
  return r.ok ? 'ok' : r.error.code;
}

let seq = 0;
async function person(s: Side, name: string): Promise<number> {
  const r = await api<{ id: number }>(s, 'residents.create', {
    name,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1980-01-01', 200 + ++seq),
    phone: `1380000${String(1000 + seq)}`,
    category: '密接',
    address: { communityId: s.community, compound: '金桥小区', building: '3', unit: '1', room: String(100 + seq) },
    startEpisode: '2022-01-15',
  });
  return r.id;
}

async function core(role: string, login: string): Promise<{ handle: PgHandle; env: ApiEnv; key: string }> {
  const handle = await openPostgres(roleUrl(role), { max: 3, migrate: false });
  handles.push(handle);
  const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: ':memory:', exportDir: path.join(tmp, `exports-${role}`) };
  const key = `k-${login}`;
  const r = await dispatch(env, 'auth.login', { username: login, password: PASSWORD }, key);
  if (!r.ok) throw new Error(`login ${login}: ${r.error.message}`);
  return { handle, env, key };
}

async function cli(...argv: string[]) {
  const r = await runCli(argv);
  expect(`${r.result.text}\n${JSON.stringify(r.result.json)}`, 'no password shows').not.toContain(ROLE_PW);
  return r.result;
}

const auditRows = async (where: string) => (await adminQuery(`SELECT id, chain, user_name, action, entity_id, resident_id FROM audit_log WHERE ${where} ORDER BY id`, NAME)).rows;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${NAME}`);
  url = pgDatabaseUrl(NAME);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-dreader-'));
  const pwFile = path.join(tmp, 'role.txt');
  fs.writeFileSync(pwFile, `${ROLE_PW}\n`);
  const userPw = path.join(tmp, 'user.txt');
  fs.writeFileSync(userPw, `${PASSWORD}\n`);
  expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '甲街道')).code).toBe(0);
  owner = await openPostgres(url, { max: 2 });
  const ctx = { db: owner.db, actor: CLI_ACTOR, clock };
  const rootA = await getOrgRoot(ctx);
  districtId = rootA.districtId;
  const communityA = await ensureCommunity(ctx, '甲一社区');
  await createUser(ctx, { username: 'a_admin', displayName: '甲管理员', role: 'admin', password: PASSWORD });
  let r = await cli('district', 'add-role', '--db', url, '--subdistrict', String(rootA.subdistrictId), '--role', ROLE_A, '--password-file', pwFile);
  expect(r.code, r.text).toBe(0);
  r = await cli('district', 'add-subdistrict', '--db', url, '--name', '乙街道', '--role', ROLE_B, '--password-file', pwFile, '--admin', 'b_admin', '--admin-password-file', userPw);
  expect(r.code, r.text).toBe(0);
  r = await cli('district', 'add-reader', '--db', url, '--role', READER, '--password-file', pwFile);
  expect(r.code, r.text).toBe(0);
  r = await cli('district', 'add-user', '--db', url, '--username', 'qu_lingdao', '--display-name', '区领导', '--password-file', userPw, '--json');
  expect(r.code, r.text).toBe(0);
  expect(r.json).toMatchObject({ username: 'qu_lingdao', role: 'official', districtId, district: '广阳区' });
  // Each refused login below uses a name of its own: a refusal slows that name's next try down (the login throttle,
  // shared by the district), and this clock stands still.
  for (const [u, role] of [['qu_admin', 'admin'], ['qu_x1', 'official'], ['qu_x2', 'clerk'], ['qu_x3', 'official']]) {
    r = await cli('district', 'add-user', '--db', url, '--username', u, '--account-role', role, '--password-file', userPw);
    expect(r.code, r.text).toBe(0);
  }
  const a = await core(ROLE_A, 'a_admin');
  const b = await core(ROLE_B, 'b_admin');
  side.a = { ...a, community: communityA, residents: [] };
  side.b = { ...b, community: 0, residents: [] };
  side.b.community = (await api<{ id: number }>(side.b, 'places.createCommunity', { name: '乙一社区' })).id;
  for (const s of [side.a, side.b]) {
    for (const n of ['张三', '李四']) s.residents.push(await person(s, n));
    await api(s, 'checkins.record', { residentId: s.residents[0], date: DAY, slot: 'am', temperature: 36.5 });
  }
  const rd = await core(READER, 'qu_admin');
  side.r = { ...rd, community: 0, residents: [] };
}, 120_000);

afterAll(async () => {
  for (const h of handles) await h.close().catch(() => {});
  await owner?.close().catch(() => {});
  await adminQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  for (const role of [ROLE_A, ROLE_B, READER]) await adminQuery(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a server on the district reader (区级只读)', () => {
  it('knows its binding kind from the database; its root is the district; the session says read-only', async () => {
    expect(await connectionKind(side.r.handle.db)).toMatchObject({ kind: 'reader', districtId });
    expect((await connectionKind(side.a.handle.db)).kind).toBe('subdistrict');
    expect((await connectionKind(owner.db)).kind).toBe('owner');
    const me = await api<{ readOnly?: boolean; org: { districtId: number; subdistrictId: number; level?: string; district: string }; permissions: string[] }>(side.r, 'auth.me', {});
    expect(me.readOnly).toBe(true);
    expect(me.org).toMatchObject({ districtId, subdistrictId: districtId, level: 'district', district: '广阳区' });
    expect(me.permissions).toContain('residents.read');
    expect(me.permissions).toContain('reports.export');
    expect(me.permissions).not.toContain('residents.write');
    expect(me.permissions).not.toContain('users.manage');
    // A subdistrict's server's session is not read-only.
    expect((await api<{ readOnly?: boolean }>(side.a, 'auth.me', {})).readOnly).toBeUndefined();
  });

  it('sees both subdistricts: residents, totals, communities, dashboard and its rows per community', async () => {
    const page = await api<{ rows: Array<{ id: number }>; total: number }>(side.r, 'residents.list', { withTotal: true });
    expect(page.total).toBe(4);
    expect(page.rows.map((r) => r.id).sort((x, y) => x - y)).toEqual([...side.a.residents, ...side.b.residents].sort((x, y) => x - y));
    const comms = await api<Array<{ id: number; name: string }>>(side.r, 'places.communities', {});
    expect(comms.map((c) => c.id).sort((x, y) => x - y)).toEqual([side.a.community, side.b.community].sort((x, y) => x - y));
    // The place selectors name each community's subdistrict.
    expect(comms.map((c) => c.name).sort()).toEqual(['乙街道 · 乙一社区', '甲街道 · 甲一社区']);
    const dash = await api<{ totals: { underControl: number; checkinsDone: number } }>(side.r, 'dashboard.get', { date: DAY });
    expect(dash.totals.underControl).toBe(4);
    expect(dash.totals.checkinsDone).toBe(2);
    const dashRows = (dash as unknown as { rows: Array<{ communityId: number; community: string; underControl: number }> }).rows;
    expect(dashRows.map((x) => [x.communityId, x.community, x.underControl]).sort()).toEqual(
      [
        [side.a.community, '甲街道 · 甲一社区', 2],
        [side.b.community, '乙街道 · 乙一社区', 2],
      ].sort(),
    );
    // A community's own rows (per compound) of either subdistrict.
    const places = await api<{ rows: Array<{ place: string; underControl: number }> }>(side.r, 'dashboard.places', { date: DAY, communityId: side.b.community });
    expect(places.rows.map((x) => [x.place, x.underControl])).toEqual([['金桥小区', 2]]);
    const detail = await api<{ resident: { id: number } }>(side.r, 'residents.get', { id: side.b.residents[1] });
    expect(detail.resident.id).toBe(side.b.residents[1]);
  });

  it('refuses every write channel of the contract before its handler, with 区级只读, the database unchanged', async () => {
    const before = (await adminQuery('SELECT (SELECT count(*) FROM residents) AS r, (SELECT count(*) FROM audit_log) AS a, (SELECT max(seq) FROM change_log) AS c', NAME)).rows[0];
    const writes = Object.entries(contract).filter(([, d]) => changesData(d));
    expect(writes.length).toBeGreaterThan(50);
    for (const [channel] of writes) {
      // An empty input: were the handler (or even the input check) reached, the answer would be another error.
      const r = await dispatch(side.r.env, channel, {}, side.r.key);
      expect(r.ok, channel).toBe(false);
      if (!r.ok) {
        expect(r.error.code, channel).toBe('READ_ONLY');
        expect(r.error.message, channel).toBe(READ_ONLY_ZH);
      }
    }
    // A well-formed write is refused the same way.
    const r = await dispatch(side.r.env, 'residents.update', { id: side.a.residents[0], version: 1, name: '改名' }, side.r.key);
    expect(r.ok ? 'ok' : r.error.code).toBe('READ_ONLY');
    const after = (await adminQuery('SELECT (SELECT count(*) FROM residents) AS r, (SELECT count(*) FROM audit_log) AS a, (SELECT max(seq) FROM change_log) AS c', NAME)).rows[0];
    expect(after).toEqual(before);
    // The same channels on a subdistrict's server are not refused as read-only.
    expect(await apiError(side.a, 'residents.update', { id: side.a.residents[0], version: 999, name: '改名' })).toBe('CONFLICT');
  });

  it('audits the reader’s logins, reveals and exports in its own chain (the district’s id)', async () => {
    const logins = await auditRows(`action = 'auth.login' AND user_name = 'qu_admin'`);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((x) => Number(x.chain) === districtId)).toBe(true);
    const revealed = await api<{ value: string }>(side.r, 'residents.reveal', { id: side.a.residents[0], field: 'phone' });
    expect(revealed.value).toMatch(/^1380000\d{4}$/);
    const reveals = await auditRows(`user_name = 'qu_admin' AND resident_id = ${side.a.residents[0]}`);
    expect(reveals).toHaveLength(1);
    expect(Number(reveals[0].chain)).toBe(districtId);
    // An audit export is allowed (a file, no data changed) and audited too.
    const exported = await api<{ rows: number }>(side.r, 'audit.export', {});
    expect(exported.rows).toBeGreaterThan(0);
    expect((await auditRows(`user_name = 'qu_admin' AND action = 'audit.export'`)).map((x) => Number(x.chain))).toEqual([districtId]);
    // A failed login at the reader is audited there as well.
    expect(await apiError(side.r, 'auth.login', { username: 'qu_nobody', password: 'wrong-one' }, 'k-bad')).toBe('UNAUTHENTICATED');
    expect((await auditRows(`user_name = 'qu_nobody' AND action = 'auth.login_failed'`)).map((x) => Number(x.chain))).toEqual([districtId]);
    // The reader checks the chains it reads (and records its check in its own chain).
    const check = await api<{ ok: boolean }>(side.r, 'audit.verifyChain', {});
    expect(check.ok).toBe(true);
  });

  it('exports the roster of both subdistricts (unmasked for its admin), audited in the reader’s chain', async () => {
    const { jobId } = await api<{ jobId: string }>(side.r, 'reports.export', { report: 'roster', date: DAY, unmasked: true });
    let job: JobStatus<{ rows: number; masked: boolean; path: string }> | undefined;
    for (let i = 0; i < 600 && (!job || job.state === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = getJob(jobId) as typeof job;
    }
    expect(job?.state, JSON.stringify(job?.error)).toBe('succeeded');
    expect(job?.result).toMatchObject({ rows: 4, masked: false });
    expect(fs.existsSync(job!.result!.path)).toBe(true);
    const rows = await auditRows(`user_name = 'qu_admin' AND action = 'report.export'`);
    expect(rows.map((x) => Number(x.chain))).toEqual([districtId]);
  });

  it('district accounts log in only at a reader’s server; a subdistrict’s accounts not there', async () => {
    expect(await apiError(side.a, 'auth.login', { username: 'qu_x1', password: PASSWORD }, 'k-x1')).toBe('UNAUTHENTICATED');
    expect(await apiError(side.b, 'auth.login', { username: 'qu_x2', password: PASSWORD }, 'k-x2')).toBe('UNAUTHENTICATED');
    expect(await apiError(side.r, 'auth.login', { username: 'a_admin', password: PASSWORD }, 'k-x3')).toBe('UNAUTHENTICATED');
    expect(await apiError(side.r, 'auth.login', { username: 'b_admin', password: PASSWORD }, 'k-x4')).toBe('UNAUTHENTICATED');
    // The owner's server (the command line's connection) does not take a district account either: it writes.
    const ownerEnv: ApiEnv = { db: owner.db, clock, sessions: new SessionStore(), dbFile: ':memory:' };
    const r = await dispatch(ownerEnv, 'auth.login', { username: 'qu_x3', password: PASSWORD }, 'k-x5');
    expect(r.ok ? 'ok' : r.error.code).toBe('UNAUTHENTICATED');
    expect(await apiError(side.r, 'auth.login', { username: 'qu_lingdao', password: PASSWORD }, 'k-ok')).toBe('ok');
    // A taken name is refused anywhere in the district.
    const pw = path.join(tmp, 'user.txt');
    const dup = await cli('district', 'add-user', '--db', url, '--username', 'b_admin', '--password-file', pw);
    expect(dup.code).toBe(1);
  });

  it('verify walks the reader’s chain: sound as it is, a changed row of it is found', async () => {
    const report = await verifyAuditChain(owner.db);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    const all = await verifyPostgres(owner.db);
    expect(all.problems).toEqual([]);
    const chains = (await adminQuery('SELECT DISTINCT chain FROM audit_log ORDER BY 1', NAME)).rows.map((x) => Number(x.chain));
    expect(chains).toContain(districtId);
    const v = await cli('verify', '--db', url, '--json');
    expect(v.code, v.text).toBe(0);
    // Tamper with one row of the reader's chain (as the superuser, its triggers off for the edit).
    const target = (await auditRows(`chain = ${districtId} AND action = 'auth.login'`))[0];
    await adminQuery(`ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET user_name = 'someone' WHERE id = ${target.id}; ALTER TABLE audit_log ENABLE TRIGGER USER`, NAME);
    try {
      const broken = await verifyAuditChain(owner.db);
      expect(broken.ok).toBe(false);
      expect(broken.firstBrokenId).toBe(Number(target.id));
    } finally {
      await adminQuery(`ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET user_name = 'qu_admin' WHERE id = ${target.id}; ALTER TABLE audit_log ENABLE TRIGGER USER`, NAME);
    }
    expect((await verifyAuditChain(owner.db)).ok).toBe(true);
  });

  it('raw SQL as the reader: no write to residents, check-ins, places, users, settings, another chain or another server’s sessions', async () => {
    const aUser = Number((await adminQuery(`SELECT id FROM users WHERE username = 'a_admin'`, NAME)).rows[0].id);
    await asRole(READER, async (c) => {
      expect(Number((await c.query('SELECT count(*) AS n FROM residents')).rows[0].n)).toBe(4);
      await expect(c.query(`UPDATE residents SET name = 'x' WHERE id = ${side.a.residents[0]}`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`DELETE FROM checkins`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`INSERT INTO checkins (resident_id) VALUES (${side.a.residents[0]})`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`UPDATE places SET name = 'x' WHERE level = 'district'`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`UPDATE users SET display_name = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 'now')`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`DELETE FROM audit_log`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`UPDATE audit_log SET action = 'x' WHERE chain = ${districtId}`)).rejects.toThrow(/append-only|cannot|refused|not allowed|audit/i);
      // Another server's sessions: not visible, not writable.
      expect(Number((await c.query(`SELECT count(*) AS n FROM server_sessions WHERE user_id = ${aUser}`)).rows[0].n)).toBe(0);
      await expect(c.query(`INSERT INTO server_sessions (key_hash, user_id, last_seen) VALUES ('h', ${aUser}, 1)`)).rejects.toThrow(/row-level security/);
      // An audit row in subdistrict A's chain, hashed right (so only the chain decides): refused by the policy.
      await c.query('BEGIN');
      try {
        await c.query(`SELECT pg_advisory_xact_lock(${0x1de5_a0d1})`);
        const chainA = Number((await c.query(`SELECT chain FROM audit_log WHERE user_name = 'a_admin' LIMIT 1`)).rows[0].chain);
        const prev = String((await c.query(`SELECT hash FROM audit_log WHERE chain = $1 ORDER BY id DESC LIMIT 1`, [chainA])).rows[0].hash);
        const id = Number((await c.query('SELECT max(id) + 1 AS n FROM audit_log')).rows[0].n);
        const row = { id, at: '2022-01-20T09:00:00.000+08:00', userName: 'a_admin', action: 'auth.login', entity: 'user', entityId: aUser, residentId: null };
        const [nonce] = newNonces(1);
        const hash = rowHash(prev, row, detailsCommit(nonce, null));
        const e = await c
          .query(`INSERT INTO audit_log (id, chain, at, user_name, action, entity, entity_id, resident_id, details, nonce, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, $9)`, [
            id,
            chainA,
            row.at,
            row.userName,
            row.action,
            row.entity,
            row.entityId,
            nonce,
            hash,
          ])
          .catch((x: unknown) => x);
        expect(String(e)).toMatch(/row-level security/);
      } finally {
        await c.query('ROLLBACK');
      }
    });
    // A subdistrict's role still cannot write into the reader's chain.
    await asRole(ROLE_A, async (c) => {
      const e = await c.query(`INSERT INTO audit_log (chain, at, user_name, action, hash, nonce) VALUES (${districtId}, 'x', 'x', 'x', 'x', 'x')`).catch((x: unknown) => x);
      expect(String(e)).toMatch(/row-level security|hash|chain/);
    });
  });

  it('a reader bound before migration 0019 (SELECT only, read-only transactions) gets its writes from the migration', async () => {
    // Put the reader back as 0015 left it, then run 0019's statement for the readers already bound.
    await adminQuery(
      `REVOKE INSERT, UPDATE, DELETE ON audit_log, audit_chain_checks, login_throttle, server_sessions FROM ${READER};
       REVOKE USAGE, UPDATE ON SEQUENCE audit_log_id_seq, audit_chain_checks_id_seq FROM ${READER};
       ALTER ROLE ${READER} SET default_transaction_read_only = on`,
      NAME,
    );
    const old = await core(READER, 'qu_lingdao').catch((e: Error) => e);
    // Its login cannot write its audit row (nor count the attempt): refused, as before 0019.
    expect(String(old)).toMatch(/login qu_lingdao/);
    await adminQuery(PG_DISTRICT_READER_DDL[PG_DISTRICT_READER_DDL.length - 1], NAME);
    const again = await core(READER, 'qu_lingdao');
    expect((await api<{ readOnly?: boolean }>({ ...again, community: 0, residents: [] }, 'auth.me', {})).readOnly).toBe(true);
    const setting = (await adminQuery(`SELECT count(*) AS n FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '${READER}'`, NAME)).rows[0];
    expect(Number(setting.n)).toBe(0);
  });

  it('an office server on the reader: login over HTTP, sessions saved in the database, reads both, writes refused', async () => {
    const handle = await openPostgres(roleUrl(READER), { max: 3, migrate: false });
    handles.push(handle);
    const saved = await PgSavedSessions.open(handle.db, Date.now());
    const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(saved), dbFile: 'postgres', exportDir: path.join(tmp, 'srv-exports') };
    const root = path.join(tmp, 'renderer');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><html><head><meta name="csp-nonce" content=""><title>t</title></head><body></body></html>');
    const server: OfficeServer = await startOfficeServer({ env, staticDir: root, port: 0, tls: false });
    let n = 0;
    const post = (channel: string, input: unknown, cookie?: string) =>
      new Promise<{ status: number; cookie: string; body: { ok: boolean; data?: unknown; error?: { code: string; message: string } } }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: `/api/${channel}`,
            // As the renderer sends every call: with an idempotency key.
            headers: {
              Host: `127.0.0.1:${server.port}`,
              Origin: `http://127.0.0.1:${server.port}`,
              'Content-Type': 'application/json',
              'Idempotency-Key': `reader-test-${++n}`,
              ...(cookie ? { Cookie: cookie } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (x: Buffer) => chunks.push(x));
            res.on('end', () => resolve({ status: res.statusCode!, cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(input));
      });
    try {
      const login = await post('auth.login', { username: 'qu_lingdao', password: PASSWORD });
      expect(login.body.ok, JSON.stringify(login.body)).toBe(true);
      expect((login.body.data as { readOnly?: boolean }).readOnly).toBe(true);
      const cookie = login.cookie;
      const page = await post('residents.list', { withTotal: true }, cookie);
      expect((page.body.data as { total: number }).total).toBe(4);
      const w = await post('checkins.record', { residentId: side.a.residents[1], date: DAY, slot: 'pm', temperature: 36.6 }, cookie);
      expect(w.body).toMatchObject({ ok: false, error: { code: 'READ_ONLY', message: READ_ONLY_ZH } });
      // An export over HTTP (a write in the idempotency sense) runs; nothing is kept under its key on a reader.
      const ex = await post('audit.export', {}, cookie);
      expect(ex.body.ok, JSON.stringify(ex.body)).toBe(true);
      expect(Number((await adminQuery('SELECT count(*) AS n FROM idempotency_keys', NAME)).rows[0].n)).toBe(0);
      await saved.flush();
      const sessions = (await adminQuery(`SELECT s.user_id FROM server_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'qu_lingdao'`, NAME)).rows;
      expect(sessions.length).toBeGreaterThan(0);
      const logout = await post('auth.logout', {}, cookie);
      expect(logout.body.ok).toBe(true);
    } finally {
      await server.close();
      await saved.flush();
    }
  });
});

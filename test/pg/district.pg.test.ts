// A district on one PostgreSQL database (migration 0015, db/pg/district.ts, `district` command): two subdistricts,
// each with its own login role; two API cores, each on its own role's connection, and raw SQL as each role, cannot
// read, list, count, update or export the other's residents, check-ins or audit rows; SET and SET ROLE gain nothing;
// the district reader reads both and writes nothing; each subdistrict's audit chain verifies; verify reports a
// dropped row-level-security policy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import { runCli } from '../../electron/cli/run.ts';
import { openPostgres, type PgHandle } from '../../electron/db/postgres.ts';
import { verifyPostgres } from '../../electron/db/pg/verify.ts';
import { SCOPED_TABLES } from '../../electron/db/pg/district.ts';
import { verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { boundSubdistrict } from '../../electron/db/engine.ts';
import { changesSince } from '../../electron/db/change-log.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { listResidents, type ResidentQuery } from '../../electron/domain/residents-list.ts';
import { ensureCommunity, getOrgRoot } from '../../electron/domain/places.ts';
import { createUser } from '../../electron/domain/users.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import { dispatch } from '../../electron/api/dispatch.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { toErrorData } from '../../electron/shared/errors.ts';
import { adminQuery, pgDatabaseUrl, pgRoleUrl, withPgClient } from '../helpers/pg-db.ts';

const NAME = `idesk_district${process.pid}`;
const ROLE_A = `idesk_ta_${process.pid}`;
const ROLE_B = `idesk_tb_${process.pid}`;
const READER = `idesk_tr_${process.pid}`;
const ROLE_PW = 'role-pass-123';
const PASSWORD = 'demo1234';
const DAY = '2022-01-20';

let url: string;
let owner: PgHandle;
let tmp: string;
const handles: PgHandle[] = [];
const clock = fixedClock('2022-01-20T01:00:00.000Z');

const roleUrl = (role: string) => pgRoleUrl(url, role, ROLE_PW);

/** A plain client logged in as `role` (raw SQL as that server would send it). */
const asRole = <T>(role: string, fn: (c: pg.Client) => Promise<T>) => withPgClient(roleUrl(role), fn);

interface Side {
  handle: PgHandle;
  env: ApiEnv;
  key: string;
  subdistrictId: number;
  community: number;
  residents: number[];
  checkins: number[];
}
const side: Record<'a' | 'b', Side> = {} as never;

async function api<T>(s: Side, channel: string, input: unknown, key = s.key): Promise<T> {
  const r = await dispatch(s.env, channel, input, key);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.data as T;
}
async function apiError(s: Side, channel: string, input: unknown, key = s.key): Promise<string> {
  const r = await dispatch(s.env, channel, input, key);
  if (r.ok) return 'ok';
  return r.error.code;
}

let seq = 0;
async function person(s: Side, name: string): Promise<number> {
  const r = await api<{ id: number }>(s, 'residents.create', {
    name,
    docType: '居民身份证',
    docNumber: makeIdNumber('131002', '1980-01-01', 100 + ++seq),
    category: '密接',
    address: { communityId: s.community, compound: '金桥小区', building: '3', unit: '1', room: String(100 + seq) },
    startEpisode: '2022-01-15',
  });
  return r.id;
}

async function core(role: string, login: string): Promise<{ handle: PgHandle; env: ApiEnv; key: string }> {
  const handle = await openPostgres(roleUrl(role), { max: 3, migrate: false });
  handles.push(handle);
  const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: ':memory:' };
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

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${NAME}`);
  url = pgDatabaseUrl(NAME);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idesk-district-'));
  const pwFile = path.join(tmp, 'role.txt');
  const adminPw = path.join(tmp, 'admin.txt');
  fs.writeFileSync(pwFile, `${ROLE_PW}\n`);
  fs.writeFileSync(adminPw, `${PASSWORD}\n`);
  expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '甲街道')).code).toBe(0);
  owner = await openPostgres(url, { max: 2 });
  const ctx = { db: owner.db, actor: CLI_ACTOR, clock };
  const rootA = await getOrgRoot(ctx);
  const communityA = await ensureCommunity(ctx, '甲一社区');
  // Before a second subdistrict exists, the owner's accounts belong to the only one.
  await createUser(ctx, { username: 'a_admin', displayName: '甲管理员', role: 'admin', password: PASSWORD });
  let r = await cli('district', 'add-role', '--db', url, '--subdistrict', String(rootA.subdistrictId), '--role', ROLE_A, '--password-file', pwFile, '--json');
  expect(r.code, r.text).toBe(0);
  r = await cli('district', 'add-subdistrict', '--db', url, '--name', '乙街道', '--role', ROLE_B, '--password-file', pwFile, '--admin', 'b_admin', '--admin-password-file', adminPw, '--json');
  expect(r.code, r.text).toBe(0);
  const subB = (r.json as { subdistrictId: number }).subdistrictId;
  r = await cli('district', 'add-reader', '--db', url, '--role', READER, '--password-file', pwFile);
  expect(r.code, r.text).toBe(0);
  const a = await core(ROLE_A, 'a_admin');
  const b = await core(ROLE_B, 'b_admin');
  side.a = { ...a, subdistrictId: rootA.subdistrictId, community: communityA, residents: [], checkins: [] };
  side.b = { ...b, subdistrictId: subB, community: 0, residents: [], checkins: [] };
  // Subdistrict B's server makes its community through its own role's connection.
  side.b.community = (await api<{ id: number }>(side.b, 'places.createCommunity', { name: '乙一社区' })).id;
  for (const s of [side.a, side.b]) {
    for (const n of ['张三', '李四']) s.residents.push(await person(s, n));
    const c = await api<{ checkin: { id: number } }>(s, 'checkins.record', { residentId: s.residents[0], date: DAY, slot: 'am', temperature: 36.5 });
    s.checkins.push(c.checkin.id);
  }
}, 120_000);

afterAll(async () => {
  for (const h of handles) await h.close().catch(() => {});
  await owner?.close().catch(() => {});
  await adminQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  for (const role of [ROLE_A, ROLE_B, READER]) await adminQuery(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a district on one PostgreSQL database', () => {
  it('the roles are LOGIN, NOBYPASSRLS, not owners; district list shows the bindings', async () => {
    const roles = (await adminQuery(`SELECT rolname, rolbypassrls, rolsuper, rolcreaterole FROM pg_roles WHERE rolname IN ('${ROLE_A}', '${ROLE_B}', '${READER}') ORDER BY 1`)).rows;
    expect(roles).toHaveLength(3);
    for (const r of roles) expect(r).toMatchObject({ rolbypassrls: false, rolsuper: false, rolcreaterole: false });
    const l = await cli('district', 'list', '--db', url, '--json');
    expect(l.json).toMatchObject({
      subdistricts: [
        { id: side.a.subdistrictId, name: '甲街道', roles: [ROLE_A] },
        { id: side.b.subdistrictId, name: '乙街道', roles: [ROLE_B] },
      ],
      readers: [READER],
    });
    // The core knows its binding, read from the database.
    expect(await boundSubdistrict(side.a.handle.db)).toBe(side.a.subdistrictId);
    expect(await boundSubdistrict(side.b.handle.db)).toBe(side.b.subdistrictId);
    expect(await boundSubdistrict(owner.db)).toBeNull();
    expect((await getOrgRoot({ db: side.b.handle.db })).subdistrict).toBe('乙街道');
  });

  it('district refuses a SQLite file, a bad role name, a short password, a taken name, and a bound role as the caller', async () => {
    const pwFile = path.join(tmp, 'role.txt');
    const short = path.join(tmp, 'short.txt');
    fs.writeFileSync(short, 'abc\n');
    expect((await cli('district', 'list', '--db', path.join(tmp, 'x.db'))).code).toBe(2);
    expect((await cli('district', 'add-reader', '--db', url, '--role', 'Bad-Name', '--password-file', pwFile)).code).toBe(2);
    const weak = await cli('district', 'add-reader', '--db', url, '--role', `idesk_tw_${process.pid}`, '--password-file', short);
    expect(weak.code).toBe(1);
    const dup = await cli('district', 'add-subdistrict', '--db', url, '--name', '乙街道', '--role', `idesk_tx_${process.pid}`, '--password-file', pwFile, '--admin', 'x_admin', '--admin-password-file', pwFile);
    expect(dup.code).toBe(1);
    expect(dup.text).toContain('已有名为 乙街道 的街道');
    const asRoleCli = await cli('district', 'list', '--db', roleUrl(ROLE_A));
    expect(asRoleCli.code).toBe(2);
    expect(asRoleCli.text).toContain('所有者');
    // Nothing of the refused ones was made.
    const made = (await adminQuery(`SELECT rolname FROM pg_roles WHERE rolname IN ('idesk_tw_${process.pid}', 'idesk_tx_${process.pid}')`)).rows;
    expect(made).toEqual([]);
  });

  it('each API core lists, counts and reads only its own residents; the other side’s ids are not found', async () => {
    for (const [me, other] of [
      [side.a, side.b],
      [side.b, side.a],
    ] as const) {
      const page = await api<{ rows: Array<{ id: number }>; total: number }>(me, 'residents.list', { withTotal: true });
      expect(page.rows.map((r) => r.id).sort()).toEqual([...me.residents].sort());
      expect(page.total).toBe(2);
      const dash = await api<{ totals: { underControl: number; checkinsDone: number } }>(me, 'dashboard.get', { date: DAY });
      expect(dash.totals.underControl).toBe(2);
      expect(dash.totals.checkinsDone).toBe(1);
      const comms = await api<Array<{ id: number }>>(me, 'places.communities', {});
      expect(comms.map((c) => c.id)).toEqual([me.community]);
      expect(await apiError(me, 'residents.get', { id: other.residents[0] })).toBe('NOT_FOUND');
      expect(await apiError(me, 'residents.update', { id: other.residents[0], version: 1, name: '改名' })).toBe('NOT_FOUND');
      expect(await apiError(me, 'checkins.correct', { id: other.checkins[0], version: 1, temperature: 39 })).toBe('NOT_FOUND');
      // A resident put into the other side's community is refused, nothing written.
      expect(await apiError(me, 'residents.create', { name: '越界', docType: '居民身份证', category: '密接', address: { communityId: other.community, compound: 'X', building: '1', unit: '1', room: '1' } })).not.toBe('ok');
      const audit = await api<{ rows: Array<{ userName: string }>; total: number }>(me, 'audit.list', { withTotal: true, limit: 200 });
      expect(audit.rows.every((r) => r.userName !== (me === side.a ? 'b_admin' : 'a_admin'))).toBe(true);
      const exported = await api<{ rows: number }>(me, 'audit.export', {});
      expect(exported.rows).toBe(audit.total);
    }
    const names = (await owner.db.selectFrom('residents').select('name').execute()).map((r) => r.name);
    expect(names).not.toContain('改名');
    expect(names).not.toContain('越界');
  });

  it('another subdistrict’s user cannot log in at this server', async () => {
    expect(await apiError(side.a, 'auth.login', { username: 'b_admin', password: PASSWORD }, 'k-x')).toBe('UNAUTHENTICATED');
    expect(await apiError(side.b, 'auth.login', { username: 'a_admin', password: PASSWORD }, 'k-y')).toBe('UNAUTHENTICATED');
    // A username is unique in the whole district, even where the other side cannot see it.
    expect(await apiError(side.b, 'users.create', { username: 'a_admin', displayName: '重名', role: 'clerk', password: PASSWORD })).toBe('VALIDATION');
  });

  it('raw SQL as each role: no rows of the other side to read, count, update, delete or insert; SET and SET ROLE gain nothing', async () => {
    for (const [role, me, other] of [
      [ROLE_A, side.a, side.b],
      [ROLE_B, side.b, side.a],
    ] as const) {
      await asRole(role, async (c) => {
        const count = async (t: string) => Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
        expect(await count('residents')).toBe(2);
        expect(await count('checkins')).toBe(1);
        expect(await count('episodes')).toBe(2);
        expect(await count('resident_places')).toBe(2);
        const chains = (await c.query('SELECT DISTINCT chain FROM audit_log')).rows.map((r) => Number(r.chain));
        expect(chains).toEqual([me.subdistrictId]);
        expect((await c.query('UPDATE residents SET name = $1 WHERE id = $2', ['x', other.residents[0]])).rowCount).toBe(0);
        expect((await c.query('DELETE FROM checkins WHERE id = $1', [other.checkins[0]])).rowCount).toBe(0);
        const refused = await c.query(`UPDATE residents SET community_id = ${other.community} WHERE id = ${me.residents[1]}`).catch((e: unknown) => e);
        expect(String(refused)).toMatch(/row-level security/);
        // Reaching the API, that refusal reads as a record that does not exist.
        expect(toErrorData(refused).code).toBe('NOT_FOUND');
        // The binding is keyed on session_user: neither a setting nor SET ROLE moves it.
        await c.query(`SET idesk.subdistrict = '${other.subdistrictId}'`);
        await c.query(`SELECT set_config('idesk.subdistrict_id', '${other.subdistrictId}', false)`);
        expect(await count('residents')).toBe(2);
        await expect(c.query(`SET ROLE ${other === side.a ? ROLE_A : ROLE_B}`)).rejects.toThrow(/permission denied/);
        await expect(c.query('SET ROLE postgres')).rejects.toThrow(/permission denied/);
        await expect(c.query('SELECT * FROM idesk_bindings')).rejects.toThrow(/permission denied/);
        await expect(c.query(`INSERT INTO idesk_bindings VALUES ('${role}', ${other.subdistrictId}, 'x')`)).rejects.toThrow(/permission denied/);
        await expect(c.query('ALTER TABLE residents DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
        // The district's place (visible to all) cannot be renamed, nor turned into a place of this subdistrict.
        await expect(c.query(`UPDATE places SET name = 'x' WHERE level = 'district'`)).rejects.toThrow(/row-level security/);
        await expect(c.query(`UPDATE places SET level = 'community', parent_id = ${me.subdistrictId} WHERE level = 'district'`)).rejects.toThrow(/level cannot change/);
        // Nor can a place of this subdistrict be hung under the other one.
        await expect(c.query(`UPDATE places SET parent_id = ${other.subdistrictId} WHERE id = ${me.community}`)).rejects.toThrow(/row-level security/);
        const ids = (await c.query('SELECT id FROM residents ORDER BY id')).rows.map((r) => Number(r.id));
        expect(ids).toEqual([...me.residents].sort((x, y) => x - y));
      });
    }
  });

  it('the live feed’s reader (changesSince on the server’s own connection) gives each server only its own rows', async () => {
    for (const [me, other] of [
      [side.a, side.b],
      [side.b, side.a],
    ] as const) {
      const notices = await changesSince(me.handle.db, 0, 10_000);
      const residents = notices.filter((n) => n.table === 'residents').map((n) => n.id);
      expect(residents).toEqual(expect.arrayContaining(me.residents));
      expect(residents.some((id) => other.residents.includes(id))).toBe(false);
      expect(notices.every((n) => n.communityId === null || n.communityId === me.community)).toBe(true);
    }
    // The owner's reader sees both.
    const all = (await changesSince(owner.db, 0, 10_000)).filter((n) => n.table === 'residents').map((n) => n.id);
    expect(all).toEqual(expect.arrayContaining([...side.a.residents, ...side.b.residents]));
  });

  it('the change feed of each server carries only its own subdistrict’s rows', async () => {
    for (const [role, me, other] of [
      [ROLE_A, side.a, side.b],
      [ROLE_B, side.b, side.a],
    ] as const) {
      await asRole(role, async (c) => {
        const rows = (await c.query('SELECT tbl, row_id, community_id FROM change_log')).rows;
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.some((r) => r.tbl === 'residents' && Number(r.row_id) === other.residents[0])).toBe(false);
        expect(rows.some((r) => r.tbl === 'residents' && Number(r.row_id) === me.residents[0])).toBe(true);
      });
    }
  });

  it('the district reader reads both subdistricts and writes nothing', async () => {
    await asRole(READER, async (c) => {
      expect(Number((await c.query('SELECT count(*) AS n FROM residents')).rows[0].n)).toBe(4);
      expect(Number((await c.query('SELECT count(DISTINCT chain) AS n FROM audit_log')).rows[0].n)).toBeGreaterThanOrEqual(2);
      await expect(c.query(`UPDATE residents SET name = 'x' WHERE id = ${side.a.residents[0]}`)).rejects.toThrow(/read-only|permission denied/);
    });
  });

  it('every table with a subdistrict’s data has its policy; a residents page as a role plans the binding once and uses the index', async () => {
    const rls = (await sql<{ t: string; on: boolean }>`SELECT relname AS t, relrowsecurity AS on FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r'`.execute(owner.db)).rows;
    for (const t of Object.keys(SCOPED_TABLES)) expect(rls.find((r) => r.t === t)?.on, t).toBe(true);
    const plan = await asRole(ROLE_A, async (c) => {
      await c.query('SET enable_seqscan = off'); // a 4-row table: ask for the plan a large one gets
      return (await c.query('EXPLAIN SELECT id, name FROM residents ORDER BY community_id, last_day, id LIMIT 50')).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/InitPlan/);
    expect(plan).toMatch(/(Index|Index Only|Bitmap Index) Scan (using|on) residents_community/);
    expect(plan).not.toMatch(/SubPlan/);
    // A whole subdistrict's count goes through a community index too (the policy is a bare `= ANY`).
    const count = await asRole(ROLE_A, async (c) => {
      await c.query('SET enable_seqscan = off');
      return (await c.query('EXPLAIN SELECT count(*) FROM residents')).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(count).toMatch(/Index Cond: \(community_id = ANY/);
  });

  it('each subdistrict’s audit chain verifies, seen by its server and by the owner; verify reports a dropped policy', async () => {
    for (const s of [side.a, side.b]) {
      const mine = await verifyAuditChain(s.handle.db);
      expect(mine.problems).toEqual([]);
      expect(mine.ok).toBe(true);
      const chained = await api<{ ok: boolean }>(s, 'audit.verifyChain', {});
      expect(chained.ok).toBe(true);
    }
    // verify run with a subdistrict's role checks what that role sees (its rows, its chain) and is sound.
    const asA = await cli('verify', '--db', roleUrl(ROLE_A), '--json');
    expect(asA.code, asA.text).toBe(0);
    expect(asA.text).toContain('以街道的数据库角色连接');
    const all = await verifyPostgres(owner.db);
    expect(all.problems).toEqual([]);
    expect(all.sound).toBe(true);
    const chains = (await sql<{ chain: number; n: number }>`SELECT chain, count(*) AS n FROM audit_log GROUP BY chain ORDER BY chain`.execute(owner.db)).rows;
    expect(chains.map((r) => Number(r.chain))).toEqual([0, side.a.subdistrictId, side.b.subdistrictId].sort((x, y) => x - y));
    // An edited row of B's chain breaks B's chain, and is found by the owner's verify.
    await sql`DROP POLICY idesk_scope ON checkins`.execute(owner.db);
    await sql`CREATE POLICY open_all ON residents USING (true)`.execute(owner.db);
    const broken = await verifyPostgres(owner.db);
    expect(broken.sound).toBe(false);
    expect(broken.problems.join('\n')).toMatch(/表 checkins 缺少行级安全策略 idesk_scope/);
    expect(broken.problems.join('\n')).toMatch(/表 residents 上多出一个本软件未创建的行级安全策略 open_all/);
    const v = await cli('verify', '--db', url);
    expect(v.code).toBe(1);
    expect(v.text).toContain('idesk_scope');
  });
});

describe('seed-demo --subdistricts on a district database', () => {
  const DB = `idesk_dseed${process.pid}`;
  const ROLE = `idesk_ts_${process.pid}`;
  afterAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => {});
  });

  it('splits the residents over N subdistricts, each row tied to its own; a role of one sees its share; verify is sound', async () => {
    await adminQuery(`CREATE DATABASE ${DB}`);
    const dbUrl = pgDatabaseUrl(DB);
    const r = await cli('seed-demo', '--db', dbUrl, '--subdistricts', '3', '--residents', '900', '--today', '2022-01-20', '--json');
    expect(r.code, r.text).toBe(0);
    const subs = (r.json as { subdistricts: Array<{ subdistrict: string; residents: number; accounts: string[] }> }).subdistricts;
    expect(subs.map((s) => s.residents)).toEqual([300, 300, 300]);
    expect(subs[1].accounts).toContain('s2_admin');
    const h = await openPostgres(dbUrl, { max: 2 });
    try {
      const per = (await sql<{ sid: number; n: number }>`SELECT p.subdistrict_id AS sid, count(*) AS n FROM residents r JOIN places p ON p.id = r.community_id GROUP BY 1 ORDER BY 1`.execute(h.db)).rows;
      expect(per.map((x) => Number(x.n))).toEqual([300, 300, 300]);
      expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM places WHERE subdistrict_id IS NULL AND level <> 'district'`.execute(h.db)).rows[0].n)).toBe(0);
      expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM users WHERE subdistrict_id IS NULL`.execute(h.db)).rows[0].n)).toBe(0);
      const report = await verifyPostgres(h.db);
      expect(report.problems).toEqual([]);
      // The fill ends with VACUUM ANALYZE (the visibility map for counts from an index alone, the statistics). Whether
      // it can mark the pages all-visible depends on other transactions open on the server meanwhile: not asserted.
      const vac = (await sql<{ v: boolean; a: boolean }>`SELECT last_vacuum IS NOT NULL AS v, last_analyze IS NOT NULL AS a FROM pg_stat_user_tables WHERE relname = 'residents'`.execute(h.db)).rows[0];
      expect(vac).toEqual({ v: true, a: true });
      const second = Number(per[1].sid);
      const pwFile = path.join(tmp, 'seed-role.txt');
      fs.writeFileSync(pwFile, ROLE_PW);
      expect((await cli('district', 'add-role', '--db', dbUrl, '--subdistrict', String(second), '--role', ROLE, '--password-file', pwFile)).code).toBe(0);
      const u = new URL(dbUrl);
      u.username = ROLE;
      u.password = ROLE_PW;
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      try {
        expect(Number((await c.query('SELECT count(*) AS n FROM residents')).rows[0].n)).toBe(300);
        expect((await c.query('SELECT username FROM users ORDER BY 1')).rows.map((x) => x.username)).toContain('s2_admin');
        expect((await c.query('SELECT username FROM users')).rows.map((x) => x.username)).not.toContain('admin');
      } finally {
        await c.end();
      }
      // The role's whole-subdistrict pages are read community by community (residents-list.ts perCommunityWalk): every
      // page and its total equal a plain ORDER BY … OFFSET over the subdistrict's rows read by the owner.
      const role = await openPostgres(u.toString(), { max: 2, migrate: false });
      try {
        const ctx = { db: role.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T07:00:00.000Z') };
        const column = { lastDay: 'r.last_day', name: 'r.name', id: 'r.id' } as const;
        const statusSql = { all: 'TRUE', active: "r.status IN ('isolating', 'monitoring')", due: "r.status IN ('isolating', 'monitoring') AND r.last_day < '2022-01-20'" } as const;
        let compared = 0;
        for (const sortField of ['lastDay', 'name', 'id'] as const) {
          for (const sortDir of ['asc', 'desc'] as const) {
            for (const status of ['all', 'active', 'due'] as const) {
              for (const offset of [0, 40, 270]) {
                const q: ResidentQuery = { sortField, sortDir, status, offset, limit: 40 };
                const page = await listResidents(ctx, q);
                const want = (
                  await sql<{ id: number }>`SELECT r.id FROM residents r JOIN places p ON p.id = r.community_id
                    WHERE p.subdistrict_id = ${second} AND ${sql.raw(statusSql[status])}
                    ORDER BY ${sql.raw(column[sortField])} ${sql.raw(sortDir)}, r.id ${sql.raw(sortDir)} LIMIT 40 OFFSET ${offset}`.execute(h.db)
                ).rows.map((x) => Number(x.id));
                const total = Number(
                  (await sql<{ n: number }>`SELECT count(*) AS n FROM residents r JOIN places p ON p.id = r.community_id WHERE p.subdistrict_id = ${second} AND ${sql.raw(statusSql[status])}`.execute(h.db)).rows[0].n,
                );
                expect(page.rows.map((x) => x.id), JSON.stringify(q)).toEqual(want);
                expect(page.total, JSON.stringify(q)).toBe(total);
                compared += want.length;
              }
            }
          }
        }
        expect(compared).toBeGreaterThan(1000);
      } finally {
        await role.close();
      }
    } finally {
      await h.close();
    }
  });
});

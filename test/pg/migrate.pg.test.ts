// `migrate-to-pg --db F.db --to postgres://…` with real files: a seed-demo SQLite file (300 residents, plus the
// upstream sample list imported into it, so its audit trail names residents) moved into an empty PostgreSQL database
// (ids kept, the original audit chain verbatim) and into one that already holds another subdistrict's seeded data
// (ids moved, every foreign key with them, the original chain archived and verifiable). Each time: verify on
// PostgreSQL passes, every table's count and checksum are equal, a resident's page reads the same through the API,
// the audit chain verifies, the source file is byte for byte unchanged. Bad sources — not a database, a wrong key, a
// newer schema, an older one, a broken chain — and a second migration of the same file are refused with a clear
// message, the target unchanged.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import Sqlite from 'better-sqlite3-multiple-ciphers';
import { cliApi } from '../../electron/cli/context.ts';
import { openDatabase } from '../../electron/db/open.ts';
import { openPostgres, pgAsDbHandle } from '../../electron/db/postgres.ts';
import { verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { checkCountersPg } from '../../electron/db/pg/counters.ts';
import { generateKey, writeKeyFile } from '../../electron/db/keys.ts';
import { cliHidingPassword } from '../helpers/pg-cli.ts';
import { adminQuery, pgDatabaseUrl, testPgUrl } from '../helpers/pg-db.ts';
import { tempDir } from '../helpers/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/sample-upstream-list.xlsx');
const P = `idesk_mig${process.pid}`;
const DBS = ['empty', 'other', 'refuse', 'enc', 'shell'].map((n) => `${P}_${n}`);
const [EMPTY, OTHER, REFUSE, ENC, SHELL] = DBS;
let dir: string;
let source: string;
let password: string;

const cli = (...argv: string[]) => cliHidingPassword(password, argv);

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Every public table's row count and the audit head: what "unchanged" is compared by. */
async function fingerprint(name: string) {
  const c = new pg.Client({ connectionString: pgDatabaseUrl(name) });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1`)).rows;
    const out: Record<string, unknown> = {};
    for (const { t } of tables) out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    if (tables.some((t) => t.t === 'public.audit_log')) out.head = (await c.query('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1')).rows[0] ?? null;
    return out;
  } finally {
    await c.end();
  }
}

/** A resident's page as the API gives it to the clerk's window; `ids: false` leaves out every id (they move). */
async function residentPage(target: string, docNumber: string, ids = true) {
  const pgTarget = target.startsWith('postgres');
  const handle = pgTarget ? pgAsDbHandle(await openPostgres(target, { max: 2 })) : await openDatabase(target);
  try {
    const api = cliApi(handle, target);
    const row = await handle.db.selectFrom('residents').select('id').where('docNumber', '=', docNumber).executeTakeFirstOrThrow();
    const { history, ...page } = await api.call('residents.get', { id: row.id });
    // The page's audit history (each read of the page is audited: the views made on the file come along).
    const seen = history.map((x) => ({ action: x.action, at: x.at, userName: x.userName }));
    const strip = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => ids || !(k === 'id' || /Id$/.test(k))).map(([k, x]) => [k, strip(x)])) : v;
    return { page: strip(page), history: seen };
  } finally {
    await handle.close();
  }
}

type Report = { tables: { table: string; source: number; target: number; sourceChecksum: string; targetChecksum: string; ok: boolean; offset: number; note: string | null }[]; archive: string | null; targetWasEmpty: boolean; source: { sha256: string; chain: { rows: number; head: { id: number; hash: string } } }; renamedUsers: { from: string; to: string }[] };

let witness: string; // the doc number of a resident with check-ins, tests and an episode
type Page = Awaited<ReturnType<typeof residentPage>>;
let before: { page: Page; pageNoIds: Page; sourceChain: { id: number; hash: string }[]; history: { action: string; at: string; userName: string }[] };

beforeAll(async () => {
  for (const d of DBS) await adminQuery(`CREATE DATABASE ${d}`);
  password = decodeURIComponent(new URL(testPgUrl()!).password);
  dir = tempDir('idesk-pgmig-');
  source = path.join(dir, '解放道街道.db');
  expect((await cli('seed-demo', '--db', source, '--residents', '300', '--today', '2022-01-20')).code).toBe(0);
  const imp = await cli('import', 'residents', FIXTURE, '--db', source, '--mode', 'valid-only', '--create-communities', '--stale', 'active', '--other-subdistrict');
  expect(imp.code, imp.text).toBe(0);
  const raw = new Sqlite(source, { readonly: true });
  witness = (
    raw
      .prepare(`SELECT r.doc_number AS d FROM residents r WHERE EXISTS (SELECT 1 FROM tests t WHERE t.resident_id = r.id) ORDER BY (SELECT count(*) FROM checkins c WHERE c.resident_id = r.id) DESC LIMIT 1`)
      .get() as { d: string }
  ).d;
  raw.close();
  const page = await residentPage(source, witness);
  const pageNoIds = await residentPage(source, witness, false);
  const raw2 = new Sqlite(source, { readonly: true });
  const sourceChain = raw2.prepare('SELECT id, hash FROM audit_log ORDER BY id').all() as { id: number; hash: string }[];
  const history = raw2
    .prepare('SELECT a.action, a.at, a.user_name AS userName FROM audit_log a JOIN residents r ON r.id = a.resident_id WHERE r.doc_number = ? ORDER BY a.id DESC')
    .all(witness) as { action: string; at: string; userName: string }[];
  raw2.close();
  expect(history.filter((x) => x.action === 'resident.view')).toHaveLength(2);
  before = { page, pageNoIds, sourceChain, history };
}, 120_000);

afterAll(async () => {
  for (const d of DBS) await adminQuery(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrate-to-pg', () => {
  it('into an empty database: ids kept, every table equal, verify passes, the resident reads the same, the chain is the original', async () => {
    const hash = sha(source);
    const url = pgDatabaseUrl(EMPTY);
    const r = await cli('migrate-to-pg', '--db', source, '--to', url, '--json');
    expect(r.code, r.text).toBe(0);
    const rep = r.json as Report;
    expect(rep.targetWasEmpty).toBe(true);
    expect(rep.archive).toBeNull();
    expect(rep.tables.length).toBeGreaterThan(25);
    for (const t of rep.tables) {
      expect(t.ok, t.table).toBe(true);
      expect(t.target, t.table).toBe(t.source);
      expect(t.targetChecksum, t.table).toBe(t.sourceChecksum);
      expect(t.offset, t.table).toBe(0);
    }
    const n = (t: string) => rep.tables.find((x) => x.table === t)!.target;
    expect(n('residents')).toBe(322);
    expect(n('checkins')).toBeGreaterThan(1000);
    expect(sha(source), 'the source file is not changed').toBe(hash);
    expect(rep.source.sha256).toBe(hash);
    // The text report: a table, and the checks.
    const once = await fingerprint(EMPTY);
    const text = await cli('migrate-to-pg', '--db', source, '--to', url);
    expect(text.code).toBe(1);
    expect(text.text).toContain('已于');
    expect(await fingerprint(EMPTY)).toEqual(once);
    const v = await cli('verify', '--db', url, '--json');
    expect(v.code, v.text).toBe(0);
    expect(v.json).toMatchObject({ counts: { residents: 322 } });
    // Counts equal the source's, table by table, read independently.
    const raw = new Sqlite(source, { readonly: true });
    const h = await openPostgres(url);
    try {
      for (const t of ['residents', 'households', 'episodes', 'checkins', 'tests', 'alerts', 'places', 'supply_requests', 'cadres', 'users'] as const) {
        const s = (raw.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
        expect(Number((await adminQuery(`SELECT count(*) AS n FROM ${t}`, EMPTY)).rows[0].n), t).toBe(s);
      }
      // The chain: the original rows with their ids and hashes, then the migration's own entry; it verifies.
      const chain = await verifyAuditChain(h.db);
      expect(chain).toMatchObject({ ok: true, rows: before.sourceChain.length + 1 });
      const rows = await h.db.selectFrom('auditLog').select(['id', 'hash', 'action', 'details']).orderBy('id').execute();
      expect(rows.slice(0, -1).map((x) => ({ id: x.id, hash: x.hash }))).toEqual(before.sourceChain);
      const last = rows[rows.length - 1];
      expect(last.action).toBe('backup.migrate_to_pg');
      expect(JSON.parse(last.details!)).toMatchObject({ source: { sha256: hash, chain: { head: before.sourceChain[before.sourceChain.length - 1] } }, counts: { residents: 322 } });
      expect(await checkCountersPg(h.db)).toEqual([]);
    } finally {
      raw.close();
      await h.close();
    }
    // The resident's page through the API: the same, ids included.
    const after = await residentPage(url, witness);
    expect(after.page).toEqual(before.page.page);
    expect(after.history).toEqual(before.history);
    // Sequences are past the copied ids: a new person gets a new id.
    const h2 = await openPostgres(url);
    try {
      const { id } = await h2.db.insertInto('importBatches').values({ kind: 'residents', fileName: 'x', userName: 'x', at: 'x', counts: '{}' }).returning('id').executeTakeFirstOrThrow();
      expect(id).toBeGreaterThan(1);
    } finally {
      await h2.close();
    }
  });

  it('into a database that holds another subdistrict: ids moved with every foreign key, the original chain archived and verifiable', async () => {
    const url = pgDatabaseUrl(OTHER);
    expect((await cli('seed-demo', '--db', url, '--residents', '200', '--seed', '7', '--today', '2022-01-20')).code).toBe(0);
    expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '新开路街道')).code).toBe(0);
    const theirs = (await adminQuery(`SELECT md5(string_agg(r::text, ',' ORDER BY id)) AS m, count(*) AS n FROM residents r`, OTHER)).rows;
    const r = await cli('migrate-to-pg', '--db', source, '--to', url, '--json');
    expect(r.code, r.text).toBe(0);
    const rep = r.json as Report;
    expect(rep.targetWasEmpty).toBe(false);
    for (const t of rep.tables) expect(t.ok, t.table).toBe(true);
    expect(rep.tables.find((t) => t.table === 'residents')!.offset).toBe(200);
    expect(rep.renamedUsers.map((u) => u.from)).toContain('admin');
    expect(rep.archive).toMatch(/^idesk_archive_[0-9a-f]+$/);
    // The target's own residents are exactly as they were.
    expect((await adminQuery(`SELECT md5(string_agg(r::text, ',' ORDER BY id)) AS m, count(*) AS n FROM residents r WHERE id <= 200`, OTHER)).rows).toEqual(theirs);
    const v = await cli('verify', '--db', url);
    expect(v.code, v.text).toBe(0);
    const h = await openPostgres(url);
    try {
      expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true });
      // The original chain, with its ids and hashes, verifies in the archive and ends where the file's did.
      const archived = await verifyAuditChain(h.db.withSchema(rep.archive!));
      expect(archived).toMatchObject({ ok: true, rows: before.sourceChain.length, head: before.sourceChain[before.sourceChain.length - 1] });
      expect(await checkCountersPg(h.db)).toEqual([]);
      // Every moved foreign key still names the right row: each migrated person's episodes and check-ins are theirs.
      const wrong = await adminQuery(
        `SELECT count(*) AS n FROM checkins c JOIN episodes e ON e.id = c.episode_id WHERE c.resident_id > 200 AND e.resident_id <> c.resident_id`,
        OTHER,
      );
      expect(Number(wrong.rows[0].n)).toBe(0);
    } finally {
      await h.close();
    }
    // The resident reads the same through the API (ids aside: they moved).
    const after = await residentPage(url, witness, false);
    expect(after.page).toEqual(before.pageNoIds.page);
    // Its audit history came along with the moved resident id (the archive keeps the original ids).
    expect(after.history).toEqual(before.history);
  });

  it('into a database init gave only its names: the same names are merged (the app sees the communities), other names refused', async () => {
    const url = pgDatabaseUrl(SHELL);
    expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '新开路街道')).code).toBe(0);
    const shell = await fingerprint(SHELL);
    const other = await cli('migrate-to-pg', '--db', source, '--to', url);
    expect(other.code).toBe(1);
    expect(other.text).toContain('目标库已用 init 设了名称（广阳区新开路街道）');
    expect(await fingerprint(SHELL)).toEqual(shell);
    expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '解放道街道')).code).toBe(0);
    const r = await cli('migrate-to-pg', '--db', source, '--to', url, '--json');
    expect(r.code, r.text).toBe(0);
    const rep = r.json as Report;
    for (const t of rep.tables) expect(t.ok, t.table).toBe(true);
    expect(rep.tables.find((t) => t.table === 'places')!.note).toContain('与目标库已有的同名区、街道合并');
    expect((await cli('verify', '--db', url)).code).toBe(0);
    // The app's root is the target's own, and the file's communities are under it.
    const raw = new Sqlite(source, { readonly: true });
    const communities = (raw.prepare("SELECT name FROM places WHERE level = 'community' ORDER BY name").all() as { name: string }[]).map((x) => x.name);
    raw.close();
    const h = pgAsDbHandle(await openPostgres(url, { max: 2 }));
    try {
      const seen = await cliApi(h, url).call('places.communities', {});
      expect(seen.map((c) => c.name).sort()).toEqual(communities);
    } finally {
      await h.close();
    }
    expect((await residentPage(url, witness, false)).page).toEqual(before.pageNoIds.page);
  });

  it('refuses a bad source or a second migration with a clear message; the target unchanged', async () => {
    const url = pgDatabaseUrl(REFUSE);
    const untouched = await fingerprint(REFUSE);
    const notDb = path.join(dir, 'not-a-db.db');
    fs.writeFileSync(notDb, crypto.randomBytes(20000));
    const a = await cli('migrate-to-pg', '--db', notDb, '--to', url);
    expect(a.code).toBe(2);
    expect(a.text).toMatch(/已损坏或不是本软件的数据文件|无法打开数据库文件/);
    // A newer schema: a copy with one more migration recorded.
    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(source, newer);
    const w = new Sqlite(newer);
    w.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01')`).run();
    w.close();
    const b = await cli('migrate-to-pg', '--db', newer, '--to', url);
    expect(b.code).toBe(2);
    expect(b.text).toContain('由更新版本的居家隔离管理台创建');
    // An older schema: a copy whose last migration is not recorded.
    const older = path.join(dir, 'older.db');
    fs.copyFileSync(source, older);
    const o = new Sqlite(older);
    o.prepare('DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)').run();
    o.close();
    const c = await cli('migrate-to-pg', '--db', older, '--to', url);
    expect(c.code).toBe(1);
    expect(c.text).toContain('请先用本程序打开一次');
    // A broken chain: a copy with one audit row quietly edited.
    const broken = path.join(dir, 'broken.db');
    fs.copyFileSync(source, broken);
    const x = new Sqlite(broken);
    x.exec('DROP TRIGGER audit_log_no_update');
    x.prepare("UPDATE audit_log SET user_name = 'someone' WHERE id = 2").run();
    x.close();
    const d = await cli('migrate-to-pg', '--db', broken, '--to', url);
    expect(d.code).toBe(1);
    expect(d.text).toContain('审计日志哈希链校验未通过');
    // Nothing of any attempt reached the target: not even the schema.
    expect(await fingerprint(REFUSE)).toEqual(untouched);
    // Usage: the URL and the file the right way round.
    expect((await cli('migrate-to-pg', '--db', url, '--to', source)).code).toBe(2);
  });

  it('an encrypted file: a wrong key is refused (target unchanged); the right key migrates it', async () => {
    const enc = path.join(dir, 'encrypted.db');
    const keyFile = path.join(dir, 'db.key');
    expect((await cli('seed-demo', '--db', enc, '--residents', '50', '--encrypt', '--key-file', keyFile, '--today', '2022-01-20')).code).toBe(0);
    const wrongKey = path.join(dir, 'wrong.key');
    writeKeyFile(wrongKey, generateKey());
    const url = pgDatabaseUrl(ENC);
    const untouched = await fingerprint(ENC);
    const bad = await cli('migrate-to-pg', '--db', enc, '--to', url, '--key-file', wrongKey);
    expect(bad.code).toBe(2);
    expect(bad.text).toMatch(/密钥/);
    const none = await cli('migrate-to-pg', '--db', enc, '--to', url);
    expect(none.code).toBe(2);
    expect(await fingerprint(ENC)).toEqual(untouched);
    const good = await cli('migrate-to-pg', '--db', enc, '--to', url, '--key-file', keyFile, '--json');
    expect(good.code, good.text).toBe(0);
    expect((good.json as Report).tables.find((t) => t.table === 'residents')).toMatchObject({ source: 50, target: 50, ok: true });
    expect((await cli('verify', '--db', url)).code).toBe(0);
  });
});


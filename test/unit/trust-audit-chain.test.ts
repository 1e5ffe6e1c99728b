// The audit trail is tamper-evident: every row is hash-chained (db/audit-chain.ts). With the triggers dropped, an
// altered, deleted, reordered, forged or quietly "scrubbed" row makes verify fail and name the row; a dropped, altered
// or extra trigger alone fails it; a purge keeps the chain valid through its re-anchoring entry; the CLI's exit code
// says so; an existing database's rows are chained by migration 0005.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { sql, type Kysely } from 'kysely';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { addPerson, api } from '../helpers/trust.ts';
import { openDatabase } from '../../electron/db/open.ts';
import { verifyDatabase } from '../../electron/db/verify.ts';
import { AUDIT_TRIGGERS, detailsCommit, rowHash, SCRUBBED_DETAILS, verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { migrations, latestVersion } from '../../electron/db/migrations/index.ts';
import { runPurge } from '../../electron/domain/purgeRun.ts';
import { audit } from '../../electron/domain/audit.ts';
// Tests write made-up action names ('test.*') that the app itself never writes.
import type { AuditAction } from '../../electron/shared/auditActions.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { runCli } from '../../electron/cli/run.ts';

let t: TestEnv | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** A real file with a few dozen audit rows written through the API. */
async function filled() {
  const dir = tempDir('idesk-chain-');
  const file = path.join(dir, 'desk.db');
  t = await makeEnv({ file });
  const clerk = await t.login('clerk');
  for (let i = 0; i < 6; i++) await addPerson(t, clerk, { name: `链测${i}`, communityId: t.communities.a, seq: 700 + i, startEpisode: '2022-01-15' });
  await t.login('admin');
  return { dir, file, env: t };
}

/** Verifies the file from a fresh read-only connection, as the CLI does. */
async function verifyFile(file: string) {
  const h = await openDatabase(file, { readonly: true });
  try {
    return await verifyDatabase(h.sqlite, h.db);
  } finally {
    await h.close();
  }
}

/** Raw access with the protecting triggers dropped: what someone holding the file can do. */
function tamper(file: string, fn: (raw: SqliteDatabase.Database) => void) {
  const raw = new SqliteDatabase(file);
  try {
    for (const name of Object.keys(AUDIT_TRIGGERS)) raw.exec(`DROP TRIGGER IF EXISTS ${name}`);
    fn(raw);
    // Put the triggers back as they were, so only the chain can tell.
    for (const text of Object.values(AUDIT_TRIGGERS)) raw.exec(text);
  } finally {
    raw.close();
  }
}

const ids = (file: string) => {
  const raw = new SqliteDatabase(file, { readonly: true });
  try {
    return raw.prepare('SELECT id FROM audit_log ORDER BY id').pluck().all() as number[];
  } finally {
    raw.close();
  }
};

describe('audit hash chain', () => {
  it('normal writes verify; every row carries a nonce and a 64-hex hash', async () => {
    const { file } = await filled();
    const v = await verifyFile(file);
    expect(v.sound).toBe(true);
    expect(v.auditChain).toMatchObject({ checked: true, ok: true, firstBrokenId: null, problems: [] });
    expect(v.auditChain!.rows).toBeGreaterThan(10);
    expect(v.auditChain!.triggers.map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
    const raw = t!.handle.sqlite;
    expect(raw.prepare("SELECT COUNT(*) FROM audit_log WHERE nonce IS NULL OR length(hash) <> 64").pluck().get()).toBe(0);
    // An unchained row is refused by the database itself.
    expect(() => raw.prepare("INSERT INTO audit_log (at, user_name, action) VALUES ('2022-01-20', 'x', 'y')").run()).toThrow(/chain hash/);
  });

  it('a second connection (a job worker) appending between the first one’s writes keeps one chain', async () => {
    const { file, env } = await filled();
    const other = await openDatabase(file);
    try {
      const ctxOther = { db: other.db, actor: CLI_ACTOR, clock: env.clock };
      await audit(env.ctx(), { action: 'test.a' as AuditAction });
      await audit(ctxOther, { action: 'test.b' as AuditAction });
      await env.handle.db.transaction().execute(async (trx) => {
        await audit({ ...env.ctx(), db: trx }, { action: 'test.c' as AuditAction });
        // The write lock is held from the first audit statement: the other connection cannot append meanwhile.
        other.sqlite.pragma('busy_timeout = 50');
        await expect(audit(ctxOther, { action: 'test.d' as AuditAction })).rejects.toThrow(/locked|busy/i);
      });
      await audit(ctxOther, { action: 'test.e' as AuditAction });
    } finally {
      await other.close();
    }
    expect((await verifyFile(file)).auditChain).toMatchObject({ ok: true });
  });

  it('two processes appending at once (the app and a job worker) never chain off the same row', async () => {
    const { file, env } = await filled();
    const before = ids(file).length;
    const N = 400;
    const child = spawn(process.execPath, [path.resolve('test/helpers/audit-writer.ts'), file, String(N)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let running = true;
    const exited = new Promise<number | null>((r) =>
      child.once('exit', (code) => {
        running = false;
        r(code);
      }),
    );
    // Start once the other process is about to write, and keep writing while it does.
    for (let waited = 0; !out.includes('ready') && running && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    child.stdin.write('go\n');
    let failed = 0;
    let written = 0;
    const errors = new Set<string>();
    while (running || written < N) {
      try {
        await audit(env.ctx(), { action: 'test.main' as AuditAction, extra: { i: written } });
      } catch (e) {
        failed++;
        errors.add((e as Error).message);
      }
      written++;
      if (written % 20 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(await exited).toBe(0);
    expect({ failed, errors: [...errors] }).toEqual({ failed: 0, errors: [] });
    expect(JSON.parse(out.slice(out.indexOf('{')))).toEqual({ failed: 0, errors: [] });
    const raw = env.handle.sqlite;
    // Both writers really interleaved, and every row made it into one chain.
    const actions = raw.prepare("SELECT action FROM audit_log WHERE action IN ('test.main', 'test.worker') ORDER BY id").pluck().all() as string[];
    expect(actions.length).toBe(written + N);
    // (On a quiet machine one writer may run several rows in a row; one switch is enough to show they overlapped.)
    expect(actions.filter((a, i) => i > 0 && a !== actions[i - 1]).length).toBeGreaterThan(0);
    expect(ids(file).length).toBe(before + written + N);
    expect((await verifyFile(file)).auditChain).toMatchObject({ ok: true, rows: before + written + N });
  }, 60_000);

  it('an altered row fails verify and is named', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const target = ids(file)[5];
    tamper(file, (raw) => raw.prepare("UPDATE audit_log SET details = '{\"note\":\"改过\"}' WHERE id = ?").run(target));
    const v = await verifyFile(file);
    expect(v.sound).toBe(false);
    expect(v.auditChain).toMatchObject({ ok: false, firstBrokenId: target });
    expect(v.problems.join('')).toContain(`第 ${target} 条与哈希链不符`);
  });

  it('a changed user name (details untouched) fails verify at that row', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const target = ids(file)[3];
    tamper(file, (raw) => raw.prepare("UPDATE audit_log SET user_name = 'admin' WHERE id = ?").run(target));
    expect((await verifyFile(file)).auditChain).toMatchObject({ ok: false, firstBrokenId: target });
  });

  it('a deleted row fails verify at the row after it', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const all = ids(file);
    tamper(file, (raw) => raw.prepare('DELETE FROM audit_log WHERE id = ?').run(all[4]));
    const v = await verifyFile(file);
    expect(v.auditChain).toMatchObject({ ok: false, firstBrokenId: all[5] });
    expect(v.problems.join('')).toContain(`第 ${all[5]} 条与哈希链不符`);
  });

  it('two rows swapped (reordered) fail verify at the first of them', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const [, , a, , , b] = ids(file);
    tamper(file, (raw) => {
      const cols = 'at, user_name, action, entity, entity_id, resident_id, details, nonce, details_hash, hash';
      const ra = raw.prepare(`SELECT ${cols} FROM audit_log WHERE id = ?`).get(a) as Record<string, unknown>;
      const rb = raw.prepare(`SELECT ${cols} FROM audit_log WHERE id = ?`).get(b) as Record<string, unknown>;
      const set = raw.prepare(
        'UPDATE audit_log SET at = @at, user_name = @user_name, action = @action, entity = @entity, entity_id = @entity_id, resident_id = @resident_id, details = @details, nonce = @nonce, details_hash = @details_hash, hash = @hash WHERE id = @id',
      );
      set.run({ ...rb, id: a });
      set.run({ ...ra, id: b });
    });
    expect((await verifyFile(file)).auditChain).toMatchObject({ ok: false, firstBrokenId: a });
  });

  it('a forged row appended at the end fails verify and is named', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    let forged = 0;
    tamper(file, (raw) => {
      forged = Number(
        raw
          .prepare("INSERT INTO audit_log (at, user_name, action, nonce, hash) VALUES ('2022-01-20T09:00:00+08:00', 'admin', 'user.create', ?, ?)")
          .run('00'.repeat(16), 'ab'.repeat(32)).lastInsertRowid,
      );
    });
    const v = await verifyFile(file);
    expect(v.auditChain).toMatchObject({ ok: false, firstBrokenId: forged });
    expect(v.problems.join('')).toContain(`第 ${forged} 条`);
  });

  it('a row "scrubbed" outside a purge (hash still matching) fails verify: no re-anchor names it', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const target = ids(file)[6];
    tamper(file, (raw) => {
      const r = raw.prepare('SELECT nonce, details FROM audit_log WHERE id = ?').get(target) as { nonce: string; details: string | null };
      raw.prepare('UPDATE audit_log SET details = ?, nonce = NULL, details_hash = ? WHERE id = ?').run(SCRUBBED_DETAILS, detailsCommit(r.nonce, r.details), target);
    });
    const v = await verifyFile(file);
    expect(v.auditChain).toMatchObject({ ok: false, firstBrokenId: target });
    expect(v.problems.join('')).toContain(`第 ${target} 条的内容被清空`);
  });

  it('rows cut from the end after a recorded check fail verify (the recorded head is gone)', async () => {
    const { file, env } = await filled();
    const admin = await env.login('admin');
    const check = await api(env, 'audit.verifyChain', {}, admin);
    expect(check).toMatchObject({ ok: true, brokenId: null });
    await env.close();
    t = null;
    const all = ids(file);
    // The check's own audit row and the row it recorded as the head.
    tamper(file, (raw) => raw.prepare('DELETE FROM audit_log WHERE id >= ?').run(check.headId));
    expect(ids(file).length).toBe(all.length - 2);
    const v = await verifyFile(file);
    expect(v.sound).toBe(false);
    expect(v.problems.join('')).toMatch(new RegExp(`链尾为第 ${check.headId} 条，现在已不存在`));
  });

  it('a dropped, altered or extra trigger alone fails verify', async () => {
    const { file } = await filled();
    await t!.close();
    t = null;
    const copy = (name: string) => {
      const f = path.join(path.dirname(file), name);
      fs.copyFileSync(file, f);
      return f;
    };
    const dropped = copy('dropped.db');
    const altered = copy('altered.db');
    const extra = copy('extra.db');
    const gate = copy('gate.db');
    const run = (f: string, s: string) => {
      const raw = new SqliteDatabase(f);
      raw.exec(s);
      raw.close();
    };
    run(dropped, 'DROP TRIGGER audit_log_no_update');
    run(altered, `DROP TRIGGER audit_log_no_delete; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`);
    run(extra, `CREATE TRIGGER audit_log_more AFTER INSERT ON audit_log BEGIN SELECT 1; END`);
    run(gate, 'INSERT INTO audit_purge_gate (id) VALUES (1)');
    expect((await verifyFile(file)).sound).toBe(true);
    const d = await verifyFile(dropped);
    expect(d.sound).toBe(false);
    expect(d.auditChain!.triggers).toContainEqual({ name: 'audit_log_no_update', status: 'missing' });
    expect(d.problems.join('')).toContain('audit_log_no_update 不存在');
    const a = await verifyFile(altered);
    expect(a.auditChain!.triggers).toContainEqual({ name: 'audit_log_no_delete', status: 'altered' });
    expect(a.sound).toBe(false);
    const e = await verifyFile(extra);
    expect(e.auditChain!.triggers).toContainEqual({ name: 'audit_log_more', status: 'unexpected' });
    expect(e.sound).toBe(false);
    // A committed row in the purge gate leaves every DELETE open: that too is reported.
    const g = await verifyFile(gate);
    expect(g.sound).toBe(false);
    expect(g.problems.join('')).toContain('audit_purge_gate');
  });

  it('a purge scrubs rows and re-anchors: the chain still verifies, in the file and in its backup', async () => {
    const { file, env } = await filled();
    const clerk = await env.login('clerk');
    const p = await addPerson(env, clerk, { name: '欧阳清扫', communityId: env.communities.a, seq: 801, phone: '13811112222', startEpisode: '2022-01-05' });
    const ep = env.handle.sqlite.prepare("SELECT id, version FROM episodes WHERE resident_id = ? AND status = 'active'").get(p.id) as { id: number; version: number };
    await api(env, 'episodes.release', { episodeId: ep.id, version: ep.version, reason: '测试', overrideReason: '测试' }, clerk);
    const admin = await env.login('admin');
    expect((await api(env, 'backups.create', {}, admin)).ok).toBe(true);
    env.clock.set('2022-03-10T01:00:00.000Z');
    const res = await runPurge(env.ctx(), { dbFile: file });
    expect(res.counts.residents).toBeGreaterThan(0);
    const raw = env.handle.sqlite;
    const scrubbed = raw.prepare('SELECT id FROM audit_log WHERE nonce IS NULL ORDER BY id').pluck().all() as number[];
    expect(scrubbed.length).toBeGreaterThan(0);
    expect(raw.prepare('SELECT COUNT(*) FROM audit_log WHERE nonce IS NULL AND details <> ?').pluck().get(SCRUBBED_DETAILS)).toBe(0);
    const re = raw.prepare("SELECT details FROM audit_log WHERE action = 'audit.reanchor'").pluck().get() as string;
    expect(JSON.parse(re)).toMatchObject({ scrubbed: scrubbed.length, reason: 'purge.run' });
    // Scrubbed rows keep no phone, not even as a hash anyone could test guesses against (the nonce is gone).
    expect(raw.prepare("SELECT COUNT(*) FROM audit_log WHERE details LIKE '%13811112222%'").pluck().get()).toBe(0);
    const v = await verifyFile(file);
    expect(v.problems).toEqual([]);
    expect(v.auditChain).toMatchObject({ ok: true });
    expect(res.backups.files.length).toBe(1);
    expect(res.backups.files[0].ok).toBe(true);
    const backupFile = path.join(path.dirname(file), 'backups', res.backups.files[0].name);
    const bv = await verifyFile(backupFile);
    expect(bv.auditChain).toMatchObject({ ok: true });
    expect(bv.auditChain!.rows).toBeGreaterThan(5);
  });

  it('migration 0005 chains the rows of an existing database (version 3) in id order', async () => {
    const dir = tempDir('idesk-chain-mig-');
    const file = path.join(dir, 'old.db');
    const raw = new SqliteDatabase(file);
    raw.pragma('journal_mode = WAL');
    raw.close();
    const h = await openDatabase(file, { create: true, migrate: false });
    await h.db.transaction().execute(async (trx) => {
      const db = trx as unknown as Kysely<any>;
      await sql`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`.execute(db);
      for (const m of migrations.filter((x) => x.version <= 3)) {
        await m.up(db);
        await sql`INSERT INTO schema_migrations VALUES (${m.version}, ${m.name}, '2022-01-01')`.execute(db);
      }
      for (let i = 0; i < 2500; i++) {
        await sql`INSERT INTO audit_log (at, user_name, action, details) VALUES (${`2022-01-01T0${i % 10}:00:00+08:00`}, 'clerk', 'resident.view', ${i % 7 ? JSON.stringify({ i }) : null})`.execute(db);
      }
    });
    await h.close();
    const m = await openDatabase(file, { beforeMigrate: false });
    expect(m.schemaVersion).toBe(latestVersion);
    const report = await verifyAuditChain(m.db);
    expect(report).toMatchObject({ checked: true, ok: true, rows: 2500, firstBrokenId: null });
    await audit({ db: m.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-02T00:00:00.000Z') }, { action: 'test.after' as AuditAction });
    expect(await verifyAuditChain(m.db)).toMatchObject({ ok: true, rows: 2501 });
    await m.close();
  });
});

/** Rewrites the chain from row `from` on, consistently: what someone who knows the scheme can do inside the file. */
function rewriteChain(file: string, from: number, change: (raw: SqliteDatabase.Database) => void) {
  tamper(file, (raw) => {
    change(raw);
    let prev = (raw.prepare('SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1').pluck().get(from) as string | undefined) ?? '';
    const rows = raw.prepare('SELECT * FROM audit_log WHERE id >= ? ORDER BY id').all(from) as Array<Record<string, never>>;
    for (const r of rows) {
      const commit = r.nonce === null ? r.details_hash : detailsCommit(r.nonce, r.details);
      const hash = rowHash(prev, { id: r.id, at: r.at, userName: r.user_name, action: r.action, entity: r.entity, entityId: r.entity_id, residentId: r.resident_id }, commit);
      raw.prepare('UPDATE audit_log SET hash = ? WHERE id = ?').run(hash, r.id);
      prev = hash;
    }
  });
}

describe('heads recorded outside the file (backup sidecars)', () => {
  it('a chain rewritten end to end inside the file verifies alone, but not against a backup of it', async () => {
    const { dir, file } = await seededCli('desk.db');
    expect((await runCli(['backup', '--db', file, '--out', backupName(dir, 1), '--json'])).result.code).toBe(0);
    // Another database in the same folder, backed up into the same backups folder: not this chain's witness.
    const other = path.join(dir, 'other.db');
    expect((await runCli(['seed-demo', '--db', other, '--residents', '20', '--today', '2022-01-20', '--seed', '7'])).result.code).toBe(0);
    expect((await runCli(['backup', '--db', other, '--out', backupName(dir, 2), '--json'])).result.code).toBe(0);
    const sidecars = fs.readdirSync(path.join(dir, 'backups')).filter((n) => n.endsWith('.json'));
    expect(sidecars.length).toBe(2);
    for (const n of sidecars) expect(JSON.parse(fs.readFileSync(path.join(dir, 'backups', n), 'utf8')).auditHead).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await runCli(['verify', '--db', file, '--json'])).result).toMatchObject({ code: 0, json: { auditChain: { ok: true } } });
    expect((await runCli(['verify', '--db', other, '--json'])).result).toMatchObject({ code: 0, json: { auditChain: { ok: true } } });

    const target = ids(file)[1];
    rewriteChain(file, target, (raw) => raw.prepare("UPDATE audit_log SET user_name = 'nobody' WHERE id = ?").run(target));
    const h = await openDatabase(file, { readonly: true });
    expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true }); // the file alone cannot tell
    await h.close();
    const v = await runCli(['verify', '--db', file, '--json']);
    expect(v.result.code).toBe(1);
    expect(JSON.stringify(v.result.json)).toMatch(/备份 isolation-desk-[^ ]+ 时链尾第 \d+ 条的哈希与现在不同/);
  });

  it('after a restore from an older backup, backups of the abandoned line are not held against the chain', async () => {
    const { dir, file } = await seededCli('desk.db');
    const older = path.join(dir, 'older.db');
    expect((await runCli(['backup', '--db', file, '--out', older, '--json'])).result.code).toBe(0);
    await addRows(file, 3);
    expect((await runCli(['backup', '--db', file, '--out', backupName(dir, 1), '--json'])).result.code).toBe(0);
    await addRows(file, 3);
    expect((await runCli(['backup', '--db', file, '--out', backupName(dir, 2), '--json'])).result.code).toBe(0);
    expect((await runCli(['restore', '--db', file, '--from', older, '--json'])).result.code).toBe(0);
    const v = await runCli(['verify', '--db', file, '--json']);
    expect(v.result).toMatchObject({ code: 0, json: { auditChain: { ok: true } } });
    // A backup taken after the restore is held to the chain again.
    await addRows(file, 3);
    const b3 = backupName(dir, 3);
    expect((await runCli(['backup', '--db', file, '--out', b3, '--json'])).result.code).toBe(0);
    const last = (JSON.parse(fs.readFileSync(`${b3}.json`, 'utf8')) as { auditHead: { id: number } }).auditHead.id;
    tamper(file, (raw) => raw.prepare('DELETE FROM audit_log WHERE id >= ?').run(last));
    const after = await runCli(['verify', '--db', file, '--json']);
    expect(after.result.code).toBe(1);
    expect(JSON.stringify(after.result.json)).toContain(`时链尾为第 ${last} 条，现在已不存在`);
  });
});

describe('checking the chain through the API', () => {
  it('an admin checks it (recorded and audited); a clerk reads the status but may not run the check', async () => {
    const { env } = await filled();
    const clerk = await env.login('clerk');
    const admin = await env.login('admin');
    expect(await api(env, 'audit.chainStatus', {}, clerk)).toBeNull();
    await expect(api(env, 'audit.verifyChain', {}, clerk)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const r = await api(env, 'audit.verifyChain', {}, admin);
    expect(r).toMatchObject({ ok: true, userName: 'admin', brokenId: null, problems: [] });
    expect(await api(env, 'audit.chainStatus', {}, clerk)).toEqual(r);
    const raw = env.handle.sqlite;
    expect(raw.prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.verify' AND user_name = 'admin'").pluck().get()).toBe(1);
    // The viewer never hands out the chain columns.
    const list = await api(env, 'audit.list', { limit: 3 }, admin);
    expect(Object.keys(list.rows[0])).not.toContain('nonce');
    expect(Object.keys(list.rows[0])).not.toContain('hash');

    for (const name of Object.keys(AUDIT_TRIGGERS)) raw.exec(`DROP TRIGGER ${name}`);
    const target = (raw.prepare('SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 4').pluck().get() as number);
    raw.prepare("UPDATE audit_log SET action = 'auth.logout' WHERE id = ?").run(target);
    const bad = await api(env, 'audit.verifyChain', {}, admin);
    expect(bad).toMatchObject({ ok: false, brokenId: target });
    expect(bad.problems.join('')).toContain('audit_log_no_update 不存在');
    expect(await api(env, 'audit.chainStatus', {}, clerk)).toMatchObject({ ok: false, brokenId: target });
  });
});

/** A backup file name in dir/backups that the backup list recognises, distinct per n. */
const backupName = (dir: string, n: number) => path.join(dir, 'backups', `isolation-desk-20220120-09000${n}-manual.db`);

/** Appends n audit rows through the domain (as the app would). */
async function addRows(file: string, n: number) {
  const h = await openDatabase(file);
  for (let i = 0; i < n; i++) await audit({ db: h.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T02:00:00.000Z') }, { action: 'test.more' as AuditAction, extra: { i } });
  await h.close();
}

async function seededCli(name: string) {
  const dir = tempDir('idesk-chain-cli-');
  const file = path.join(dir, name);
  expect((await runCli(['seed-demo', '--db', file, '--residents', '30', '--today', '2022-01-20'])).result.code).toBe(0);
  return { dir, file };
}

describe('verify on the command line', () => {
  it('exits 0 on an untouched file and 1 once the chain is tampered with, through runCli and the real process', async () => {
    const dir = tempDir('idesk-chain-cli-');
    const file = path.join(dir, 'desk.db');
    expect((await runCli(['seed-demo', '--db', file, '--residents', '30', '--today', '2022-01-20'])).result.code).toBe(0);
    const good = await runCli(['verify', '--db', file, '--json']);
    expect(good.result.code).toBe(0);
    expect(good.result.json).toMatchObject({ ok: true, auditChain: { ok: true, checked: true, firstBrokenId: null } });
    expect((await runCli(['verify', '--db', file])).result.text).toContain('审计链：完好');
    const main = path.resolve('electron/cli/main.ts');
    const proc = (f: string) => spawnSync(process.execPath, [main, 'verify', '--db', f], { encoding: 'utf8' });
    expect(proc(file).status).toBe(0);

    const target = ids(file)[0];
    tamper(file, (raw) => raw.prepare("UPDATE audit_log SET user_name = 'nobody' WHERE id = ?").run(target));
    const bad = await runCli(['verify', '--db', file, '--json']);
    expect(bad.result.code).toBe(1);
    expect(bad.result.json).toMatchObject({ ok: false, error: { code: 'DB_UNSOUND' } });
    const text = (await runCli(['verify', '--db', file])).result.text;
    expect(text).toContain(`审计链：第 ${target} 条起校验未通过`);
    expect(text).not.toContain('结论：数据库完好');
    const p = proc(file);
    expect(p.status).toBe(1);
    expect(p.stdout + p.stderr).toContain(`第 ${target} 条`);

    // The issue's reproduction: gate row + dropped UPDATE trigger, nothing else touched, is already a failure.
    const f2 = path.join(dir, 'gate.db');
    expect((await runCli(['seed-demo', '--db', f2, '--residents', '30', '--today', '2022-01-20'])).result.code).toBe(0);
    const raw = new SqliteDatabase(f2);
    raw.exec('INSERT INTO audit_purge_gate (id) VALUES (1); DROP TRIGGER audit_log_no_update;');
    raw.close();
    expect(proc(f2).status).toBe(1);
  });
});

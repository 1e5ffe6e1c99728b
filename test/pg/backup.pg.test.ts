// `backup --db postgres://… --out F`: pg_dump's custom format, verified by a restore into a scratch database (dropped
// afterwards), recorded in the database so that verify and stats report the last backup and its age. The real
// programs of Debian's postgresql-client run through a logging wrapper (IDESK_PG_BIN) that records their command line
// and whether PGPASSWORD was in their environment: the password is never on a command line nor in any output.
// A role without CREATEDB falls back to pg_restore --list; a missing or too old pg_dump is refused in Chinese with
// nothing written. `restore --db postgres://… --from F` puts a dump into an empty database only.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runCli } from '../../electron/cli/run.ts';
import { openPostgres } from '../../electron/db/postgres.ts';
import { lastBackupLine, lastRecordedBackup } from '../../electron/domain/pg-backups.ts';
import { PG_BIN } from '../helpers/pg-server.ts';
import { cliHidingPassword } from '../helpers/pg-cli.ts';
import { adminQuery, pgDatabaseUrl } from '../helpers/pg-db.ts';
import { tempDir } from '../helpers/env.ts';

const NAME = `idesk_bk${process.pid}`;
const NOCREATE = `idesk_bkn${process.pid}`;
const ROLE = `idesk_nocreatedb${process.pid}`;
let url: string;
let password: string;
let dir: string;
let wrapper: string;
let calls: string;
const savedBin = process.env.IDESK_PG_BIN;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${NAME}`);
  url = pgDatabaseUrl(NAME);
  password = decodeURIComponent(new URL(url).password);
  dir = tempDir('idesk-pgbk-');
  // The real pg_dump and pg_restore, each through a script that logs its arguments and whether PGPASSWORD is set.
  wrapper = path.join(dir, 'bin');
  calls = path.join(dir, 'calls.log');
  fs.mkdirSync(wrapper);
  for (const p of ['pg_dump', 'pg_restore']) {
    fs.writeFileSync(path.join(wrapper, p), `#!/bin/sh\necho "${p} $* PGPASSWORD=\${PGPASSWORD:+set}" >> '${calls}'\nexec '${PG_BIN}/${p}' "$@"\n`, { mode: 0o755 });
  }
  process.env.IDESK_PG_BIN = wrapper;
});

afterAll(async () => {
  if (savedBin === undefined) delete process.env.IDESK_PG_BIN;
  else process.env.IDESK_PG_BIN = savedBin;
  await adminQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await adminQuery(`DROP DATABASE IF EXISTS ${NOCREATE} WITH (FORCE)`);
  await adminQuery(`DROP ROLE IF EXISTS ${ROLE}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]) => cliHidingPassword(password, argv);

async function tableCounts(u: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: u });
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)).rows;
    const out: Record<string, number> = {};
    for (const { t } of tables) out[t] = Number((await c.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0].n);
    return out;
  } finally {
    await c.end();
  }
}

const scratchLeft = async () => (await adminQuery(`SELECT datname FROM pg_database WHERE datname LIKE 'idesk_verify_%'`)).rows;

describe('backup on PostgreSQL', () => {
  it('no backup yet: verify and stats say so and warn', async () => {
    expect((await cli('seed-demo', '--db', url, '--residents', '200', '--today', '2022-01-20')).code).toBe(0);
    const v = await cli('verify', '--db', url, '--json');
    expect(v.code).toBe(0);
    expect(v.json).toMatchObject({ lastBackup: null, backupWarning: expect.stringContaining('没有 pg_dump 备份的记录') });
    const s = await cli('stats', '--db', url);
    expect(s.text).toContain('备份：数据库中没有备份记录');
  });

  it('pg_dump custom format, restored into a scratch database and compared; recorded; the password only in PGPASSWORD', async () => {
    const before = await tableCounts(url);
    const out = path.join(dir, '解放道.dump');
    const r = await cli('backup', '--db', url, '--out', out, '--json');
    expect(r.code, r.text).toBe(0);
    const j = r.json as { file: string; size: number; ok: boolean; verified: string; counts: Record<string, number>; chainHead: { id: number } };
    expect(j).toMatchObject({ file: out, ok: true, verified: 'restored' });
    expect(fs.statSync(out).size).toBe(j.size);
    expect(fs.readFileSync(out).subarray(0, 5).toString('latin1')).toBe('PGDMP'); // the custom format's magic
    expect(j.counts).toEqual(before);
    expect(j.counts.residents).toBe(200);
    expect(await scratchLeft()).toEqual([]);
    const log = fs.readFileSync(calls, 'utf8');
    expect(log).toMatch(/^pg_dump --format=custom --snapshot=\S+ --no-password --file=.* PGPASSWORD=set$/m);
    expect(log).toMatch(/^pg_restore --no-owner .*--dbname=idesk_verify_[0-9a-f]+ .* PGPASSWORD=set$/m);
    expect(log).not.toContain(password);
    expect(log).not.toContain('postgres://');
    // The dump holds what the database held: restored by hand into another database, every table's rows are equal.
    await adminQuery(`CREATE DATABASE ${NAME}_copy`);
    try {
      const { spawnSync } = await import('node:child_process');
      const u = new URL(url);
      const rr = spawnSync(`${PG_BIN}/pg_restore`, ['--no-owner', '--exit-on-error', `--dbname=${NAME}_copy`, out], {
        env: { PATH: process.env.PATH, PGHOST: u.hostname, PGPORT: u.port, PGUSER: u.username, PGPASSWORD: password },
        encoding: 'utf8',
      });
      expect(rr.status, rr.stderr).toBe(0);
      expect(await tableCounts(pgDatabaseUrl(`${NAME}_copy`))).toEqual(before);
      const v = await cli('verify', '--db', pgDatabaseUrl(`${NAME}_copy`));
      expect(v.code, v.text).toBe(0);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${NAME}_copy WITH (FORCE)`);
    }
    // Recorded: verify and stats report it (no warning), and the record is a chained audit entry.
    const v = await cli('verify', '--db', url, '--json');
    expect(v.code, v.text).toBe(0);
    expect(v.json).toMatchObject({ lastBackup: { file: out, ok: true, verified: 'restored', due: false }, backupWarning: null });
    const s = await cli('stats', '--db', url);
    expect(s.text).toMatch(/备份：最近一次 .*（不到 1 小时前，已恢复校验）：.*解放道\.dump/);
    const h = await openPostgres(url, { readonly: true });
    try {
      // 25 hours on, the same record is due.
      const later = await lastRecordedBackup(h.db, new Date(Date.now() + 25 * 3600_000));
      expect(later).toMatchObject({ due: true });
      expect(lastBackupLine(later).warn).toContain('超过 24 小时');
      const row = await h.db.selectFrom('auditLog').select(['userName', 'details']).where('action', '=', 'backup.create').executeTakeFirstOrThrow();
      expect(row.userName).toBe('cli');
      expect(JSON.parse(row.details!)).toMatchObject({ engine: 'postgres', file: out, size: j.size, verified: 'restored', chainHead: j.chainHead });
    } finally {
      await h.close();
    }
    // restore --db <empty database> --from the dump: exactly the snapshot's rows, sound, audited there.
    await adminQuery(`CREATE DATABASE ${NAME}_restored`);
    try {
      const target = pgDatabaseUrl(`${NAME}_restored`);
      const junk = path.join(dir, 'junk.dump');
      fs.writeFileSync(junk, 'PGDMP but not really');
      const refused = await cli('restore', '--db', target, '--from', junk);
      expect(refused.code).toBe(2);
      expect(refused.text).toContain('pg_restore 读不出这个备份文件');
      expect(await tableCounts(target)).toEqual({});
      const rs = await cli('restore', '--db', target, '--from', out, '--json');
      expect(rs.code, rs.text).toBe(0);
      expect(rs.json).toMatchObject({ sound: true, counts: j.counts, chainHead: j.chainHead });
      const after = await tableCounts(target);
      expect(after.audit_log).toBe(j.counts.audit_log + 1); // + the restore's own entry
      expect({ ...after, audit_log: j.counts.audit_log }).toEqual(j.counts);
      expect((await cli('verify', '--db', target)).code).toBe(0);
      // Never over data: a second restore into it is refused, nothing changed.
      const over = await cli('restore', '--db', target, '--from', out);
      expect(over.code).toBe(2);
      expect(over.text).toContain('不是空库');
      expect(await tableCounts(target)).toEqual(after);
      expect((await cli('restore', '--db', target, '--undo')).code).toBe(2);
    } finally {
      await adminQuery(`DROP DATABASE IF EXISTS ${NAME}_restored WITH (FORCE)`);
    }
    // Never over an existing file.
    const again = await cli('backup', '--db', url, '--out', out);
    expect(again.code).toBe(2);
    expect(again.text).toContain('备份文件已存在');
  });

  it('a dump whose restored copy differs is not verified: exit 2, recorded as failed, verify warns', async () => {
    // pg_restore through a script that, after the real restore, deletes one row of the scratch copy.
    const tamper = path.join(dir, 'tamper');
    fs.mkdirSync(tamper);
    fs.symlinkSync(`${PG_BIN}/pg_dump`, path.join(tamper, 'pg_dump'));
    fs.writeFileSync(
      path.join(tamper, 'pg_restore'),
      `#!/bin/sh\n'${PG_BIN}/pg_restore' "$@" || exit $?\nfor a in "$@"; do case "$a" in --dbname=*) db="\${a#--dbname=}";; esac; done\n[ -n "$db" ] && '${PG_BIN}/psql' -q -d "$db" -c 'DELETE FROM settings WHERE ctid = (SELECT max(ctid) FROM settings)' >/dev/null\nexit 0\n`,
      { mode: 0o755 },
    );
    process.env.IDESK_PG_BIN = tamper;
    try {
      const out = path.join(dir, 'tampered.dump');
      const r = await cli('backup', '--db', url, '--out', out, '--json');
      expect(r.code).toBe(2);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'BACKUP_UNVERIFIED', message: expect.stringMatching(/恢复后的表 settings 的记录数 \d+ 与原库 \d+ 不一致/) } });
      expect(await scratchLeft()).toEqual([]);
      const v = await cli('verify', '--db', url, '--json');
      expect(v.json).toMatchObject({ lastBackup: { file: out, ok: false }, backupWarning: expect.stringContaining('最近一次备份未通过校验') });
    } finally {
      process.env.IDESK_PG_BIN = wrapper;
    }
  });

  it('a role without CREATEDB: checked with pg_restore --list instead, and says so', async () => {
    await adminQuery(`CREATE ROLE ${ROLE} LOGIN PASSWORD 'nocreate-pw' NOCREATEDB`);
    await adminQuery(`CREATE DATABASE ${NOCREATE} OWNER ${ROLE}`);
    const u = new URL(pgDatabaseUrl(NOCREATE));
    u.username = ROLE;
    u.password = 'nocreate-pw';
    const roleUrl = u.toString();
    expect((await cli('init', '--db', roleUrl)).code).toBe(0);
    const out = path.join(dir, 'nocreate.dump');
    const r = await runCli(['backup', '--db', roleUrl, '--out', out, '--json']);
    expect(r.result.code, r.result.text).toBe(0);
    expect(r.result.json).toMatchObject({ ok: true, verified: 'listed', note: expect.stringContaining('没有 CREATEDB 权限') });
    expect(r.result.text).not.toContain('nocreate-pw');
    expect(fs.readFileSync(calls, 'utf8')).toMatch(/^pg_restore --list .*nocreate\.dump PGPASSWORD=$/m);
    const v = await runCli(['verify', '--db', roleUrl, '--json']);
    expect(v.result.json).toMatchObject({ lastBackup: { ok: true, verified: 'listed' } });
  });

  it('pg_dump missing, or older than the server: a clear message, no file, nothing recorded', async () => {
    const count = async () => (await tableCounts(url)).audit_log;
    const audits = await count();
    process.env.IDESK_PG_BIN = path.join(dir, 'nowhere');
    const missing = await cli('backup', '--db', url, '--out', path.join(dir, 'x.dump'));
    expect(missing.code).toBe(2);
    expect(missing.text).toContain('找不到 PostgreSQL 的备份程序 pg_dump 和 pg_restore');
    expect(missing.text).toContain('postgresql-client');
    // An old client: Debian's pg_dump of another major version is not installed here, so a script answers --version
    // as pg_dump 13 would (the refusal happens before anything else runs).
    const old = path.join(dir, 'old');
    fs.mkdirSync(old);
    for (const p of ['pg_dump', 'pg_restore']) fs.writeFileSync(path.join(old, p), '#!/bin/sh\necho "pg_dump (PostgreSQL) 13.16"\n', { mode: 0o755 });
    process.env.IDESK_PG_BIN = old;
    const tooOld = await cli('backup', '--db', url, '--out', path.join(dir, 'x.dump'));
    expect(tooOld.code).toBe(2);
    expect(tooOld.text).toMatch(/版本（13）低于数据库服务器（PostgreSQL 15）/);
    process.env.IDESK_PG_BIN = wrapper;
    expect(fs.existsSync(path.join(dir, 'x.dump'))).toBe(false);
    expect(await count()).toBe(audits);
  });
});

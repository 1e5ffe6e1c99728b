// The command line is a caller of the API like the window and browser mode (issue 12.2): its commands reach the data
// only through dispatch, as a session of the built-in cli user — zod validation, the cli user's permissions, the
// handlers' audit — and never import the domain or the Excel code themselves.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const COMMANDS = path.join(ROOT, 'electron/cli/commands');

/** Every module specifier a file imports: static (type imports too), re-exports and dynamic import(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [/\bimport\s+(?:type\s+)?[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bexport\s+[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

describe('electron/cli/commands reaches the data through the API only', () => {
  const files = fs.readdirSync(COMMANDS).filter((f) => f.endsWith('.ts'));

  it('the scanner sees static, type and dynamic imports', () => {
    const sample = "import a from '../../domain/x.ts';\nimport type { B } from '../../excel/y.ts';\nconst c = await import('../../domain/z.ts');\nexport { d } from '../../excel/w.ts';";
    expect(specifiers(sample)).toEqual(expect.arrayContaining(['../../domain/x.ts', '../../excel/y.ts', '../../domain/z.ts', '../../excel/w.ts']));
  });

  it('no command imports domain/ or excel/, and none casts with `as never`', () => {
    expect(files.length).toBeGreaterThan(5);
    const offending: string[] = [];
    for (const f of files) {
      const source = fs.readFileSync(path.join(COMMANDS, f), 'utf8');
      for (const spec of specifiers(source)) {
        const target = path.relative(path.join(ROOT, 'electron'), path.resolve(COMMANDS, spec)).split(path.sep)[0];
        if (spec.startsWith('.') && (target === 'domain' || target === 'excel')) offending.push(`${f} imports ${spec}`);
      }
      if (/\bas never\b/.test(source)) offending.push(`${f} casts with \`as never\``);
    }
    expect(offending).toEqual([]);
  });
});

describe('a command is a call of the cli user through dispatch', () => {
  let dir: string;
  let dbFile: string;
  let env: TestEnv;

  beforeAll(async () => {
    dir = tempDir('idesk-cli-api-');
    dbFile = path.join(dir, 'office.db');
    env = await makeEnv({ file: dbFile });
    await env.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const auditRows = (action: string) => {
    const db = new SqliteDatabase(dbFile, { readonly: true });
    try {
      return db.prepare('SELECT user_name AS userName, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as { userName: string; details: string }[];
    } finally {
      db.close();
    }
  };
  const auditCount = () => {
    const db = new SqliteDatabase(dbFile, { readonly: true });
    try {
      return db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
    } finally {
      db.close();
    }
  };

  it("a bad argument is refused by the channel's schema: VALIDATION naming the field, exit 1, nothing written", async () => {
    const before = auditCount();
    const out = path.join(dir, 'bad-date.xlsx');
    const r = await runCli(['export', 'roster', '--db', dbFile, '--date', '20220120', '--out', out, '--json']);
    expect(r.result.code).toBe(1);
    expect(r.result.json).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^输入不正确：date /), fields: [{ field: 'date' }] } });
    expect(r.result.text).toMatch(/^输入不正确：date 日期格式应为 YYYY-MM-DD/);
    expect(fs.existsSync(out)).toBe(false);

    const list = path.join(dir, 'list.csv');
    fs.writeFileSync(list, '姓名,身份证号\n张三,110101199003074514\n');
    const i = await runCli(['import', 'residents', list, '--db', dbFile, '--sheet', '表'.repeat(101), '--json']);
    expect(i.result.code).toBe(1);
    expect(i.result.json).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: expect.stringMatching(/^输入不正确：sheet /) } });
    expect(auditCount()).toBe(before);
  });

  it("the cli user's role decides, as anyone's: without backup.run, backup and stats are FORBIDDEN and nothing is written", async () => {
    const before = auditCount();
    const out = path.join(dir, 'copy-forbidden.db');
    const role = CLI_ACTOR.role;
    (CLI_ACTOR as { role: typeof role }).role = 'official';
    try {
      const b = await runCli(['backup', '--db', dbFile, '--out', out, '--json']);
      expect(b.result.code).toBe(1);
      expect(b.result.json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(b.result.text).toContain('您的角色没有此项权限');
      expect((await runCli(['stats', '--db', dbFile, '--json'])).result.json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      (CLI_ACTOR as { role: typeof role }).role = role;
    }
    expect(fs.existsSync(out)).toBe(false);
    expect(auditCount()).toBe(before);
    // As the admin it is, the same command runs, and the handler audits it as "cli".
    const ok = await runCli(['backup', '--db', dbFile, '--out', out, '--json']);
    expect(ok.result).toMatchObject({ code: 0, json: { ok: true, file: out } });
    expect(auditRows('backup.create').map((r) => [r.userName, JSON.parse(r.details).file])).toEqual([['cli', 'copy-forbidden.db']]);
  });

  it('an export through reports.export and its job writes --out and the audit row names the cli user and that file', async () => {
    const out = path.join(dir, 'roster.xlsx');
    const r = await runCli(['export', 'roster', '--db', dbFile, '--date', '2022-01-20', '--out', out, '--json']);
    expect(r.result).toMatchObject({ code: 0, json: { ok: true, file: out, masked: true } });
    expect(fs.existsSync(out)).toBe(true);
    const rows = auditRows('report.export');
    expect(rows.at(-1)?.userName).toBe('cli');
    expect(JSON.parse(rows.at(-1)!.details)).toMatchObject({ path: out, masked: true });
  });
});

describe('naming an output path is the command line’s alone (ApiEnv.localFiles)', () => {
  it('the window or browser mode cannot make reports.export or backups.create write where they like', async () => {
    const dir = tempDir('idesk-cli-api-');
    const env = await makeEnv({ file: path.join(dir, 'office.db') });
    try {
      const admin = await env.login('admin');
      const target = path.join(dir, 'elsewhere', 'x.xlsx');
      expect(await env.dispatch('reports.export', { report: 'roster', date: '2022-01-20', outFile: target }, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await env.dispatch('backups.create', { out: path.join(dir, 'copy.db') }, admin)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
      expect(fs.existsSync(path.dirname(target))).toBe(false);
      // A clerk without backup.run learns nothing more than FORBIDDEN from the stats channel either.
      expect(await env.dispatch('stats.counts', {}, await env.login('clerk'))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await env.dispatch('stats.counts', {}, admin)).toMatchObject({ ok: true, data: { residents: 0, households: 0 } });
    } finally {
      await env.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

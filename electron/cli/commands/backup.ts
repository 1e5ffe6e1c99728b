// `backup`: a verified copy of a database file, made with SQLite's online backup API (safe while the app runs).
// Without --out it goes to the backup folder (settings, default <db folder>/backups) under the usual name and
// retention applies. Audited in the database as the cli actor. Exit 0 verified; 2 file problems or failed check.
// --db postgres://…: pg_dump --format=custom to --out (required), verified by pg_restore into a scratch database
// (db/pg/dump.ts) and recorded in the database (domain/pg-backups.ts), where verify and stats find the last one.
import path from 'node:path';
import fs from 'node:fs';
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { CliError, failure, ok } from '../output.ts';

const backup: CommandModule = {
  name: 'backup',
  summary: '备份数据库文件（SQLite 在线备份，程序运行时也可执行），并重新打开校验',
  usage: [
    '用法：isolation-desk backup --db <文件> [--out <备份文件>] [--json]',
    '      isolation-desk backup --db postgres://用户:密码@主机:端口/库名 --out <备份文件.dump> [--json]',
    '',
    '  --db <文件>        要备份的数据库文件',
    '  --out <备份文件>   备份写到这里（不能已存在）；省略时写入备份文件夹，按日期命名并按保留规则清理旧备份',
    '',
    'PostgreSQL：用 pg_dump 的自定义格式（--format=custom）备份到 --out（必填），',
    '  再用 pg_restore 恢复到一个临时库（建好后删除；需要 CREATEDB 权限，没有时只用 pg_restore --list 检查），',
    '  逐表比较记录数、审计链尾并校验整条审计链。备份记入数据库，verify 和 stats 显示最近一次备份及其时间。',
    '  需要 Debian 的 postgresql-client（版本不低于服务器；或用 IDESK_PG_BIN 指定目录）；密码只经环境变量传给 pg_dump。',
    '',
    '退出码：0 备份完成且校验通过；2 文件不存在、无法读取，或备份未通过校验。',
  ].join('\n'),
  options: { ...DB_OPTION, out: { type: 'string' } },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const out = optionalString(args, 'out');
    if (out !== undefined && fs.existsSync(out)) throw new CliError(2, 'OUT_EXISTS', `备份文件已存在：${out}。请换一个文件名，不会覆盖已有文件。`);
    const { isPostgresUrl } = await import('../../db/engine.ts');
    if (isPostgresUrl(file)) return backupPg(file, out);
    const { withApi } = await import('../context.ts');
    // Not migrated: the copy is of the file as it is. 'backups.create' as the cli user: --out names the copy's path.
    return withApi(file, { migrate: false }, async (api) => {
      const r = await api.call('backups.create', out === undefined ? {} : { out: path.resolve(out) });
      const result = { file: r.file, ok: r.ok, problems: r.problems, counts: r.counts, removed: r.removed };
      const lines = [
        `数据库：${file}`,
        `备份：${result.file}`,
        `记录数：${Object.entries(result.counts).map(([t, n]) => `${t} ${n}`).join('，')}`,
        ...(result.removed.length ? [`按保留规则删除旧备份：${result.removed.join('、')}`] : []),
      ];
      if (result.ok) return ok(result, [...lines, '校验：通过（完整性检查正常，记录数与原库一致）。'].join('\n'));
      const message = `备份未通过校验：${result.problems.join('；')}。请检查磁盘后重新备份，不要依赖这个备份。`;
      return { ...failure(2, 'BACKUP_UNVERIFIED', message, result), text: [...lines, message].join('\n') };
    });
  },
};

/** backup --db postgres://…: pg_dump + restore check, recorded in the database as the cli user. */
async function backupPg(url: string, out: string | undefined) {
  if (out === undefined) throw new CliError(2, 'USAGE', 'PostgreSQL 数据库的备份请用 --out 指定备份文件（如 /备份/居家隔离-2026-12-07.dump）。');
  const { withApi } = await import('../context.ts');
  const { shownDb } = await import('../../db/engine.ts');
  const { backupPg: backupPgIn } = await import('../../api/cli-postgres.ts');
  const { PgBackupError } = await import('../../db/pg/dump.ts');
  // Not migrated: the dump is of the database as it is.
  return withApi(url, { migrate: false }, async (api) => {
    let r;
    try {
      r = await backupPgIn(api, url, path.resolve(out));
    } catch (e) {
      if (e instanceof PgBackupError) throw new CliError(2, e.code, e.message);
      throw e;
    }
    const result = { file: r.file, size: r.size, ok: r.ok, verified: r.verified, problems: r.problems, counts: r.counts, chainHead: r.chainHead, schemaVersion: r.schemaVersion, note: r.note, pgDump: r.tools.version, serverVersion: r.serverVersion };
    const lines = [
      `数据库：${shownDb(url)}（PostgreSQL ${r.serverVersion}）`,
      `备份：${r.file}（pg_dump 自定义格式，${(r.size / 1024 / 1024).toFixed(1)} MB；${r.tools.version}）`,
      `记录数：${Object.entries(r.counts).map(([t, n]) => `${t} ${n}`).join('，')}`,
      `审计链尾：${r.chainHead ? `第 ${r.chainHead.id} 条` : '（无）'}`,
      ...(r.note ? [`提示：${r.note}`] : []),
    ];
    const how = r.verified === 'restored' ? '已恢复到临时库，逐表记录数、审计链尾一致，审计链校验通过，临时库已删除' : '用 pg_restore --list 检查，每张表都有数据';
    if (r.ok) return ok(result, [...lines, `校验：通过（${how}）。备份已记入数据库。`].join('\n'));
    const message = `备份未通过校验：${r.problems.join('；')}。不要依赖这个备份，请检查后重新备份。`;
    return { ...failure(2, 'BACKUP_UNVERIFIED', message, result), text: [...lines, message].join('\n') };
  });
}

export default backup;

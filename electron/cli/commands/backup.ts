// `backup`: a verified copy of a database file, made with SQLite's online backup API (safe while the app runs).
// Without --out it goes to the backup folder (settings, default <db folder>/backups) under the usual name and
// retention applies. Audited in the database as the cli actor. Exit 0 verified; 2 file problems or failed check.
import path from 'node:path';
import fs from 'node:fs';
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { CliError, failure, ok } from '../output.ts';

const backup: CommandModule = {
  name: 'backup',
  summary: '备份数据库文件（SQLite 在线备份，程序运行时也可执行），并重新打开校验',
  usage: [
    '用法：isolation-desk backup --db <文件> [--out <备份文件>] [--json]',
    '',
    '  --db <文件>        要备份的数据库文件',
    '  --out <备份文件>   备份写到这里（不能已存在）；省略时写入备份文件夹，按日期命名并按保留规则清理旧备份',
    '',
    '退出码：0 备份完成且校验通过；2 文件不存在、无法读取，或备份未通过校验。',
  ].join('\n'),
  options: { ...DB_OPTION, out: { type: 'string' } },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const out = optionalString(args, 'out');
    if (out !== undefined && fs.existsSync(out)) throw new CliError(2, 'OUT_EXISTS', `备份文件已存在：${out}。请换一个文件名，不会覆盖已有文件。`);
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

export default backup;

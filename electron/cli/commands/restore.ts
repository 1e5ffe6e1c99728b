// `restore`: puts a verified backup in place of a database file, keeping the current file aside
// (<db>.before-restore-<time>) so the restore can be undone with --undo. Close the app first.
// Exit 0 restored; 1 the backup failed verification (nothing changed); 2 usage or file problems.
import path from 'node:path';
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { ok, usageError } from '../output.ts';

const restore: CommandModule = {
  name: 'restore',
  summary: '从备份恢复数据库（先校验备份；当前文件改名保留，可用 --undo 撤销）',
  usage: [
    '用法：isolation-desk restore --db <文件> --from <备份文件> [--json]',
    '      isolation-desk restore --db <文件> --undo [<保留的文件>] [--json]',
    '',
    '  --db <文件>          要恢复的数据库文件（请先关闭居家隔离管理台）',
    '  --from <备份文件>    用这个备份恢复；它须通过完整性检查，否则不做任何改动',
    '  --undo               撤销最近一次恢复：把恢复前保留的文件放回原处',
    '',
    '当前文件不会被删除：改名为 <文件>.before-restore-<时间> 保留在同一文件夹。',
    '退出码：0 已恢复；1 备份未通过校验，未做任何改动；2 用法错误或文件问题。',
  ].join('\n'),
  options: { ...DB_OPTION, from: { type: 'string' }, undo: { type: 'boolean' } },
  positionals: true,
  async run(args) {
    const file = path.resolve(requireString(args, 'db', '数据库文件'));
    const undo = args.values.undo === true;
    const from = optionalString(args, 'from');
    if (undo === (from !== undefined)) throw usageError('请用 --from 指定备份文件，或用 --undo 撤销上一次恢复（二者选一）');
    if (!undo && args.positionals.length) throw usageError(`多余的参数：${args.positionals.join(' ')}`);
    const { restoreDatabase, undoRestore } = await import('../../db/restore.ts');
    const r = undo ? await undoRestore(file, args.positionals[0]) : await restoreDatabase(file, path.resolve(from!));
    // Opened like the app would (an older backup is migrated, after its own verified backup), and audited in it as the
    // cli user. A restore of the closed file has no channel: api/cli-session.ts records it.
    const { withApi } = await import('../context.ts');
    const { recordFileRestore } = await import('../../api/cli-session.ts');
    await withApi(file, {}, (api) => recordFileRestore(api, r, undo));
    const data = { file, restoredFrom: r.restoredFrom, movedAsideAs: r.movedAsideAs };
    const text = [
      `数据库：${file}`,
      `${undo ? '已撤销恢复，放回' : '已从备份恢复'}：${r.restoredFrom}`,
      r.movedAsideAs ? `原文件已保留为：${r.movedAsideAs}` : '原来没有数据文件，未保留任何文件。',
      undo ? '' : '如需撤销：isolation-desk restore --db <文件> --undo',
    ].filter(Boolean);
    return ok(data, text.join('\n'));
  },
};

export default restore;

// `restore`: puts a verified backup in place of a database file, keeping the current file aside
// (<db>.before-restore-<time>) so the restore can be undone with --undo. Close the app first.
// Exit 0 restored; 1 the backup failed verification (nothing changed); 2 usage or file problems.
// --db postgres://… --from F.dump: pg_restore of a `backup` dump into an EMPTY database (db/pg/dump.ts restorePostgres),
// then the checks of verify on it; the restore is audited in it. No --undo there: nothing was replaced.
import path from 'node:path';
import { DB_OPTION, optionalString, requireString, type CommandModule } from '../args.ts';
import { CliError, failure, ok, usageError } from '../output.ts';

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
    '      isolation-desk restore --db postgres://用户:密码@主机:端口/空库 --from <备份文件.dump> [--json]',
    '',
    '当前文件不会被删除：改名为 <文件>.before-restore-<时间> 保留在同一文件夹。',
    'PostgreSQL：只恢复到空库（由数据库管理员新建），pg_restore 在一个事务中执行，出错则整体撤销；',
    '  恢复后检查数据结构、统计计数和审计链（同 verify），并在恢复的库中记一条审计记录。',
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
    const { isPostgresUrl } = await import('../../db/engine.ts');
    const dbArg = requireString(args, 'db', '数据库文件');
    if (isPostgresUrl(dbArg)) {
      if (undo) throw usageError('PostgreSQL 数据库没有 --undo：恢复只写入空库，原来的库不受影响。');
      return restorePg(dbArg, path.resolve(from!));
    }
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

/** restore --db postgres://…/empty --from F.dump: pg_restore into the empty database, verified, audited there. */
async function restorePg(url: string, from: string) {
  const { restorePostgres, PgBackupError } = await import('../../db/pg/dump.ts');
  const { shownDb } = await import('../../db/engine.ts');
  let r;
  try {
    r = await restorePostgres(url, from);
  } catch (e) {
    if (e instanceof PgBackupError) throw new CliError(2, 'PG_RESTORE', e.message);
    throw e;
  }
  const { withApi } = await import('../context.ts');
  const { verifyPostgres } = await import('../../db/pg/verify.ts');
  const { recordPgRestore } = await import('../../api/cli-postgres.ts');
  return withApi(url, { migrate: false }, async (api) => {
    const report = await verifyPostgres(api.handle.db);
    await recordPgRestore(api, r);
    const data = { db: shownDb(url), restoredFrom: r.file, sha256: r.sha256, counts: r.counts, chainHead: r.chainHead, schemaVersion: r.schemaVersion, sound: report.sound, problems: report.problems };
    const lines = [
      `数据库：${shownDb(url)}`,
      `已从备份恢复：${r.file}（SHA-256 ${r.sha256.slice(0, 16)}…）`,
      `记录数：${Object.entries(r.counts).map(([t, n]) => `${t} ${n}`).join('，')}`,
      `审计链尾：${r.chainHead ? `第 ${r.chainHead.id} 条` : '（无）'}`,
    ];
    if (report.sound) return ok(data, [...lines, '检查：数据结构、统计计数、审计链均正常。恢复已记入审计日志。'].join('\n'));
    const message = `已恢复，但检查发现问题：${report.problems.join('；')}。请勿使用这个库，换一个经过校验的备份。`;
    return { ...failure(1, 'DB_UNSOUND', message, data), text: [...lines, message].join('\n') };
  });
}

export default restore;

// Opening the data file at startup, with the user in the loop: a damaged or too-new file is never replaced by an
// empty one. The user is told in Chinese what happened and may restore the newest verified backup (damaged only).
// The opening and the restore run in the core process (index.ts passes them in); the dialogs are main's.
import { dialog } from 'electron';
import { isDatabaseOpenError } from '../server/core-protocol.ts';

export interface RestoreOutcome {
  /** The backup file that was copied into place. */
  restoredFrom: string;
  /** Where the damaged file was kept (renamed, never deleted). */
  damagedKeptAs: string;
  /** Newer backups passed over because they no longer verify. */
  skipped?: { file: string; problems: string[] }[];
}

export interface StartupOpen<T> {
  /** Opens (or on first run creates) the file; rejects with a DatabaseOpenError (by name and code) when it cannot. */
  open(): Promise<T>;
  /** Finds the newest verified backup, keeps the damaged file aside and puts the backup in its place; null when none. */
  restoreNewest?: (dbFile: string) => Promise<RestoreOutcome | null>;
}

const TITLE = '居家隔离管理台';

async function tell(type: 'error' | 'info' | 'warning', message: string, detail: string, buttons = ['退出']): Promise<number> {
  const { response } = await dialog.showMessageBox({
    type,
    title: TITLE,
    message,
    detail,
    buttons,
    defaultId: 0,
    cancelId: buttons.length - 1,
    noLink: true,
  });
  return response;
}

/**
 * Opens (or on first run creates) the database. Returns null when the app must quit; the file is then untouched,
 * except when the user chose to restore a backup and none was usable (still untouched) or it worked (reopened).
 */
export async function openAppDatabase<T>(dbFile: string, backup: StartupOpen<T>): Promise<T | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await backup.open();
    } catch (e) {
      if (!isDatabaseOpenError(e)) {
        await tell('error', '无法打开数据文件，程序将退出。', `${dbFile}\n\n${(e as Error).message ?? String(e)}\n\n数据文件未被修改。`);
        return null;
      }
      if (e.code === 'too_new') {
        await tell('warning', '数据文件来自更新版本的居家隔离管理台。', `${e.message}\n\n文件位置：${dbFile}`);
        return null;
      }
      if (e.code !== 'damaged' || attempt > 0) {
        await tell('error', '无法打开数据文件，程序将退出。', `${e.message}\n\n文件位置：${dbFile}`);
        return null;
      }
      const canRestore = Boolean(backup.restoreNewest);
      const detail =
        `${e.message}\n\n文件位置：${dbFile}\n损坏的文件不会被删除或覆盖。` +
        (canRestore ? '\n选择“从最近的备份恢复”：损坏的文件改名保留，用最近一次校验通过的备份替换它。' : '');
      const choice = await tell('error', '数据文件已损坏。', detail, canRestore ? ['从最近的备份恢复', '退出'] : ['退出']);
      if (!canRestore || choice !== 0) return null;
      let outcome: RestoreOutcome | null;
      try {
        outcome = await backup.restoreNewest!(dbFile);
      } catch (err) {
        await tell('error', '恢复备份失败。', `${(err as Error).message ?? String(err)}\n\n损坏的文件仍在原处：${dbFile}`);
        return null;
      }
      if (outcome === null) {
        await tell('error', '没有找到可用的备份。', `备份文件夹中没有通过校验的备份。损坏的文件仍在原处：${dbFile}\n请联系管理员处理。`);
        return null;
      }
      const skippedNote = outcome.skipped?.length ? `\n跳过了 ${outcome.skipped.length} 个未通过校验的较新备份。` : '';
      await tell(
        'info',
        '已从备份恢复。',
        `使用的备份：${outcome.restoredFrom}\n损坏的文件已保留为：${outcome.damagedKeptAs}${skippedNote}\n备份之后录入的数据需要重新补录。`,
        ['继续'],
      );
    }
  }
  return null;
}

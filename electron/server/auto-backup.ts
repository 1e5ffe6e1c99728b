// Automatic backups of the desktop app: one a day (checked at start and every hour, so an office PC left on over
// midnight still gets one) and one on quit when anything changed since the newest verified backup. Both are the
// domain's verified online backups; a failure never stops the app or the quit, it stays visible in 设置 › 备份.
import { backupOnQuit, runDailyBackupIfDue, type BackupEnv, type BackupOutcome } from '../domain/backups.ts';

export interface AutoBackup {
  /** Runs the daily check now (also done by the timer). */
  checkDaily(): Promise<BackupOutcome | null>;
  /** The quit backup; settles within `quitTimeoutMs` even if the backup takes longer (it then finishes or is lost). */
  onQuit(): Promise<BackupOutcome | null>;
  /** Stops the timer; resolves once a backup already running has finished (its connection closed). */
  stop(): Promise<void>;
}

export interface AutoBackupOptions {
  intervalMs?: number;
  quitTimeoutMs?: number;
  log?: (message: string) => void;
}

export function startAutoBackup(env: BackupEnv, opts: AutoBackupOptions = {}): AutoBackup {
  const log = opts.log ?? ((m) => console.warn(m));
  let running: Promise<BackupOutcome | null> | null = null;
  // One backup at a time: the timer and the quit never run two online backups of one file together.
  const once = (what: string, fn: () => Promise<BackupOutcome | null>): Promise<BackupOutcome | null> => {
    const run = (running ?? Promise.resolve(null))
      .catch(() => null)
      .then(fn)
      .then(
        (outcome) => {
          if (outcome && !outcome.ok) log(`${what}备份未通过校验：${outcome.problems.join('；')}`);
          return outcome;
        },
        (e: unknown) => {
          log(`${what}备份失败：${(e as Error)?.message ?? String(e)}`);
          return null;
        },
      );
    running = run;
    return run;
  };
  const checkDaily = () => once('每日', () => runDailyBackupIfDue(env));
  const timer = setInterval(() => void checkDaily(), opts.intervalMs ?? 60 * 60 * 1000);
  timer.unref?.();
  void checkDaily();
  return {
    checkDaily,
    onQuit() {
      clearInterval(timer);
      const backup = once('退出时', () => backupOnQuit(env));
      const limit = new Promise<null>((resolve) => setTimeout(() => resolve(null), opts.quitTimeoutMs ?? 60_000).unref?.());
      return Promise.race([backup, limit]);
    },
    async stop() {
      clearInterval(timer);
      await running?.catch(() => null);
    },
  };
}

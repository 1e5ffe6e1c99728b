// Which backups to keep: the newest of each of the last N days that have one (default 7), then the newest of each of
// the M weeks before those (default 4). Failed backups never fill a slot; they stay visible while within the daily window.
// Only the database's own backups are counted and thinned; another database's in the same folder are never touched.
import { deleteBackup, listBackups, type BackupInfo } from './backup.ts';

export interface RetentionPlan {
  keep: BackupInfo[];
  remove: BackupInfo[];
}

/** Monday of the ISO week of a 'YYYY-MM-DD' date. */
export function weekOf(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = Date.UTC(y, m - 1, d);
  const dow = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(t - dow * 86_400_000).toISOString().slice(0, 10);
}

/** Pure: decides from names and verification status only (the list is any order). */
export function planRetention(backups: BackupInfo[], keepDaily: number, keepWeekly: number): RetentionPlan {
  const sorted = [...backups].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const usable = sorted.filter((b) => b.status !== 'failed');
  const keep = new Set<BackupInfo>();
  const days = new Set<string>();
  for (const b of usable) {
    if (days.has(b.date)) continue;
    if (days.size >= keepDaily) break;
    days.add(b.date);
    keep.add(b);
  }
  const oldestDaily = [...days].sort()[0];
  const weeks = new Set<string>();
  for (const b of usable) {
    if (oldestDaily !== undefined && b.date >= oldestDaily) continue;
    const w = weekOf(b.date);
    if (weeks.has(w)) continue;
    if (weeks.size >= keepWeekly) break;
    weeks.add(w);
    keep.add(b);
  }
  for (const b of sorted) if (b.status === 'failed' && (oldestDaily === undefined || b.date >= oldestDaily)) keep.add(b);
  return { keep: sorted.filter((b) => keep.has(b)), remove: sorted.filter((b) => !keep.has(b)) };
}

/** Applies the plan to one database's backups in a folder: deletes those (and their sidecars) it does not keep. */
export function applyRetention(dir: string, databaseId: string | null, keepDaily = 7, keepWeekly = 4): RetentionPlan {
  const plan = planRetention(listBackups(dir, databaseId), keepDaily, keepWeekly);
  for (const b of plan.remove) deleteBackup(b.file);
  return plan;
}

// Channels of trust: the audit trail (list, export, hash-chain check), backups (list, create, restore, undo) and the retention purge.
import { z } from 'zod';
import { zodKey as k } from '../../shared/messages/index.ts';
import { channel } from '../define.ts';
import { empty, id, isoDate, paging, text } from './common.ts';
import type { Page } from '../../domain/residents-list.ts';
import type { AuditListRow } from '../../domain/auditlog.ts';
import type { AuditExport } from '../../excel/export/audit.ts';
import type { AuditChainCheck } from '../../domain/auditchain.ts';
import type { BackupOutcome, BackupStatus, RestoreResult } from '../../domain/backups.ts';
import type { PurgePreview } from '../../domain/purge.ts';
import type { PurgeResult } from '../../domain/purgeRun.ts';
import type { OldExports } from '../../domain/purgeExports.ts';
import type { DbStats } from '../../domain/stats.ts';

const auditFilter = {
  userName: text(30).min(1).optional(),
  action: z.string().regex(/^[a-z_]+(\.[a-z_]*)?$/, k('rule.actionFormat')).max(60).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  residentId: id.optional(),
  entity: z.string().regex(/^[a-z_]+$/, k('rule.entityFormat')).max(40).optional(),
};

const backupName = z.string().regex(/^isolation-desk-([0-9a-f]{8}-)?\d{8}-\d{6}(-[a-z0-9-]+)?\.db$/, k('rule.backupName'));

export const trustContract = {
  'audit.list': channel<Page<AuditListRow>>()(z.object({ ...auditFilter, ...paging }).strict(), 'audit.read'),
  'audit.export': channel<AuditExport>()(z.object(auditFilter).strict(), 'audit.read', { write: true, changesNoData: true }),
  /** The newest check of the audit hash chain (null: never checked from the app). */
  'audit.chainStatus': channel<AuditChainCheck | null>()(empty, 'audit.read'),
  /** Checks the whole hash chain and its triggers now; recorded and audited. */
  'audit.verifyChain': channel<AuditChainCheck>()(empty, 'audit.verify', { invalidates: ['audit.chainStatus', 'audit.list'], changesNoData: true }),

  'backups.list': channel<BackupStatus>()(empty, 'backup.run'),
  /** A backup in the backup folder; or, from the command line only (ApiEnv.localFiles), a verified copy at `out`. */
  'backups.create': channel<BackupOutcome>()(z.object({ out: z.string().trim().min(1).max(1000).optional() }).strict(), 'backup.run', { invalidates: ['backups.list'] }),
  /** How many residents, households, active episodes… the database holds (the command line's stats). */
  'stats.counts': channel<DbStats>()(empty, 'backup.run'),
  /** Replaces the open database with a verified backup; every session ends (log in again). */
  'backups.restore': channel<RestoreResult>()(z.object({ name: backupName, confirm: z.literal(true) }).strict(), 'backup.run', { invalidates: ['backups.list'] }),
  /** Puts back the file a restore kept aside (the newest unless named). */
  'backups.undoRestore': channel<RestoreResult>()(
    z.object({ aside: z.string().regex(/\.before-restore-\d{8}-\d{6}(-\d+)?$/, k('rule.asideName')).max(300).optional(), confirm: z.literal(true) }).strict(),
    'backup.run',
    { invalidates: ['backups.list'] },
  ),

  'purge.preview': channel<PurgePreview & { backupFiles: number; foreignBackups: number; oldExports: OldExports }>()(empty, 'purge.run'),
  'purge.run': channel<PurgeResult>()(
    z
      .object({
        confirm: z.literal(true, { error: k('rule.confirmPurge') }),
        keepBackups: z.boolean().optional(),
        exportFirst: z.object({ unmasked: z.boolean().optional() }).strict().optional(),
      })
      .strict(),
    'purge.run',
    // Old people, their records and old files go: every list may shrink.
    {
      invalidates: [
        'purge.preview', 'backups.list', 'audit.list', 'dashboard.get', 'dashboard.places', 'residents.list', 'residents.get', 'checkins.due', 'checkins.counts', 'checkins.groups',
        'alerts.list', 'supplies.list', 'supplies.get', 'supplies.board', 'supplies.runSheet', 'cadres.list', 'import.batches', 'households.search',
      ],
    },
  ),
};

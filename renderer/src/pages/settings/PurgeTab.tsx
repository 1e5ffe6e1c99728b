// 数据清理 (admin): people whose last isolation ended more than the retention days ago are deleted for good (PIPL purpose
// limitation). Shows what would go, offers an Excel export first, asks whether the backups are cleaned too, and asks
// for an explicit confirmation. The run is audited with counts only. The app's own exports older than the retention
// period (reports, audit and purge exports in the export folder) are listed and deleted by the same run.
import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Modal, Radio, Result, Space, Spin, Typography } from 'antd';
import { DeleteOutlined, DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { downloadExport } from '../reports/download.ts';
import { punct } from '../../i18n/codes.ts';

type Preview = OutputOf<'purge.preview'>;
type PurgeResult = OutputOf<'purge.run'>;

/** File names shown before "… and n more". */
const SHOWN_NAMES = 10;

function OldExportsList({ old, days }: { old: Preview['oldExports']; days: number }) {
  const { t } = useTranslation('admin');
  if (!old.count) return <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }} data-testid="purge-old-exports">{t('purge.oldExportsNone', { days })}</Typography.Paragraph>;
  const more = old.count - Math.min(old.count, SHOWN_NAMES);
  return (
    <div style={{ marginTop: 8 }} data-testid="purge-old-exports">
      <Typography.Text strong>{t('purge.oldExports', { n: old.count, days })}</Typography.Text>
      {old.folder && <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{t('purge.oldExportsFolder', { folder: old.folder })}</Typography.Paragraph>}
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
        {old.names.slice(0, SHOWN_NAMES).map((n) => (
          <li key={n} data-testid="purge-old-export">
            {n}
          </li>
        ))}
        {more > 0 && <li>{t('purge.oldExportsMore', { n: more })}</li>}
      </ul>
    </div>
  );
}

const COUNT_KEYS = ['residents', 'episodes', 'checkins', 'tests', 'alerts', 'households', 'supplyRequests', 'auditScrubbed'] as const;

function Counts({ counts }: { counts: Preview['counts'] }) {
  const { t } = useTranslation('admin');
  return (
    <Descriptions
      size="small"
      bordered
      column={4}
      items={COUNT_KEYS.map((k) => ({ key: k, label: t(`purge.count.${k}`), children: <span data-testid={`purge-count-${k}`}>{counts[k]}</span> }))}
    />
  );
}

export function PurgeTab() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const { can } = useSession();
  const q = useApiQuery('purge.preview', {}, { staleTime: 0 });
  const [exportFirst, setExportFirst] = useState(true);
  const [unmasked, setUnmasked] = useState(false);
  const [keepBackups, setKeepBackups] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const [result, setResult] = useState<PurgeResult | null>(null);
  const purge = useApiWrite('purge.run', { onSuccess: (r) => (setResult(r), setConfirming(false)) });
  const { submitting: busy, error } = purge;
  const p = q.data;
  const noPeople = !!p && p.counts.residents === 0;
  const nothing = noPeople && p.oldExports.count === 0;

  const run = () => purge.run({ confirm: true, keepBackups, exportFirst: exportFirst && !noPeople ? { unmasked } : undefined });

  const download = async (path: string) => {
    try {
      await downloadExport(path);
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };

  if (result) {
    const failed = result.backups.files.filter((f) => !f.ok);
    return (
      <div data-testid="purge-result">
        <Result
          status={failed.length ? 'warning' : 'success'}
          title={t('purge.done', { n: result.counts.residents })}
          subTitle={t('purge.doneCutoff', { cutoff: result.cutoff, days: result.retentionDays })}
          extra={
            <Space>
              {result.exportFile && (
                <Button icon={<DownloadOutlined />} onClick={() => download(result.exportFile!)}>
                  {t('purge.downloadExport')}
                </Button>
              )}
              <Button onClick={() => (setResult(null), void q.refetch())}>{t('purge.back')}</Button>
            </Space>
          }
        />
        <Counts counts={result.counts} />
        <Typography.Paragraph style={{ marginTop: 12 }}>
          {result.backups.kept ? t('purge.backupsKept', { n: result.backups.files.length }) : t('purge.backupsCleaned', { n: result.backups.files.length - failed.length })}
        </Typography.Paragraph>
        {failed.map((f) => (
          <Alert key={f.name} type="warning" showIcon title={f.name} description={f.problems.join(punct(t, 'items'))} style={{ marginBottom: 8 }} />
        ))}
        {!result.walCleared && <Alert type="info" showIcon title={t('purge.walPending')} />}
        <Typography.Paragraph data-testid="purge-exports-deleted">{t('purge.exportsDeleted', { n: result.exports.deleted.length })}</Typography.Paragraph>
        {result.exports.failed.map((f) => (
          <Alert key={f.name} type="warning" showIcon title={f.name} description={f.problem} style={{ marginBottom: 8 }} />
        ))}
        {result.backups.foreign.length > 0 && (
          <Alert
            type="info"
            showIcon
            title={t('purge.foreignLeft', { n: result.backups.foreign.length, names: result.backups.foreign.map((f) => f.name).join(punct(t, 'list')) })}
            style={{ marginTop: 8 }}
          />
        )}
      </div>
    );
  }

  return (
    <div data-testid="settings-purge">
      <Typography.Paragraph type="secondary">{t('purge.intro')}</Typography.Paragraph>
      {q.isLoading && <Spin />}
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      {p && (
        <Card
          size="small"
          className="settings-card"
          title={t('purge.previewTitle', { cutoff: p.cutoff, days: p.retentionDays })}
          extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />}
        >
          {noPeople ? (
            <Empty description={t('purge.nothing', { days: p.retentionDays })} />
          ) : (
            <>
              <Counts counts={p.counts} />
              {p.heldBack > 0 && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('purge.heldBack', { n: p.heldBack })}</Typography.Paragraph>}
            </>
          )}
          <OldExportsList old={p.oldExports} days={p.retentionDays} />
        </Card>
      )}
      {p && !nothing && (
        <Card size="small" className="settings-card" title={t('purge.options')}>
          <Space orientation="vertical" size={12}>
            {!noPeople && (
              <Checkbox checked={exportFirst} onChange={(e) => setExportFirst(e.target.checked)} data-testid="purge-export-first">
                {t('purge.exportFirst')}
              </Checkbox>
            )}
            {!noPeople && exportFirst && can('reports.exportUnmasked') && (
              <Checkbox checked={unmasked} onChange={(e) => setUnmasked(e.target.checked)} style={{ marginInlineStart: 24 }}>
                {t('purge.unmasked')}
              </Checkbox>
            )}
            {!noPeople && (
              <div>
                <Typography.Text strong>{t('purge.backupsQuestion', { n: p.backupFiles })}</Typography.Text>
                <Radio.Group value={keepBackups} onChange={(e) => setKeepBackups(e.target.value as boolean)} style={{ display: 'flex', flexDirection: 'column', gap: 4, marginTop: 6 }}>
                  <Radio value={false}>{t('purge.cleanBackups')}</Radio>
                  <Radio value={true}>{t('purge.keepBackups')}</Radio>
                </Radio.Group>
              </div>
            )}
            <Button danger type="primary" icon={<DeleteOutlined />} onClick={() => (setUnderstood(false), purge.setError(null), setConfirming(true))} data-testid="purge-start">
              {t('purge.start')}
            </Button>
          </Space>
        </Card>
      )}
      {confirming && p && (
        <Modal
          open
          title={t('purge.confirmTitle')}
          okText={t('purge.confirmOk')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: true, disabled: !understood }}
          confirmLoading={busy}
          onOk={run}
          onCancel={() => setConfirming(false)}
          destroyOnHidden
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          {!noPeople && (
            <>
              <Typography.Paragraph>{t('purge.confirmText', { n: p.counts.residents, cutoff: p.cutoff })}</Typography.Paragraph>
              <Typography.Paragraph>{exportFirst ? t('purge.confirmExport') : t('purge.confirmNoExport')}</Typography.Paragraph>
              <Typography.Paragraph>{keepBackups ? t('purge.confirmKeep') : t('purge.confirmClean', { n: p.backupFiles })}</Typography.Paragraph>
            </>
          )}
          {p.oldExports.count > 0 && <Typography.Paragraph>{t('purge.confirmExports', { n: p.oldExports.count, days: p.retentionDays })}</Typography.Paragraph>}
          <Checkbox checked={understood} onChange={(e) => setUnderstood(e.target.checked)}>
            {t('purge.understood')}
          </Checkbox>
        </Modal>
      )}
    </div>
  );
}

// Step 3 of the import: the job's progress bar with 取消, then the result — written (how many people, households,
// places), refused (nothing written, why, what to do), cancelled or failed.
import { Alert, Button, Card, Descriptions, Progress, Result, Space, Typography } from 'antd';
import { DownloadOutlined, RollbackOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { percentOf, type JobView } from './useJob.ts';
import { messageText } from '../../api.ts';
import { isResidentSummary, type CommitResult } from './model.ts';

interface Props {
  job: JobView<CommitResult>;
  onBack: () => void;
  onRestart: () => void;
  onErrorReport: () => void;
  reportBusy: boolean;
  /** The batch this run wrote has since been undone (导入记录 → 撤销). */
  undone?: boolean;
}

function Written({ r }: { r: CommitResult }) {
  const { t } = useTranslation('excel');
  const items = isResidentSummary(r)
    ? [
        { key: 'imported', label: t('import.result.imported'), children: <span data-testid="result-imported">{r.imported}</span> },
        { key: 'updated', label: t('import.result.updated'), children: r.updated },
        { key: 'skipped', label: t('import.result.skipped'), children: r.skipped },
        { key: 'households', label: t('import.result.households'), children: r.households },
        { key: 'places', label: t('import.result.places'), children: r.newPlaces.length },
        ...(r.endedOnImport ? [{ key: 'ended', label: t('import.result.endedOnImport'), children: <span data-testid="result-ended">{r.endedOnImport}</span> }] : []),
        { key: 'errors', label: t('import.result.notImported'), children: r.errors.length ? new Set(r.errors.map((e) => e.row)).size : 0 },
      ]
    : [
        { key: 'recorded', label: t('import.result.recorded'), children: <span data-testid="result-imported">{r.recorded}</span> },
        { key: 'alerts', label: t('import.result.alerts'), children: r.alerts },
        { key: 'skipped', label: t('import.result.duplicates'), children: r.skipped },
        { key: 'unmatched', label: t('import.result.unmatched'), children: r.unmatched.length },
        { key: 'errors', label: t('import.result.notImported'), children: r.errors.length ? new Set(r.errors.map((e) => e.row)).size : 0 },
      ];
  return <Descriptions size="small" bordered column={3} items={items} />;
}

export function RunPanel({ job, onBack, onRestart, onErrorReport, reportBusy, undone }: Props) {
  const { t } = useTranslation('excel');
  const s = job.status;
  const r = job.result;

  if (job.running) {
    return (
      <Card className="import-card" data-testid="import-running">
        <Typography.Title level={5}>{t('import.running')}</Typography.Title>
        <Progress percent={percentOf(s)} status="active" />
        <Space style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{s?.progress.phase ? t('import.phase', { phase: s.progress.phase, done: s.progress.done, total: s.progress.total }) : t('import.starting')}</Typography.Text>
          <Button danger size="small" icon={<StopOutlined />} onClick={() => void job.cancel()} data-testid="import-cancel">
            {t('import.cancel')}
          </Button>
        </Space>
      </Card>
    );
  }

  const backButtons = (
    <Space wrap>
      <Button icon={<RollbackOutlined />} onClick={onBack} data-testid="import-back">
        {t('import.backToPreview')}
      </Button>
      <Button onClick={onRestart} data-testid="import-another">
        {t('import.another')}
      </Button>
    </Space>
  );

  if (job.pollError) return <Result status="error" title={t('import.lost')} subTitle={job.pollError} extra={backButtons} />;
  // A cancelled import's uploaded file is deleted: only another file can be chosen.
  const anotherButton = (
    <Button onClick={onRestart} data-testid="import-another">
      {t('import.another')}
    </Button>
  );
  if (s?.state === 'cancelled') return <Result status="info" title={t('import.cancelled')} subTitle={t('import.cancelledText')} extra={anotherButton} data-testid="import-result" />;
  if (s?.state === 'failed') return <Result status="error" title={t('import.failed')} subTitle={s.error ? messageText(s.error) : undefined} extra={backButtons} data-testid="import-result" />;
  if (!r) return null;

  if (r.status === 'rejected') {
    const rows = new Set(r.errors.map((e) => e.row)).size;
    return (
      <div data-testid="import-result">
        <Result
          status="warning"
          title={<span data-testid="import-result-title">{t('import.refused')}</span>}
          subTitle={rows ? t('import.refusedText', { n: rows }) : t('import.refusedNothing')}
          extra={
            <Space wrap>
              {backButtons}
              {rows > 0 && (
                <Button icon={<DownloadOutlined />} loading={reportBusy} onClick={onErrorReport}>
                  {t('import.errorReport')}
                </Button>
              )}
            </Space>
          }
        />
      </div>
    );
  }

  const n = isResidentSummary(r) ? r.imported + r.updated : r.recorded;
  if (undone)
    return (
      <div data-testid="import-result">
        <Result
          status="info"
          title={<span data-testid="import-result-title">{t('import.undoneTitle', { id: r.batchId })}</span>}
          subTitle={t('import.undoneText')}
          extra={
            <Button type="primary" onClick={onRestart} data-testid="import-another">
              {t('import.another')}
            </Button>
          }
        />
      </div>
    );
  return (
    <div data-testid="import-result">
      <Result
        status="success"
        title={<span data-testid="import-result-title">{t(isResidentSummary(r) ? 'import.doneResidents' : 'import.doneTests', { n })}</span>}
        subTitle={r.batchId ? t('import.batchNo', { id: r.batchId }) : undefined}
        extra={
          <Space wrap>
            <Button type="primary" onClick={onRestart} data-testid="import-another">
              {t('import.another')}
            </Button>
            {r.errors.length > 0 && (
              <Button icon={<DownloadOutlined />} loading={reportBusy} onClick={onErrorReport}>
                {t('import.errorReport')}
              </Button>
            )}
          </Space>
        }
      />
      <Written r={r} />
      {r.warnings.length > 0 && <Alert type="info" showIcon title={t('import.warningsAfter', { n: r.warnings.length })} style={{ marginTop: 12 }} />}
    </div>
  );
}

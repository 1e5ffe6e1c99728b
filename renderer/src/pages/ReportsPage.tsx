// 报表导出: pick one of the five reports, its date / range / status and community, 脱敏 (on by default), then 导出 runs
// as a job with a progress bar and 取消; a finished file is downloaded from here (browser mode: reports.download bytes
// → a Blob link), and the desktop app may also open its folder. This session's exports stay listed.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Progress, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, FileExcelOutlined, FolderOpenOutlined, StopOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, fieldMessage, messageText, type InputOf } from '../api.ts';
import { useMe } from '../session.tsx';
import { percentOf, useJob } from './import/useJob.ts';
import { isRanged, PLACE_REPORTS, ReportFields, type ReportValues } from './reports/ReportForm.tsx';
import { downloadExport, isDesktop, showInFolderFn } from './reports/download.ts';
import type { ExportResult } from '../../../electron/excel/export/index.ts';
import { NoticesCard } from './notices/NoticesCard.tsx';
import './reports/reports.css';

interface Done extends ExportResult {
  at: string;
}

function toInput(v: ReportValues): InputOf<'reports.export'> {
  const ranged = isRanged(v.report);
  const from = ranged ? v.range[0].format('YYYY-MM-DD') : undefined;
  const to = ranged ? v.range[1].format('YYYY-MM-DD') : undefined;
  return {
    report: v.report,
    date: ranged ? to! : v.date.format('YYYY-MM-DD'),
    ...(ranged ? { from, to } : {}),
    ...(v.report === 'supplies' && v.status ? { status: v.status } : {}),
    ...(v.report === 'roster' && v.layout === 'print' ? { layout: 'print' as const } : {}),
    ...(v.communityId ? { communityId: v.communityId } : {}),
    ...(PLACE_REPORTS.includes(v.report) && v.compoundId ? { compoundId: v.compoundId, ...(v.buildingId ? { buildingId: v.buildingId } : {}) } : {}),
    unmasked: !v.masked,
  };
}

export default function ReportsPage() {
  const { t } = useTranslation('excel');
  const { message } = App.useApp();
  const me = useMe();
  const [form] = Form.useForm<ReportValues>();
  const [error, setError] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [done, setDone] = useState<Done[]>([]);
  const [downloading, setDownloading] = useState<string | null>(null);
  const job = useJob<ExportResult>(jobId);
  const showInFolder = showInFolderFn();

  useEffect(() => {
    const r = job.result;
    if (!r) return;
    setDone((list) => (list.some((d) => d.path === r.path) ? list : [{ ...r, at: dayjs().format('HH:mm:ss') }, ...list]));
  }, [job.result]);

  const submit = async (v: ReportValues) => {
    setError(null);
    try {
      const r = await api('reports.export', toInput(v));
      setJobId(r.jobId);
    } catch (e) {
      if (e instanceof ApiError && e.fields.length) {
        const byName: Record<string, keyof ReportValues> = { from: 'range', to: 'range', date: isRanged(v.report) ? 'range' : 'date', status: 'status', communityId: 'communityId', compoundId: 'compoundId', buildingId: 'buildingId', report: 'report' };
        form.setFields(e.fields.filter((f) => byName[f.field]).map((f) => ({ name: byName[f.field], errors: [fieldMessage(f)] })));
      }
      setError(errorMessage(e));
    }
  };

  const download = async (d: Done) => {
    setDownloading(d.path);
    try {
      const name = await downloadExport(d.path);
      void message.success(t('reports.downloaded', { name }));
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setDownloading(null);
    }
  };

  const s = job.status;
  const latest = job.result;
  return (
    <div className="page reports-page">
      <div className="page-head">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('reports.title')}
        </Typography.Title>
        <Typography.Text type="secondary">{t('reports.intro')}</Typography.Text>
      </div>
      <Card size="small" className="report-form-card">
        <Form<ReportValues>
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={submit}
          onValuesChange={() => setError(null)}
          initialValues={{ report: 'daily-report', date: dayjs(me.today), range: [dayjs(me.today).subtract(6, 'day'), dayjs(me.today)], masked: true, layout: 'table', communityId: me.actor.role === 'committee' ? (me.actor.communityId ?? undefined) : undefined }}
          data-testid="report-form"
        >
          <ReportFields />
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="report-error" />}
          <Space>
            <Button type="primary" htmlType="submit" icon={<FileExcelOutlined />} loading={job.running} data-testid="report-export">
              {t('reports.export')}
            </Button>
          </Space>
        </Form>
      </Card>

      {jobId && job.running && (
        <Card size="small" className="report-form-card" data-testid="report-running">
          <Progress percent={percentOf(s)} status="active" />
          <Space>
            <Typography.Text type="secondary">{s?.progress.phase ? t('reports.phase', { phase: s.progress.phase, done: s.progress.done, total: s.progress.total }) : t('reports.starting')}</Typography.Text>
            <Button size="small" danger icon={<StopOutlined />} onClick={() => void job.cancel()}>
              {t('reports.cancel')}
            </Button>
          </Space>
        </Card>
      )}
      {jobId && s?.state === 'failed' && <Alert type="error" showIcon title={t('reports.failed')} description={s.error ? messageText(s.error) : undefined} className="report-form-card" data-testid="report-failed" />}
      {jobId && s?.state === 'cancelled' && <Alert type="info" showIcon title={t('reports.cancelled')} className="report-form-card" />}
      {job.pollError && <Alert type="error" showIcon title={job.pollError} className="report-form-card" />}
      {latest && (
        <Alert
          type="success"
          showIcon
          className="report-form-card"
          data-testid="report-done"
          title={t('reports.done', { title: latest.title, rows: latest.rows })}
          description={isDesktop() ? t('reports.savedAt', { path: latest.path }) : latest.fileName}
          action={
            <Space orientation="vertical">
              <Button type="primary" icon={<DownloadOutlined />} loading={downloading === latest.path} onClick={() => void download({ ...latest, at: '' })} data-testid="report-download">
                {t('reports.download')}
              </Button>
              {showInFolder && (
                <Button icon={<FolderOpenOutlined />} onClick={() => void showInFolder(latest.path).catch((e: unknown) => message.error(errorMessage(e)))}>
                  {t('reports.openFolder')}
                </Button>
              )}
            </Space>
          }
        />
      )}

      <NoticesCard />

      <Card size="small" title={t('reports.session')} className="report-form-card">
        <Table<Done>
          rowKey="path"
          size="small"
          dataSource={done}
          pagination={false}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('reports.sessionEmpty')} /> }}
          columns={[
            { title: t('reports.col.at'), dataIndex: 'at', width: 90 },
            { title: t('reports.col.title'), dataIndex: 'title', width: 150 },
            { title: t('reports.col.file'), dataIndex: 'fileName', ellipsis: true },
            { title: t('reports.col.rows'), dataIndex: 'rows', width: 80 },
            { title: t('reports.col.masked'), dataIndex: 'masked', width: 90, render: (m: boolean) => (m ? <Tag>{t('reports.masked')}</Tag> : <Tag color="red">{t('reports.unmasked')}</Tag>) },
            {
              title: '',
              key: 'dl',
              width: 100,
              render: (_: unknown, d) => (
                <Button size="small" icon={<DownloadOutlined />} loading={downloading === d.path} onClick={() => void download(d)}>
                  {t('reports.download')}
                </Button>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}

// 打印告知书 in the resident drawer: pick the kind, the notice for this person (their household's page) is generated
// on the server and downloaded as a .docx. Only for those who may print full names and addresses (not officials).
import { Alert, Dropdown, Button } from 'antd';
import { PrinterOutlined, DownOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { NOTICE_KINDS } from '../../../../electron/shared/notices.ts';
import type { NoticeResult } from '../../../../electron/api/contract/notices.ts';
import { useExportJob } from './useExportJob.ts';

export function usePrintNotice() {
  const { t } = useTranslation('notices');
  const { can } = useSession();
  const allowed = can('reports.export') && can('residents.reveal');
  const job = useExportJob<NoticeResult>((r) => t('printed', { title: r.title, households: r.households, people: r.people, name: r.fileName }));
  return { allowed, job };
}

export function PrintNoticeButton({ residentId, job }: { residentId: number; job: ReturnType<typeof usePrintNotice>['job'] }) {
  const { t } = useTranslation('notices');
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: NOTICE_KINDS.map((k) => ({ key: k, label: <span data-testid={`print-notice-${k}`}>{t(`kind.${k}`)}</span> })),
        onClick: ({ key }) => void job.start(() => api('notices.export', { kind: key as (typeof NOTICE_KINDS)[number], residentId })),
      }}
    >
      <Button icon={<PrinterOutlined />} loading={job.running} data-testid="action-print-notice">
        {t('print')} <DownOutlined />
      </Button>
    </Dropdown>
  );
}

export function PrintNoticeError({ job }: { job: ReturnType<typeof usePrintNotice>['job'] }) {
  if (!job.error) return null;
  return <Alert type="error" showIcon closable onClose={job.clearError} title={job.error} style={{ marginBottom: 12 }} data-testid="print-notice-error" />;
}

// 操作记录 of one person: who did what and when (from the append-only audit log), with changed fields as "old → new".
// Personal values arrive masked from the server.
import { Table, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { summaryOf, type AuditRow } from '../audit/format.ts';
import type { Detail } from './model.ts';

/** One readable line from the stored details, in the audit viewer's words (changed fields, reasons). */
export function describeDetails(raw: string | null, t: TFunction<'admin'>): string {
  if (!raw) return '';
  let details: unknown;
  try {
    details = JSON.parse(raw);
  } catch {
    return raw;
  }
  return summaryOf({ details, purged: false } as AuditRow, t);
}

export function HistorySection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  const { t: ta } = useTranslation('admin');
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={{ pageSize: 15, hideOnSinglePage: true, size: 'small' }}
      dataSource={d.history}
      data-testid="drawer-history"
      locale={{ emptyText: t('drawer.historyNone') }}
      columns={[
        { title: t('historyCols.at'), dataIndex: 'at', width: 140, render: (v: string) => v.slice(0, 16).replace('T', ' ') },
        { title: t('historyCols.user'), dataIndex: 'userName', width: 90, ellipsis: true },
        { title: t('historyCols.action'), dataIndex: 'action', width: 120, render: (v: string) => ta(`audit.action.${v}`, { defaultValue: v }) },
        { title: t('historyCols.details'), dataIndex: 'details', render: (v: string | null) => <Typography.Text type="secondary">{describeDetails(v, ta)}</Typography.Text> },
      ]}
    />
  );
}

// Every problem of a list (row, column, cell, value, reason), errors and warnings in tabs; a row with an error is not
// imported, a warning is only for checking.
import { Empty, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Issue } from './model.ts';
import { paren } from '../../i18n/codes.ts';

function List({ issues, kind }: { issues: Issue[]; kind: 'error' | 'warning' | 'unmatched' }) {
  const { t } = useTranslation('excel');
  return (
    <Table<Issue & { key: number }>
      size="small"
      dataSource={issues.map((i, key) => ({ ...i, key }))}
      pagination={issues.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
      locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(`import.issues.none.${kind}`)} /> }}
      data-testid={`issues-${kind}`}
      columns={[
        { title: t('import.issues.row'), dataIndex: 'row', width: 70, render: (v: number | null) => (v === null ? <Tag>{t('import.issues.wholeFile')}</Tag> : t('import.issues.rowN', { n: v })) },
        { title: t('import.issues.column'), dataIndex: 'column', width: 110, render: (v: string, i) => (v ? (i.cell ? paren(t, v, i.cell) : v) : '—') },
        { title: t('import.issues.value'), dataIndex: 'value', width: 190, render: (v: string) => (v ? <Typography.Text code>{v}</Typography.Text> : '—') },
        {
          title: t('import.issues.reason'),
          dataIndex: 'reason',
          render: (v: string) => <Typography.Text type={kind === 'error' ? 'danger' : kind === 'unmatched' ? 'warning' : undefined}>{v}</Typography.Text>,
        },
      ]}
    />
  );
}

export function IssuesTable({ errors, warnings, unmatched }: { errors: Issue[]; warnings: Issue[]; unmatched?: Issue[] }) {
  const { t } = useTranslation('excel');
  const items = [
    { key: 'error', label: t('import.issues.errors', { n: errors.length }), children: <List issues={errors} kind="error" /> },
    ...(unmatched ? [{ key: 'unmatched', label: t('import.issues.unmatched', { n: unmatched.length }), children: <List issues={unmatched} kind="unmatched" /> }] : []),
    { key: 'warning', label: t('import.issues.warnings', { n: warnings.length }), children: <List issues={warnings} kind="warning" /> },
  ];
  return <Tabs size="small" items={items} defaultActiveKey={errors.length ? 'error' : unmatched?.length ? 'unmatched' : 'warning'} />;
}

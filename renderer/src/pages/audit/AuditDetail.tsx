// The drawer of one audit entry: who, when, what, which record, and the changed fields before → after.
import { Descriptions, Drawer, Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router.tsx';
import { useFocusReturn } from '../../components/focusReturn.ts';
import { actionText, atText, changesOf, entityText, extrasOf, fieldLabel, residentText, userText, valueText, type AuditRow, type Change } from './format.ts';
import { paren } from '../../i18n/codes.ts';

export function AuditDetail({ row, onClose }: { row: AuditRow | null; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const changes = row ? changesOf(row.details, t) : [];
  const extras = row ? extrasOf(row.details) : [];
  const focusReturn = useFocusReturn(!!row);
  return (
    <Drawer open={!!row} {...focusReturn} onClose={onClose} size={620} title={row ? `${actionText(row, t)} · ${atText(row.at)}` : ''} destroyOnHidden>
      {row && (
        <div data-testid="audit-detail">
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { key: 'at', label: t('audit.col.at'), children: atText(row.at) },
              { key: 'user', label: t('audit.col.user'), children: userText(row, t) },
              { key: 'action', label: t('audit.col.action'), children: <>{actionText(row, t)} <Typography.Text type="secondary">{paren(t, '', row.action)}</Typography.Text></> },
              { key: 'entity', label: t('audit.col.entity'), children: row.entity ? entityText(row, t) : '—' },
              {
                key: 'resident',
                label: t('audit.col.resident'),
                children: row.residentId ? <Link to={`/residents?status=all&open=${row.residentId}`}>{residentText(row, t)}</Link> : '—',
              },
            ]}
          />
          {row.purged && <Tag color="default" style={{ marginTop: 12 }}>{t('audit.purged')}</Tag>}
          {changes.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('audit.changes')}
              </Typography.Title>
              <Table<Change>
                rowKey="key"
                size="small"
                pagination={false}
                dataSource={changes}
                data-testid="audit-changes"
                columns={[
                  { title: t('audit.changeField'), dataIndex: 'label', width: 140 },
                  { title: t('audit.before'), dataIndex: 'before', render: (v: string) => <Typography.Text delete={!!v} type="secondary">{v || '—'}</Typography.Text> },
                  { title: t('audit.after'), dataIndex: 'after', render: (v: string) => <Typography.Text strong>{v || '—'}</Typography.Text> },
                ]}
              />
            </>
          )}
          {extras.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('audit.extra')}
              </Typography.Title>
              <Descriptions size="small" column={1} bordered items={extras.map(([k, v]) => ({ key: k, label: fieldLabel(k, t), children: <span className="audit-value">{valueText(v, t, k)}</span> }))} />
            </>
          )}
          {!changes.length && !extras.length && !row.purged && <Empty description={t('audit.noDetails')} style={{ marginTop: 24 }} />}
        </div>
      )}
    </Drawer>
  );
}

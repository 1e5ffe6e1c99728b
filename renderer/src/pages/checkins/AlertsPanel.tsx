// The alerts panel beside the check-in table: open alerts of the filtered community, newest first, each with 处理.
// The alert just opened by a save is marked 新 so the clerk sees where it went.
import { useState } from 'react';
import { Alert, Badge, Button, Card, Empty, Skeleton, Tag, Typography } from 'antd';
import { AlertOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { Link } from '../../router.tsx';
import { CloseAlertDialog, type AlertRow } from './CloseAlertDialog.tsx';
import { alertReasonText } from './alertReason.ts';

const LIMIT = 30;

export function AlertsPanel({ communityId, highlightIds, canClose }: { communityId?: number; highlightIds: number[]; canClose: boolean }) {
  const { t } = useTranslation('checkins');
  const q = useApiQuery('alerts.list', { status: 'open', communityId, limit: LIMIT }, { refetchInterval: 60_000 });
  const [closing, setClosing] = useState<AlertRow | null>(null);
  const total = q.data?.total ?? 0;
  const rows = q.data?.rows ?? [];

  return (
    <Card
      size="small"
      className="ci-alerts"
      data-testid="alerts-panel"
      title={
        <span className="ci-alerts-title">
          <AlertOutlined />
          {t('alerts.title')}
          <Badge count={total} overflowCount={999} showZero color={total ? '#cf1322' : '#bfbfbf'} data-testid="alerts-panel-count" />
        </span>
      }
      extra={<Link to={`/alerts?status=open${communityId ? `&communityId=${communityId}` : ''}`}>{t('alerts.all')}</Link>}
    >
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} />}
      {q.isLoading && <Skeleton active paragraph={{ rows: 4 }} />}
      {q.data && rows.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('alerts.none')} />}
      <ul className="ci-alert-list">
        {rows.map((a) => {
          const fresh = highlightIds.includes(a.id);
          return (
            <li key={a.id} className={`ci-alert${fresh ? ' ci-alert-new' : ''}`} data-testid={`alert-${a.id}`}>
              <div className="ci-alert-head">
                <Typography.Text strong>{a.name}</Typography.Text>
                {fresh && (
                  <Tag color="red" variant="solid">
                    {t('alerts.new')}
                  </Tag>
                )}
                <span className="ci-alert-time">{a.createdAt.slice(5, 16).replace('T', ' ')}</span>
              </div>
              <div className="ci-alert-addr">
                {a.community} · {a.address}
              </div>
              <div className="ci-alert-reason">{alertReasonText(a, t)}</div>
              {canClose && (
                <Button size="small" danger type={fresh ? 'primary' : 'default'} onClick={() => setClosing(a)} data-testid={`alert-handle-${a.id}`}>
                  {t('alerts.handle')}
                </Button>
              )}
            </li>
          );
        })}
      </ul>
      {total > rows.length && (
        <div className="ci-alerts-more">
          <Link to={`/alerts?status=open${communityId ? `&communityId=${communityId}` : ''}`}>{t('alerts.more', { n: total - rows.length })}</Link>
        </div>
      )}
      <CloseAlertDialog alert={closing} onClose={() => setClosing(null)} />
    </Card>
  );
}

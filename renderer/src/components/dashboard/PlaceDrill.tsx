// 工作台's drill-down: a community's compounds, then a compound's buildings (dashboard.places), with a breadcrumb back.
// The numbers add up to the community row above (the same counters in the core).
import { Breadcrumb, Button, Card, Table, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { errorMessage } from '../../api.ts';

export interface DrillAt {
  communityId: number;
  compoundId?: number;
}

export function PlaceDrill({ at, onChange, canLeave, picked }: { at: DrillAt; onChange: (at: DrillAt | null) => void; canLeave: boolean; picked: boolean }) {
  const { t } = useTranslation('drill');
  const q = useApiQuery('dashboard.places', { communityId: at.compoundId ? undefined : at.communityId, compoundId: at.compoundId }, { refetchInterval: 60_000 });
  const d = q.data;
  // The card opens below the charts: bring it into view when someone picked a place (not on arriving at 工作台).
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (picked) card.current?.scrollIntoView?.({ block: 'nearest' });
  }, [picked, at.communityId, at.compoundId]);
  const alarm = (v: number) => <span className={v ? 'text-alarm' : undefined}>{v}</span>;
  return (
    <Card ref={card} size="small" className="chart-card" data-testid="place-drill" title={t('title')}>
      <Breadcrumb
        style={{ marginBottom: 8 }}
        items={[
          ...(canLeave ? [{ title: <Button type="link" size="small" onClick={() => onChange(null)}>{t('all')}</Button> }] : []),
          {
            title: at.compoundId ? (
              <Button type="link" size="small" onClick={() => onChange({ communityId: at.communityId })} data-testid="drill-community">
                {d?.community.name ?? '…'}
              </Button>
            ) : (
              <span data-testid="drill-community">{d?.community.name ?? '…'}</span>
            ),
          },
          ...(at.compoundId ? [{ title: <span data-testid="drill-compound">{d?.compound?.name ?? '…'}</span> }] : []),
        ]}
      />
      {q.error && <Typography.Text type="danger">{errorMessage(q.error)}</Typography.Text>}
      <Table
        size="small"
        pagination={false}
        rowKey="placeId"
        loading={q.isLoading}
        dataSource={d?.rows ?? []}
        locale={{ emptyText: t('empty') }}
        scroll={{ x: 'max-content', y: 420 }}
        columns={[
          {
            title: at.compoundId ? t('building') : t('compound'),
            dataIndex: 'place',
            className: 'nowrap',
            render: (name: string, r) =>
              at.compoundId ? (
                name
              ) : (
                <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onChange({ communityId: at.communityId, compoundId: r.placeId })} data-testid="drill-row">
                  {name}
                </Button>
              ),
          },
          { title: t('underControl'), dataIndex: 'underControl', align: 'right' },
          { title: t('newToday'), dataIndex: 'newToday', align: 'right' },
          { title: t('releasedToday'), dataIndex: 'releasedToday', align: 'right' },
          { title: t('due'), dataIndex: 'dueForRelease', align: 'right' },
          { title: t('done'), dataIndex: 'checkinsDone', align: 'right' },
          { title: t('missing'), dataIndex: 'checkinsMissing', align: 'right' },
          { title: t('abnormal'), dataIndex: 'abnormalCheckins', align: 'right', render: alarm },
          { title: t('supplyOpen'), dataIndex: 'supplyOpen', align: 'right' },
        ]}
      />
    </Card>
  );
}

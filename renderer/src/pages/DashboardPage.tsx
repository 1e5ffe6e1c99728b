// 工作台: today's numbers as big cards (red when something needs attention, each opens its filtered list),
// the charts, and one row per community. Refreshes every minute. 未报 has two meanings here and each says which: the
// card counts people of the current slot, the completion chart and the community table person-slots of both slots.
import { Alert, Button, Card, Space, Table, Typography } from 'antd';
import {
  AlertOutlined,
  CarOutlined,
  ClockCircleOutlined,
  UserAddOutlined,
  LogoutOutlined,
  ReloadOutlined,
  TeamOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../query.ts';
import { errorMessage } from '../api.ts';
import { useMe } from '../session.tsx';
import { StatCard } from '../components/dashboard/StatCard.tsx';
import { NeedsCard } from '../components/needs/NeedsCard.tsx';
import { CompletionChart, SuppliesChart, TrendChart } from '../components/dashboard/DashboardCharts.tsx';
import type { DashboardData } from '../components/dashboard/types.ts';
import { PlaceDrill, type DrillAt } from '../components/dashboard/PlaceDrill.tsx';
import { useState } from 'react';

const REFRESH_MS = 60_000;

function useDashboard() {
  return useApiQuery('dashboard.get', {}, { refetchInterval: REFRESH_MS, refetchIntervalInBackground: true });
}

export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const q = useDashboard();
  const d = q.data;
  const tt = d?.totals;
  const person = t('dashboard.units.person');
  const item = t('dashboard.units.item');
  const dateLabel = d ? dayjs(d.date).format(i18n.t('codes:words.dateLong')) : '';
  const slotLabel = d ? t(`dashboard.slot.${d.slot.slot}`) : '';
  // The drill-down below a community: a committee member starts in their own community.
  const own = me.actor.role === 'committee' ? me.actor.communityId : null;
  const [drill, setDrill] = useState<DrillAt | null>(null);
  const drillAt = drill ?? (own ? { communityId: own } : null);

  return (
    <div className="page dashboard">
      <div className="page-head">
        <Space align="baseline" size={16} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('dashboard.title')}
          </Typography.Title>
          {d && <Typography.Text data-testid="dashboard-date">{t('dashboard.today', { date: dateLabel })}</Typography.Text>}
          <Typography.Text type="secondary">
            {t('dashboard.scope', { scope: me.actor.role === 'committee' && d?.rows[0] ? d.rows[0].community : me.org.level === 'district' ? t('header.districtAll') : t('dashboard.wholeSubdistrict') })}
          </Typography.Text>
        </Space>
        <Space>
          {q.dataUpdatedAt > 0 && (
            <Typography.Text type="secondary" title={t('dashboard.autoRefresh')}>
              {t('common.updatedAt', { time: dayjs(q.dataUpdatedAt).format('HH:mm:ss') })}
            </Typography.Text>
          )}
          <Button icon={<ReloadOutlined />} loading={q.isFetching} onClick={() => void q.refetch()}>
            {t('common.refresh')}
          </Button>
        </Space>
      </div>

      {q.error && <Alert type={q.error.code === 'NOT_FOUND' ? 'info' : 'error'} showIcon title={q.error.code === 'NOT_FOUND' ? t('dashboard.waiting') : errorMessage(q.error)} style={{ marginBottom: 16 }} />}

      <div className="stat-grid">
        <StatCard id="underControl" icon={<TeamOutlined />} label={t('dashboard.cards.underControl')} value={tt?.underControl} unit={person} to="/residents?status=active" />
        <StatCard id="newToday" icon={<UserAddOutlined />} label={t('dashboard.cards.newToday')} value={tt?.newToday} unit={person} to={`/residents?status=active&startDate=${d?.date ?? ''}`} />
        <StatCard id="releasedToday" icon={<LogoutOutlined />} label={t('dashboard.cards.releasedToday')} value={tt?.releasedToday} unit={person} to={`/residents?status=released&releasedOn=${d?.date ?? ''}`} />
        <StatCard id="due" icon={<ClockCircleOutlined />} label={t('dashboard.cards.due')} value={tt?.dueForRelease} unit={person} alarm to="/residents?status=due" />
        <StatCard
          id="missing"
          icon={<ClockCircleOutlined />}
          label={t('dashboard.cards.overdue', { slot: slotLabel })}
          value={d ? d.slot.due - d.slot.done : undefined}
          unit={person}
          alarm={!!d && d.slot.overdue > 0}
          extra={d && t('dashboard.cards.slotDone', { slot: slotLabel, done: d.slot.done, due: d.slot.due })}
          to={`/checkins?slot=${d?.slot.slot ?? 'am'}&missing=1`}
        />
        <StatCard id="alerts" icon={<AlertOutlined />} label={t('dashboard.cards.alertsOpen')} value={tt?.alertsOpen} unit={item} alarm to="/alerts?status=open" />
        <StatCard
          id="supplies"
          icon={<CarOutlined />}
          label={t('dashboard.cards.suppliesOpen')}
          value={tt?.supplyPending}
          unit={item}
          alarm={!!tt && tt.supplyOverdue > 0}
          extra={
            tt && (
              <span className={tt.supplyOverdue ? 'text-alarm' : undefined} data-testid="stat-supplies-overdue">
                {t('dashboard.cards.suppliesOverdue')} {tt.supplyOverdue}
              </span>
            )
          }
          to={tt?.supplyOverdue ? '/supplies?overdue=1' : '/supplies?open=1'}
        />
        <StatCard id="cadres" icon={<UsergroupAddOutlined />} label={t('dashboard.cards.cadresOnDuty')} value={tt?.cadresOnDuty} unit={person} to="/cadres?status=on_duty" />
      </div>

      {d && (
        <>
          <div className="chart-grid">
            <TrendChart data={d.charts.perDay} />
            <CompletionChart data={d.charts.completionByCommunity} />
          </div>
          <div className="chart-grid chart-grid-2">
            <SuppliesChart byStatus={d.charts.suppliesByStatus} byCategory={d.charts.suppliesByCategory} />
            <Card size="small" title={t('dashboard.byCommunity')} className="chart-card">
              <CommunityTable rows={d.rows} onOpen={(communityId) => setDrill({ communityId })} />
              <Typography.Text type="secondary" className="dashboard-note" data-testid="dashboard-missing-note">
                {t('dashboard.missingNote', { slot: slotLabel })}
              </Typography.Text>
            </Card>
          </div>
          <NeedsCard needs={d.needs} />
          {drillAt ? (
            <PlaceDrill at={drillAt} onChange={setDrill} canLeave={own === null} picked={drill !== null} />
          ) : (
            <Typography.Text type="secondary" className="dashboard-note">
              {t('drill:hint')}
            </Typography.Text>
          )}
        </>
      )}
    </div>
  );
}

function CommunityTable({ rows, onOpen }: { rows: DashboardData['rows']; onOpen: (communityId: number) => void }) {
  const { t } = useTranslation();
  const alarm = (v: number) => <span className={v ? 'text-alarm' : undefined}>{v}</span>;
  return (
    <Table
      size="small"
      pagination={false}
      rowKey="communityId"
      dataSource={rows}
      locale={{ emptyText: t('dashboard.charts.noCommunities') }}
      scroll={{ x: 'max-content' }}
      columns={[
        {
          title: t('dashboard.table.community'),
          dataIndex: 'community',
          className: 'nowrap',
          render: (name: string, r) => (
            <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpen(r.communityId)} data-testid="drill-open">
              {name}
            </Button>
          ),
        },
        { title: t('dashboard.table.underControl'), dataIndex: 'underControl', align: 'right' },
        { title: t('dashboard.table.newToday'), dataIndex: 'newToday', align: 'right' },
        { title: t('dashboard.table.releasedToday'), dataIndex: 'releasedToday', align: 'right' },
        { title: t('dashboard.table.due'), dataIndex: 'dueForRelease', align: 'right' },
        { title: <span title={t('dashboard.table.missingHelp')}>{t('dashboard.table.missing')}</span>, dataIndex: 'checkinsMissing', align: 'right' },
        { title: t('dashboard.table.alerts'), dataIndex: 'alertsOpen', align: 'right', render: alarm },
        { title: t('dashboard.table.supplyOverdue'), dataIndex: 'supplyOverdue', align: 'right', render: alarm },
      ]}
    />
  );
}

// The 工作台 charts: people under control per day (30 days, stacked), today's check-in completion by community,
// and supply requests by status and by category.
import { useMemo } from 'react';
import { Card, Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../EChart.tsx';
import { navigate } from '../../router.tsx';
import type { DashboardData } from './types.ts';
import { codeLabel } from '../../i18n/codes.ts';

const BLUE = '#1f5fbf';
const TEAL = '#13a8a8';
const GREEN = '#52c41a';
const STATUS_COLORS: Record<string, string> = { new: '#fa8c16', assigned: '#1677ff', delivering: '#722ed1', delivered: GREEN, cancelled: '#bfbfbf' };

export function TrendChart({ data }: { data: DashboardData['charts']['perDay'] }) {
  const { t } = useTranslation();
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('dashboard.isolation'), t('dashboard.monitoring')] },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: data.map((d) => d.date.slice(5)), axisLabel: { interval: 4 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('dashboard.isolation'), type: 'bar', stack: 'people', color: BLUE, data: data.map((d) => d.isolating), barMaxWidth: 18 },
        { name: t('dashboard.monitoring'), type: 'bar', stack: 'people', color: TEAL, data: data.map((d) => d.monitoring), barMaxWidth: 18 },
      ],
    }),
    [data, t],
  );
  return (
    <Card size="small" title={t('dashboard.charts.trend')} className="chart-card">
      <EChart option={option} height={260} testId="chart-trend" />
    </Card>
  );
}

export function CompletionChart({ data }: { data: DashboardData['charts']['completionByCommunity'] }) {
  const { t } = useTranslation();
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, data: [t('dashboard.charts.reported'), t('dashboard.charts.missing')] },
      grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: data.map((d) => d.community), axisLabel: { width: 84, overflow: 'truncate' } },
      series: [
        { name: t('dashboard.charts.reported'), type: 'bar', stack: 'c', color: GREEN, data: data.map((d) => d.done), barMaxWidth: 22 },
        {
          name: t('dashboard.charts.missing'),
          type: 'bar',
          stack: 'c',
          color: '#ffccc7',
          data: data.map((d) => d.due - d.done),
          barMaxWidth: 22,
          label: { show: true, position: 'right', color: '#595959', formatter: (p: { dataIndex: number }) => `${Math.round(data[p.dataIndex].rate * 100)}%` },
        },
      ],
    }),
    [data, t],
  );
  return (
    <Card size="small" title={t('dashboard.charts.completion')} className="chart-card">
      {data.length ? (
        <EChart option={option} height={Math.max(260, 36 * data.length + 48)} testId="chart-completion" onClick={() => navigate('/checkins')} />
      ) : (
        <Empty description={t('dashboard.charts.noCommunities')} data-testid="chart-completion-empty" />
      )}
    </Card>
  );
}

export function SuppliesChart({ byStatus, byCategory }: { byStatus: DashboardData['charts']['suppliesByStatus']; byCategory: DashboardData['charts']['suppliesByCategory'] }) {
  const { t } = useTranslation();
  const status = useMemo<ChartOption>(() => {
    const label = (s: (typeof byStatus)[number]) => t(`supplies:status.${s.status}`, { defaultValue: s.label });
    const counts = new Map(byStatus.map((s) => [label(s), s.count]));
    return {
      tooltip: { trigger: 'item' },
      // Counts sit in the legend: outer pie labels get cut off in a half-width card.
      legend: { bottom: 0, left: 'center', itemWidth: 12, itemHeight: 12, formatter: (name: string) => `${name} ${counts.get(name) ?? 0}` },
      series: [
        {
          name: t('nav.supplies'),
          type: 'pie',
          radius: ['42%', '68%'],
          center: ['50%', '42%'],
          label: { show: false },
          data: byStatus.map((s) => ({ name: label(s), value: s.count, itemStyle: { color: STATUS_COLORS[s.status] ?? BLUE } })),
        },
      ],
    };
  }, [byStatus, t]);
  const category = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: byCategory.map((c) => codeLabel(t, 'supplyCategory', c.category)) },
      series: [{ name: t('nav.supplies'), type: 'bar', color: BLUE, data: byCategory.map((c) => c.count), barMaxWidth: 16, label: { show: true, position: 'right' } }],
    }),
    [byCategory, t],
  );
  // No request at all: an all-zero pie would still draw coloured slices.
  const none = byStatus.every((s) => s.count === 0);
  return (
    <Card size="small" title={t('dashboard.charts.supplies')} className="chart-card">
      {none ? (
        <Empty description={t('dashboard.charts.noSupplies')} data-testid="chart-supplies-empty" />
      ) : (
        <div className="chart-pair">
          <EChart option={status} height={280} testId="chart-supplies" onClick={() => navigate('/supplies')} />
          <EChart option={category} height={280} testId="chart-supplies-category" onClick={() => navigate('/supplies')} />
        </div>
      )}
    </Card>
  );
}

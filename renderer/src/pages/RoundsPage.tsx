// 核酸轮次 (#/rounds?round=N): the test rounds (全员核酸), one round's coverage by community › compound › building
// (应检 / 已检 / 未检 / 阳性 / 混管待复核, counted live by the core), the 未检 list of a building with its print-ready
// sheet, the round's report (核酸检测轮次报告, .xlsx), a new round, and 导入结果 (the import wizard with the round:
// #/import?kind=tests&roundId=N).
import { useMemo, useState } from 'react';
import { Alert, App, Button, Empty, Progress, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { DownloadOutlined, ImportOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, type OutputOf } from '../api.ts';
import { saveBase64 } from './reports/download.ts';
import { useApiQuery } from '../query.ts';
import { navigate, useQueryParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { CreateRoundDialog } from './rounds/CreateRoundDialog.tsx';
import { UntestedDrawer, type BuildingPick } from './rounds/UntestedDrawer.tsx';

type Coverage = OutputOf<'rounds.coverage'>;
type Counts = { due: number; tested: number; untested: number; positive: number; retest: number };
interface TreeRow extends Counts {
  key: string;
  label: string;
  level: 'community' | 'compound' | 'building';
  building?: BuildingPick;
  children?: TreeRow[];
}

function treeOf(c: Coverage): TreeRow[] {
  const counts = (x: Counts): Counts => ({ due: x.due, tested: x.tested, untested: x.untested, positive: x.positive, retest: x.retest });
  return c.communities.map((m) => ({
    key: `c${m.communityId}`,
    label: m.community,
    level: 'community' as const,
    ...counts(m),
    children: m.compounds.map((p) => ({
      key: `p${p.compoundId}`,
      label: p.compound,
      level: 'compound' as const,
      ...counts(p),
      children: p.buildings.map((b) => ({
        key: `b${b.buildingId}`,
        label: b.building,
        level: 'building' as const,
        ...counts(b),
        building: { id: b.buildingId, place: `${m.community}${p.compound}${b.building}` },
      })),
    })),
  }));
}

const rate = (c: Counts) => (c.due ? Math.round((c.tested / c.due) * 100) : 100);

export default function RoundsPage() {
  const { t } = useTranslation('rounds');
  const { can } = useSession();
  const [params, setParams] = useQueryParams();
  const rounds = useApiQuery('rounds.list', {});
  const list = useMemo(() => rounds.data ?? [], [rounds.data]);
  const asked = /^\d+$/.test(params.round ?? '') ? Number(params.round) : undefined;
  const roundId = list.some((r) => r.id === asked) ? asked : list[0]?.id;
  const coverage = useApiQuery('rounds.coverage', { roundId: roundId ?? 0 }, { enabled: roundId !== undefined });
  const [creating, setCreating] = useState(false);
  const [building, setBuilding] = useState<BuildingPick | null>(null);
  const [exporting, setExporting] = useState(false);
  const { message } = App.useApp();
  const round = list.find((r) => r.id === roundId);
  const tree = useMemo(() => (coverage.data ? treeOf(coverage.data) : []), [coverage.data]);
  const loadError = rounds.error ?? coverage.error;

  // 导出轮次报告: the round's report (按小区, 按楼栋, the numbers shown here), written and audited by the core.
  const exportReport = async () => {
    if (roundId === undefined) return;
    setExporting(true);
    try {
      const r = await api('rounds.exportReport', { roundId });
      saveBase64(r.fileName, r.dataBase64);
      void message.success(t('reportExported', { name: r.fileName }));
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const columns = [
    { title: t('col.place'), dataIndex: 'label', key: 'label' },
    ...(['due', 'tested', 'untested', 'positive', 'retest'] as const).map((k) => ({
      title: t(`totals.${k}`),
      dataIndex: k,
      key: k,
      width: 96,
      align: 'right' as const,
      render: (v: number) => (k === 'positive' && v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : k === 'untested' && v > 0 ? <Typography.Text strong>{v}</Typography.Text> : v),
    })),
    { title: t('totals.rate'), key: 'rate', width: 130, render: (_: unknown, r: TreeRow) => <Progress percent={rate(r)} size="small" /> },
    {
      title: t('col.op'),
      key: 'op',
      width: 120,
      render: (_: unknown, r: TreeRow) =>
        r.building ? (
          <Button size="small" onClick={() => setBuilding(r.building!)} data-testid={`round-untested-${r.building.id}`}>
            {t('untestedOf')}
          </Button>
        ) : null,
    },
  ];

  return (
    <div className="page" data-testid="rounds-page">
      <div className="page-head">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          {list.length > 0 && (
            <Select
              value={roundId}
              style={{ minWidth: 280 }}
              placeholder={t('pick')}
              onChange={(v) => setParams({ round: v })}
              options={list.map((r) => ({ value: r.id, label: t('roundLabel', { name: r.name, scope: r.wholeSubdistrict ? t('scopeWhole') : r.communities.map((c) => c.name).join(t('listSep')) }) }))}
              data-testid="round-select"
            />
          )}
          {round && <Tag color={round.status === 'open' ? 'processing' : 'default'}>{t(`status.${round.status}`)}</Tag>}
        </Space>
        <Space>
          {can('rounds.write') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="round-create">
              {t('create')}
            </Button>
          )}
          {can('import.run') && round?.status === 'open' && (
            <Button icon={<ImportOutlined />} onClick={() => navigate(`/import?kind=tests&roundId=${round.id}`)} data-testid="round-import">
              {t('importResults')}
            </Button>
          )}
          {can('reports.export') && round && (
            <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportReport()} data-testid="round-export-report">
              {t('exportReport')}
            </Button>
          )}
          <Button icon={<ReloadOutlined />} onClick={() => void Promise.all([rounds.refetch(), coverage.refetch()])}>
            {t('common.refresh', { ns: 'translation' })}
          </Button>
        </Space>
      </div>
      {loadError && <Alert type="error" showIcon title={t('loadError', { message: errorMessage(loadError) })} style={{ marginBottom: 12 }} />}
      {rounds.isSuccess && list.length === 0 && <Empty description={can('rounds.write') ? t('none') : t('noneReadOnly')} />}
      {coverage.data && (
        <>
          <Space size={40} wrap style={{ marginBottom: 16 }} data-testid="round-totals">
            <Tooltip title={t('dueHelp')}>
              <Statistic title={t('totals.due')} value={coverage.data.due} />
            </Tooltip>
            <Statistic title={t('totals.tested')} value={coverage.data.tested} />
            <Statistic title={t('totals.untested')} value={coverage.data.untested} data-testid="round-total-untested" />
            <Statistic title={t('totals.positive')} value={coverage.data.positive} valueStyle={coverage.data.positive ? { color: '#cf1322' } : undefined} />
            <Statistic title={t('totals.retest')} value={coverage.data.retest} />
            <Statistic title={t('totals.rate')} value={rate(coverage.data)} suffix="%" />
          </Space>
          <Table<TreeRow>
            size="small"
            rowKey="key"
            columns={columns}
            dataSource={tree}
            pagination={false}
            expandable={{ defaultExpandAllRows: true }}
            loading={coverage.isFetching}
            data-testid="round-coverage"
          />
        </>
      )}
      {roundId !== undefined && <UntestedDrawer roundId={roundId} building={building} onClose={() => setBuilding(null)} canExempt={can('rounds.write') && round?.status === 'open'} />}
      <CreateRoundDialog open={creating} onClose={() => setCreating(false)} onCreated={(id) => setParams({ round: id })} />
    </div>
  );
}

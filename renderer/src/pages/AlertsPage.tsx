// 异常告警 (#/alerts?status=open): every alert, paged in SQL through the shared grid; an open one is closed with what
// was done (Enter on its row, or 处理). Reached from the 工作台 card and the alerts panel of 今日监测.
import { useMemo, useRef, useState } from 'react';
import { Alert, Button, Empty, Segmented, Select, Space, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useQueryParams } from '../router.tsx';
import { useOwnCommunity, useSession } from '../session.tsx';
import { InfiniteGrid, type GridHandle, type PageRequest, type PageResult } from '../components/grid/InfiniteGrid.tsx';
import { CloseAlertDialog, type AlertRow } from './checkins/CloseAlertDialog.tsx';
import { alertReasonText } from './checkins/alertReason.ts';
import { BuildingSelect, CompoundSelect } from '../components/PlacePicker.tsx';
import './checkins/checkins.css';

type StatusFilter = 'open' | 'closed' | 'all';
const posInt = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined);
const time = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

export default function AlertsPage() {
  const { t } = useTranslation('checkins');
  const { can } = useSession();
  const ownCommunity = useOwnCommunity();
  const [params, setParams] = useQueryParams();
  const status: StatusFilter = params.status === 'closed' || params.status === 'all' ? params.status : 'open';
  const communityId = posInt(params.communityId);
  const compoundId = posInt(params.compoundId);
  const buildingId = compoundId ? posInt(params.buildingId) : undefined;
  const residentId = posInt(params.residentId);
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const grid = useRef<GridHandle<AlertRow>>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [closing, setClosing] = useState<AlertRow | null>(null);
  const canClose = can('alerts.write');

  const queryKey = JSON.stringify({ status, communityId, compoundId, buildingId, residentId });
  const fetchPage = async (req: PageRequest): Promise<PageResult<AlertRow>> => {
    setLoadError(null);
    const res = await api('alerts.list', { status: status === 'all' ? undefined : status, communityId, compoundId, buildingId, residentId, offset: req.offset, limit: req.limit, withTotal: req.withTotal });
    return { rows: res.rows, total: res.total };
  };

  // Closed-only columns (they change only with the language, like the rest).
  const closedColumns = useMemo<ColDef<AlertRow>[]>(() => [
    { colId: 'action', headerName: t('alertPage.col.action'), width: 92, valueGetter: (p) => (p.data?.action ? t(`actions.${p.data.action as '上报'}`) : '') },
    { colId: 'note', field: 'actionNote', headerName: t('alertPage.col.note'), width: 180, tooltipField: 'actionNote' },
    { colId: 'closedBy', field: 'closedBy', headerName: t('alertPage.col.closedBy'), width: 100 },
    { colId: 'closedAt', headerName: t('alertPage.col.closedAt'), width: 132, valueGetter: (p) => time(p.data?.closedAt ?? null) },
  ], [t]);
  const columns = useMemo<ColDef<AlertRow>[]>(
    () => [
      { colId: 'createdAt', headerName: t('alertPage.col.createdAt'), width: 132, valueGetter: (p) => time(p.data?.createdAt ?? null) },
      { colId: 'name', field: 'name', headerName: t('alertPage.col.name'), width: 88 },
      // A committee member's alerts are all of their own community.
      { colId: 'community', field: 'community', headerName: t('alertPage.col.community'), width: 104, hide: ownCommunity !== null },
      { colId: 'address', field: 'address', headerName: t('alertPage.col.address'), width: 190, tooltipField: 'address' },
      { colId: 'reason', headerName: t('alertPage.col.reason'), flex: 1, minWidth: 220, valueGetter: (p) => (p.data ? alertReasonText(p.data, t) : ''), tooltipValueGetter: (p) => (p.data ? alertReasonText(p.data, t) : ''), cellClass: 'al-reason' },
      {
        colId: 'status',
        headerName: t('alertPage.col.status'),
        width: 86,
        cellRenderer: (p: ICellRendererParams<AlertRow>) =>
          p.data ? (
            <Tag color={p.data.status === 'open' ? 'red' : 'green'} variant={p.data.status === 'open' ? 'solid' : 'outlined'}>
              {t(`alertPage.status.${p.data.status}`)}
            </Tag>
          ) : null,
      },
      // What was done, by whom and when: only where closed alerts are listed (with open ones only, these columns
      // would be empty and push 处理 off the right edge).
      ...(status === 'open' ? [] : closedColumns),
      ...(canClose
        ? [
            {
              colId: 'op',
              headerName: t('alertPage.col.op'),
              width: 84,
              cellRenderer: (p: ICellRendererParams<AlertRow>) =>
                p.data?.status === 'open' ? (
                  <Button size="small" danger onClick={() => setClosing(p.data!)} data-testid={`alert-page-handle-${p.data.id}`}>
                    {t('alerts.handle')}
                  </Button>
                ) : null,
            },
          ]
        : []),
    ],
    [t, canClose, status, closedColumns, ownCommunity],
  );

  return (
    <div className="page al-page" data-testid="alerts-page">
      <div className="page-head">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('alertPage.title')}
          </Typography.Title>
          <Segmented<StatusFilter>
            value={status}
            onChange={(v) => setParams((now) => ({ ...now, status: v === 'open' ? null : v }))}
            options={(['open', 'closed', 'all'] as const).map((s) => ({ value: s, label: t(`alertPage.status.${s}`) }))}
            data-testid="alerts-status"
          />
          {ownCommunity === null && (
            <Select
              allowClear
              placeholder={t('filter.community')}
              value={communityId}
              style={{ width: 150 }}
              options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              onChange={(v) => setParams((now) => ({ ...now, communityId: v ?? null, compoundId: null, buildingId: null }))}
              data-testid="alerts-community-filter"
            />
          )}
          <CompoundSelect
            communities={communities.data ?? []}
            communityId={communityId}
            value={compoundId}
            onChange={(v) => setParams((now) => ({ ...now, compoundId: v, buildingId: null }))}
            testId="alerts-compound-filter"
          />
          <BuildingSelect compoundId={compoundId} value={buildingId} onChange={(v) => setParams((now) => ({ ...now, buildingId: v }))} testId="alerts-building-filter" />
          {total !== null && <Typography.Text type="secondary" data-testid="alerts-total">{t('alertPage.total', { n: total })}</Typography.Text>}
          {canClose && status !== 'closed' && <Typography.Text type="secondary">{t('alertPage.hint')}</Typography.Text>}
        </Space>
        <Button icon={<ReloadOutlined />} onClick={() => grid.current?.refresh()}>
          {t('common.refresh', { ns: 'translation' })}
        </Button>
      </div>
      {loadError && <Alert type="error" showIcon title={t('alertPage.loadError', { message: loadError })} style={{ marginBottom: 12 }} />}
      <div className="al-grid">
        <InfiniteGrid<AlertRow>
          ref={grid}
          columnDefs={columns}
          fetchPage={fetchPage}
          queryKey={queryKey}
          getRowId={(r) => String(r.id)}
          rowClassRules={{ 'al-row-open': (p) => p.data?.status === 'open' }}
          onOpen={(r) => canClose && r.status === 'open' && setClosing(r)}
          onTotal={setTotal}
          onError={(e) => setLoadError(errorMessage(e))}
          empty={<Empty description={t(`alertPage.empty.${status}`)} />}
          testId="alerts-grid"
        />
      </div>
      <CloseAlertDialog alert={closing} onClose={() => setClosing(null)} onClosed={() => grid.current?.refresh()} />
    </div>
  );
}

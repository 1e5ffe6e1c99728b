// 列表: every request matching the filters, paged in SQL through the shared grid (newest first). Overdue rows are red,
// urgent ones carry a tag; a click (or Enter) opens the detail with the workflow buttons.
import { forwardRef, useMemo, type ReactNode, type Ref } from 'react';
import { Tag } from 'antd';
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { InfiniteGrid, type GridHandle, type PageRequest, type PageResult } from '../../components/grid/InfiniteGrid.tsx';
import { STATUS_COLORS, listInput, minutesUntil, serverNowMs, spanText, time, yuan, type Filters, type SupplyRow } from './model.ts';
import { byLang, codeLabel } from '../../i18n/codes.ts';

interface Props {
  filters: Filters;
  onOpen: (r: SupplyRow) => void;
  onTotal: (n: number | null) => void;
  onError: (e: unknown) => void;
  empty: ReactNode;
  /** False for a committee member (one community): no 社区 column. */
  showCommunity: boolean;
}

/** What gives way, first to last, when the window is too narrow for every column (the detail shows it all). */
const FIT_ORDER = ['requestedBy', 'cadre', 'community', 'createdAt'];

export const SupplyList = forwardRef(function SupplyList({ filters, onOpen, onTotal, onError, empty, showCommunity }: Props, ref: Ref<GridHandle<SupplyRow>>) {
  const { t } = useTranslation('supplies');
  const input = listInput(filters);
  const queryKey = JSON.stringify(input);

  const fetchPage = async (req: PageRequest): Promise<PageResult<SupplyRow>> => {
    const res = await api('supplies.list', { ...input, sortDir: req.sort?.dir ?? 'desc', offset: req.offset, limit: req.limit, withTotal: req.withTotal });
    return { rows: res.rows, total: res.total };
  };

  const columns = useMemo<ColDef<SupplyRow>[]>(
    () => [
      { colId: 'createdAt', headerName: t('col.createdAt'), width: 104, sortable: true, valueGetter: (p) => time(p.data?.createdAt) },
      {
        // 紧急 rides with the category (one tag before it) instead of a column of its own: the list fits 1280 px.
        colId: 'category',
        headerName: t('col.category'),
        width: byLang(t, 124, 170),
        tooltipValueGetter: (p) => (p.data ? `${p.data.urgency === 'urgent' ? `${t('urgency.urgent')} ` : ''}${codeLabel(t, 'supplyCategory', p.data.category)}` : ''),
        cellRenderer: (p: ICellRendererParams<SupplyRow>) =>
          p.data ? (
            <>
              {p.data.urgency === 'urgent' && (
                <Tag color="red" variant="solid" className="su-tag-inline">
                  {t('urgency.urgent')}
                </Tag>
              )}
              {codeLabel(t, 'supplyCategory', p.data.category)}
            </>
          ) : null,
      },
      { colId: 'community', field: 'community', headerName: t('col.community'), width: 96, hide: !showCommunity },
      { colId: 'address', field: 'address', headerName: t('col.address'), flex: 1, minWidth: 150, tooltipField: 'address' },
      { colId: 'items', field: 'items', headerName: t('col.items'), flex: 1, minWidth: 150, tooltipField: 'items' },
      { colId: 'requestedBy', field: 'requestedBy', headerName: t('col.requestedBy'), width: 76 },
      {
        colId: 'status',
        headerName: t('col.status'),
        width: byLang(t, 86, 100),
        cellRenderer: (p: ICellRendererParams<SupplyRow>) => (p.data ? <Tag color={STATUS_COLORS[p.data.status]}>{t(`status.${p.data.status}`)}</Tag> : null),
      },
      { colId: 'cadre', field: 'cadreName', headerName: t('col.cadre'), width: 80 },
      {
        colId: 'dueBy',
        headerName: t('col.dueBy'),
        width: byLang(t, 116, 140),
        cellClassRules: { 'su-cell-overdue': (p) => !!p.data?.overdue },
        valueGetter: (p) => {
          const r = p.data;
          if (!r) return '';
          if (r.status === 'delivered' || r.status === 'cancelled') return '';
          const left = minutesUntil(r.dueBy, serverNowMs(r));
          return r.overdue ? t('overdueBy', { t: spanText(-left, t) }) : t('dueIn', { t: spanText(left, t) });
        },
      },
      // ¥1,234.56 ✓ (paid) whole: the amount is never cut.
      { colId: 'amount', headerName: t('col.amount'), width: 120, type: 'rightAligned', valueGetter: (p) => (p.data?.amountCents != null ? `${yuan(p.data.amountCents)}${p.data.paid ? ' ✓' : ''}` : '') },
    ],
    [t, showCommunity],
  );

  return (
    <InfiniteGrid<SupplyRow>
      ref={ref}
      columnDefs={columns}
      fetchPage={fetchPage}
      queryKey={queryKey}
      getRowId={(r) => String(r.id)}
      initialSort={{ colId: 'createdAt', dir: 'desc' }}
      fitColumns={FIT_ORDER}
      rowClassRules={{ 'su-row-overdue': (p) => !!p.data?.overdue, 'su-row-closed': (p) => p.data?.status === 'delivered' || p.data?.status === 'cancelled' }}
      onOpen={onOpen}
      onTotal={onTotal}
      onError={onError}
      empty={empty}
      testId="supply-grid"
    />
  );
});

// 审计日志: every write, login, export and purge, newest first; above it when the hash chain was last checked (admins
// can check it now); paged in SQL through the shared infinite grid; filters
// (user, action, dates, person) live in the URL; a row opens its before/after; 导出 Excel writes the filtered log.
import { useCallback, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Empty, Space, Tooltip, Typography } from 'antd';
import { FileExcelOutlined, ReloadOutlined } from '@ant-design/icons';
import type { ColDef } from 'ag-grid-community';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, type InputOf } from '../api.ts';
import { useQueryParams } from '../router.tsx';
import { InfiniteGrid, type GridHandle, type PageRequest } from '../components/grid/InfiniteGrid.tsx';
import { AuditFilters, EMPTY_FILTERS, type AuditFilterValues } from './audit/AuditFilters.tsx';
import { AuditDetail } from './audit/AuditDetail.tsx';
import { ChainStatus } from './audit/ChainStatus.tsx';
import { actionText, atText, entityText, residentText, summaryOf, userText, type AuditRow } from './audit/format.ts';
import { downloadExport } from './reports/download.ts';
import './audit/audit.css';

type Filter = Omit<InputOf<'audit.list'>, 'offset' | 'limit' | 'withTotal'>;

function filtersFromQuery(q: Record<string, string>): AuditFilterValues {
  return { user: q.user ?? '', action: q.action ?? '', from: q.from ?? '', to: q.to ?? '', resident: Number(q.resident) > 0 ? Number(q.resident) : null };
}

function toInput(f: AuditFilterValues): Filter {
  return {
    ...(f.user ? { userName: f.user } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.resident ? { residentId: f.resident } : {}),
  };
}

export default function AuditPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const [params, setParams] = useQueryParams();
  const filters = filtersFromQuery(params);
  // Keyed by the input's text, not the filters object (a new one each render).
  const queryKey = JSON.stringify(toInput(filters));
  const input = useMemo(() => JSON.parse(queryKey) as Filter, [queryKey]);
  const grid = useRef<GridHandle<AuditRow>>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<AuditRow | null>(null);
  const [exporting, setExporting] = useState(false);

  const fetchPage = useCallback(
    async (req: PageRequest) => {
      const r = await api('audit.list', { ...input, offset: req.offset, limit: req.limit, withTotal: req.withTotal });
      setError(null);
      return r;
    },
    [input],
  );

  const columns = useMemo<ColDef<AuditRow>[]>(
    () => [
      { colId: 'at', headerName: t('audit.col.at'), width: 168, valueGetter: (p) => (p.data ? atText(p.data.at) : ''), cellClass: 'audit-mono' },
      { colId: 'user', headerName: t('audit.col.user'), width: 150, valueGetter: (p) => (p.data ? userText(p.data, t) : ''), tooltipField: 'userName' },
      { colId: 'action', headerName: t('audit.col.action'), width: 160, valueGetter: (p) => (p.data ? actionText(p.data, t) : ''), tooltipField: 'action' },
      {
        colId: 'entity',
        headerName: t('audit.col.entity'),
        width: 150,
        valueGetter: (p) => (p.data ? entityText(p.data, t) : ''),
      },
      { colId: 'resident', headerName: t('audit.col.resident'), width: 110, valueGetter: (p) => (p.data ? residentText(p.data, t) : '') },
      { colId: 'summary', headerName: t('audit.col.summary'), flex: 1, minWidth: 260, valueGetter: (p) => (p.data ? summaryOf(p.data, t) : ''), tooltipValueGetter: (p) => (p.data ? summaryOf(p.data, t) : '') },
    ],
    [t],
  );

  const setFilters = (f: AuditFilterValues) =>
    setParams({ user: f.user, action: f.action, from: f.from, to: f.to, resident: f.resident ?? undefined });

  const exportLog = async () => {
    setExporting(true);
    try {
      const r = await api('audit.export', input);
      try {
        await downloadExport(r.file);
        void message.success(t('audit.exported', { n: r.rows }));
      } catch (e) {
        // The file is written even when it cannot be handed over here (e.g. only the admin may download others' files).
        void message.warning(t('audit.exportedAt', { n: r.rows, file: r.file, why: errorMessage(e) }), 10);
      }
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY_FILTERS);
  const empty = (
    <Empty description={filtered ? t('audit.emptyFiltered') : t('audit.empty')}>
      {filtered && <Button onClick={() => setFilters(EMPTY_FILTERS)}>{t('audit.filter.clear')}</Button>}
    </Empty>
  );

  return (
    <div className="page grid-page audit-page">
      <div className="page-head">
        <Space align="baseline" size={16} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('audit.title')}
          </Typography.Title>
          <Typography.Text data-testid="audit-total">{total === null ? t('audit.counting') : t('audit.total', { n: total.toLocaleString() })}</Typography.Text>
        </Space>
        <Space>
          <Tooltip title={t('common.refresh')}>
            <Button icon={<ReloadOutlined />} onClick={() => grid.current?.refresh()} aria-label={t('common.refresh')} />
          </Tooltip>
          <Button icon={<FileExcelOutlined />} loading={exporting} onClick={exportLog} disabled={total === 0} data-testid="audit-export">
            {t('audit.export')}
          </Button>
        </Space>
      </div>
      <ChainStatus onChecked={() => grid.current?.refresh()} />
      <div className="grid-toolbar">
        <AuditFilters value={filters} onChange={setFilters} />
        <Typography.Text type="secondary" className="audit-hint">
          {t('audit.hint')}
        </Typography.Text>
      </div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} data-testid="audit-error" />}
      <div className="audit-grid">
        <InfiniteGrid<AuditRow>
          ref={grid}
          testId="audit-grid"
          columnDefs={columns}
          fetchPage={fetchPage}
          queryKey={queryKey}
          getRowId={(r) => String(r.id)}
          onOpen={setOpen}
          empty={empty}
          onTotal={setTotal}
          onError={(e) => setError(errorMessage(e))}
        />
      </div>
      <AuditDetail row={open} onClose={() => setOpen(null)} />
    </div>
  );
}

// 隔离人员: the subdistrict's people in isolation as one long SQL-paged grid with search and filters (kept in the URL so
// the 工作台 can link to #/residents?status=due), the person drawer, 新增人员 and 批量解除. Keyboard first:
// '/' search, ↑↓ rows, Enter opens the drawer, N adds a person.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Empty, Space, Tooltip, Typography } from 'antd';
import { CheckSquareOutlined, ReloadOutlined, UserAddOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { currentQuery, navigate, useQueryParams } from '../router.tsx';
import { useMe, useSession } from '../session.tsx';
import { InfiniteGrid, type GridHandle, type PageRequest } from '../components/grid/InfiniteGrid.tsx';
import { FIT_ORDER, residentColumns } from './residents/columns.tsx';
import { FilterBar, type FilterBarHandle } from './residents/FilterBar.tsx';
import { ResidentDrawer } from './residents/ResidentDrawer.tsx';
import { ResidentForm, type FormMode } from './residents/ResidentForm.tsx';
import { BatchReleaseDialog } from './residents/BatchReleaseDialog.tsx';
import { DEFAULT_FEVER_THRESHOLD, SORTABLE, filtersFromQuery, hasNarrowingFilters, isAbnormal, listInput, queryFromFilters, type Filters, type Row } from './residents/model.ts';
import './residents/residents.css';

/** Keys typed into a field, or while a dialog is up, are not shortcuts (a row's checkbox is not a field). */
function typingOrDialog(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  const box = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');
  if (el && !box && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return true;
  return !!document.querySelector('.ant-modal-wrap:not([style*="display: none"]) .ant-modal, .ant-drawer-open');
}

const openIdOf = (q: Record<string, string>): number | null => (Number(q.open) > 0 ? Number(q.open) : null);

export default function ResidentsPage() {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const me = useMe();
  const [params, setParams] = useQueryParams();
  const paramsKey = JSON.stringify(params);
  // Keyed by the query's text, not the params object (a new one each render).
  const filters = useMemo(() => filtersFromQuery(JSON.parse(paramsKey) as typeof params), [paramsKey]);
  const openId = openIdOf(params);

  const communities = useApiQuery('places.communities');
  const settings = useApiQuery('settings.get', {}, { staleTime: 60_000 });
  const threshold = settings.data?.feverThreshold ?? DEFAULT_FEVER_THRESHOLD;

  const grid = useRef<GridHandle<Row>>(null);
  const filterBar = useRef<FilterBarHandle>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<Row[]>([]);
  const [formMode, setFormMode] = useState<FormMode | null>(null);
  const [batchOpen, setBatchOpen] = useState(false);
  // 批量解除 mode: only then does the grid carry its checkbox column (a column of checkboxes costs every row drawn).
  const [batchMode, setBatchMode] = useState(false);
  const batchRan = useRef(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  // Both read the URL as it is when they run: the search box's pause-commit or an Esc right before a keystroke would
  // otherwise write back the person or the filters of the render before (a just-closed drawer opened again).
  const setFilters = useCallback((f: Filters) => setParams(queryFromFilters(f, openIdOf(currentQuery()))), [setParams]);
  const openPerson = useCallback((id: number | null) => setParams(queryFromFilters(filtersFromQuery(currentQuery()), id)), [setParams]);

  const input = useMemo(() => listInput(filters), [filters]);
  const queryKey = JSON.stringify(input);
  const fetchPage = useCallback(
    async (req: PageRequest) => {
      const r = await api('residents.list', {
        ...input,
        offset: req.offset,
        limit: req.limit,
        withTotal: req.withTotal,
        sortField: req.sort ? (SORTABLE[req.sort.colId] ?? 'lastDay') : 'lastDay',
        sortDir: req.sort?.dir ?? 'asc',
      });
      setLoadError(null);
      return r;
    },
    [input],
  );

  useEffect(() => {
    setTotal(null);
    setSelected([]);
  }, [queryKey]);

  const oneCommunity = me.actor.role === 'committee';
  const columns = useMemo(() => residentColumns(t, threshold, me.today, { community: !oneCommunity }), [t, threshold, me.today, oneCommunity]);
  const rowClassRules = useMemo(
    () => ({
      'res-row-abnormal': (p: { data?: Row }) => !!p.data && isAbnormal(p.data, threshold),
      'res-row-due': (p: { data?: Row }) => !!p.data?.due && !isAbnormal(p.data, threshold),
    }),
    [threshold],
  );

  /** After any write: reload the visible rows (the grid pages itself; the writes refreshed the rest they declare). */
  const changed = useCallback(() => grid.current?.refresh(), []);

  const mayAdd = can('residents.write');
  const mayBatch = can('episodes.release');
  const exitBatch = useCallback(() => {
    setBatchMode(false);
    setSelected([]);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || typingOrDialog(e)) return;
      if (e.key === 'Escape' && batchMode) {
        exitBatch();
      } else if (e.key === '/') {
        e.preventDefault();
        filterBar.current?.focusSearch();
      } else if ((e.key === 'n' || e.key === 'N') && mayAdd) {
        e.preventDefault();
        setFormMode({ kind: 'add' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mayAdd, batchMode, exitBatch]);

  const filtered = hasNarrowingFilters(filters);
  const empty = (
    <Empty
      description={
        <Space orientation="vertical" size={4}>
          <Typography.Text strong>{t('empty.title')}</Typography.Text>
          <Typography.Text type="secondary">{filtered ? t('empty.filtered') : t('empty.none')}</Typography.Text>
        </Space>
      }
    >
      <Space>
        {filtered && (
          <Button onClick={() => setFilters({ search: '', communityId: null, compoundId: null, buildingId: null, status: 'active', dayN: null, abnormal: false, needs: [] })}>{t('empty.clear')}</Button>
        )}
        {mayAdd && (
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setFormMode({ kind: 'add' })}>
            {t('add')}
          </Button>
        )}
        {!filtered && can('import.run') && <Button onClick={() => navigate('/import')}>{t('empty.import')}</Button>}
      </Space>
    </Empty>
  );

  return (
    <div className="page grid-page res-page">
      <div className="page-head">
        <Space align="baseline" size={16} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <Typography.Text data-testid="residents-total">{total === null ? t('counting') : t('total', { n: total.toLocaleString() })}</Typography.Text>
          <Typography.Text type="secondary" className="res-legend">
            <span className="res-swatch res-swatch-abnormal" />
            {t('legend.abnormal', { threshold })}
            <span className="res-swatch res-swatch-due" />
            {t('legend.due')}
          </Typography.Text>
        </Space>
        <Space>
          <Tooltip title={t('refresh')}>
            <Button icon={<ReloadOutlined />} onClick={changed} aria-label={t('refresh')} />
          </Tooltip>
          {mayBatch && !batchMode && (
            <Button icon={<CheckSquareOutlined />} onClick={() => setBatchMode(true)} data-testid="batch-release">
              {t('batch')}
            </Button>
          )}
          {mayBatch && batchMode && (
            <>
              <Button type="primary" icon={<CheckSquareOutlined />} onClick={() => setBatchOpen(true)} data-testid="batch-start">
                {selected.length ? t('batchSelected', { n: selected.length }) : t('batchAll')}
              </Button>
              <Button onClick={exitBatch} data-testid="batch-exit">
                {t('batchExit')}
              </Button>
            </>
          )}
          {mayAdd && (
            <Tooltip title={t('addKey')}>
              <Button type="primary" icon={<UserAddOutlined />} onClick={() => setFormMode({ kind: 'add' })} data-testid="add-resident">
                {t('add')}
              </Button>
            </Tooltip>
          )}
        </Space>
      </div>
      <div className="grid-toolbar">
        <FilterBar ref={filterBar} filters={filters} communities={communities.data ?? []} onChange={setFilters} onEnterList={() => grid.current?.focusFirstRow()} />
        {batchMode ? (
          <Typography.Text type="warning" className="res-shortcuts" data-testid="batch-hint">
            {t('batchHint')}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary" className="res-shortcuts">
            {t('shortcuts')}
          </Typography.Text>
        )}
      </div>
      {loadError && <Alert type="error" showIcon title={t('loadError', { message: loadError })} style={{ marginBottom: 8 }} data-testid="residents-error" />}
      <div className="res-grid">
        <InfiniteGrid<Row>
          ref={grid}
          testId="residents-grid"
          columnDefs={columns}
          fetchPage={fetchPage}
          queryKey={queryKey}
          getRowId={(r) => String(r.id)}
          rowClassRules={rowClassRules}
          initialSort={{ colId: 'lastDay', dir: 'asc' }}
          fitColumns={FIT_ORDER}
          onOpen={(r) => openPerson(r.id)}
          selection={mayBatch && batchMode ? { isSelectable: (r) => r.due && r.episodeId !== null, onChange: setSelected } : undefined}
          empty={empty}
          onTotal={setTotal}
          onError={(e) => setLoadError(errorMessage(e))}
        />
      </div>
      <ResidentDrawer
        id={openId}
        threshold={threshold}
        onClose={() => openPerson(null)}
        onOpenOther={(id) => openPerson(id)}
        onEdit={(d) => setFormMode({ kind: 'edit', detail: d })}
        onChanged={changed}
      />
      <ResidentForm
        mode={formMode}
        onClose={() => setFormMode(null)}
        onSaved={(id) => {
          const wasEdit = formMode?.kind === 'edit';
          setFormMode(null);
          changed();
          if (!wasEdit) openPerson(id);
        }}
      />
      {batchOpen && (
        <BatchReleaseDialog
          communityId={filters.communityId}
          preselected={selected}
          onClose={() => {
            setBatchOpen(false);
            grid.current?.clearSelection();
            // After a batch ran, back to the plain list (no checkbox column); a cancelled dialog stays in batch mode.
            if (batchRan.current) exitBatch();
            batchRan.current = false;
          }}
          onDone={() => {
            batchRan.current = true;
            changed();
          }}
        />
      )}
    </div>
  );
}

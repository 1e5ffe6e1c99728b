// 物资需求: the counts by status on top (each a filter), then a list, a board by status, or the per-compound run sheet
// to print; 新增需求 (key N) for a household; a request opens its detail with assign / deliver / cancel.
// Filters live in the URL (#/supplies?overdue=1 from the 工作台).
import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Checkbox, DatePicker, Empty, Input, Segmented, Select, Space, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useQueryParams } from '../router.tsx';
import { useOwnCommunity, useSession } from '../session.tsx';
import type { GridHandle } from '../components/grid/InfiniteGrid.tsx';
import { SupplyList } from './supplies/SupplyList.tsx';
import { SupplyBoard } from './supplies/SupplyBoard.tsx';
import { RunSheet } from './supplies/RunSheet.tsx';
import { SupplyDrawer } from './supplies/SupplyDrawer.tsx';
import { SupplyForm } from './supplies/SupplyForm.tsx';
import { BoardStrip } from './supplies/BoardStrip.tsx';
import { CATEGORIES, STATUS_FILTERS, filtersFromQuery, filtersToQuery, isFiltered, type Filters, type SupplyRow, type View } from './supplies/model.ts';
import './supplies/supplies.css';
import { byLang, paren } from '../i18n/codes.ts';
import { BuildingSelect } from '../components/PlacePicker.tsx';

/** What 刷新 reloads: every view of requests and the counts beside them. */
const SUPPLY_VIEWS = ['supplies.list', 'supplies.board', 'supplies.get', 'supplies.runSheet', 'dashboard.get', 'cadres.list', 'residents.get'] as const;

export default function SuppliesPage() {
  const { t } = useTranslation('supplies');
  const { t: te } = useTranslation('enums');
  const { can } = useSession();
  const qc = useQueryClient();
  const [params, setParams] = useQueryParams();
  const filters = useMemo(() => filtersFromQuery(params), [params]);
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const grid = useRef<GridHandle<SupplyRow>>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [search, setSearch] = useState(filters.search);
  const canWrite = can('supplies.write');
  const ownCommunity = useOwnCommunity();

  const update = (patch: Partial<Filters>) => setParams((now) => filtersToQuery({ ...filtersFromQuery(now), ...patch }));
  useEffect(() => setSearch(filters.search), [filters.search]);

  // N opens the new-request form when no field has the focus.
  useEffect(() => {
    if (!canWrite) return;
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || e.code !== 'KeyN') return;
      if (el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.closest('.ant-modal, .ant-drawer'))) return;
      e.preventDefault();
      setAdding(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canWrite]);

  const refresh = () => {
    grid.current?.refresh();
    for (const c of SUPPLY_VIEWS) void qc.invalidateQueries({ queryKey: [c] });
  };

  const compounds = useMemo(() => {
    const list = communities.data ?? [];
    const one = !!filters.communityId || ownCommunity !== null;
    return (filters.communityId ? list.filter((c) => c.id === filters.communityId) : list).flatMap((c) =>
      c.compounds.map((p) => ({ value: p.id, label: one ? p.name : paren(t, p.name, c.name) })),
    );
  }, [communities.data, filters.communityId, ownCommunity, t]);

  const empty = (
    <Empty description={<span data-testid="supply-empty">{isFiltered(filters) ? t('empty.filtered') : t('empty.none')}</span>}>
      {isFiltered(filters) ? (
        <Button onClick={() => setParams({ view: filters.view === 'list' ? null : filters.view })}>{t('filter.clear')}</Button>
      ) : (
        canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('add')}
          </Button>
        )
      )}
    </Empty>
  );

  return (
    <div className={`page su-page su-view-${filters.view}`} data-testid="supplies-page">
      <div className="page-head su-noprint">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <Segmented<View>
            value={filters.view}
            onChange={(v) => update({ view: v })}
            options={(['list', 'board', 'sheet'] as const).map((v) => ({ value: v, label: t(`view.${v}`) }))}
            data-testid="supply-view"
          />
          {filters.view === 'list' && total !== null && <Typography.Text type="secondary">{t('total', { n: total })}</Typography.Text>}
          {filters.view !== 'sheet' && (
            <Typography.Text type="secondary" className="su-open-hint" data-testid="supply-open-hint">
              {t('openHint')}
            </Typography.Text>
          )}
        </Space>
        <Space>
          <Button icon={<ReloadOutlined />} onClick={refresh}>
            {t('common.refresh', { ns: 'translation' })}
          </Button>
          {canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} title={t('addKey')} data-testid="supply-add">
              {t('add')}
            </Button>
          )}
        </Space>
      </div>

      <BoardStrip filters={filters} onPick={update} />

      <div className="su-filters su-noprint">
        <Space size={8} wrap>
          {filters.view !== 'board' && (
            <Select
              value={filters.status}
              style={{ width: 110 }}
              options={STATUS_FILTERS.map((s) => ({ value: s, label: t(`status.${s}`) }))}
              onChange={(v) => update({ status: v })}
              aria-label={t('filter.status')}
              data-testid="supply-status-filter"
            />
          )}
          {ownCommunity === null && (
            <Select
              allowClear
              placeholder={t('filter.community')}
              value={filters.communityId}
              style={{ width: byLang(t, 140, 170) }}
              options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              onChange={(v) => update({ communityId: v ?? undefined, compoundId: undefined, buildingId: undefined })}
              data-testid="supply-community-filter"
            />
          )}
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('filter.compound')}
            value={filters.compoundId}
            style={{ width: byLang(t, 150, 180) }}
            popupMatchSelectWidth={false}
            options={compounds}
            onChange={(v) => update({ compoundId: v ?? undefined, buildingId: undefined })}
            data-testid="supply-compound-filter"
          />
          <BuildingSelect compoundId={filters.compoundId} value={filters.buildingId} onChange={(v) => update({ buildingId: v ?? undefined })} testId="supply-building-filter" />
          {filters.view !== 'sheet' && (
            <>
              <Select allowClear placeholder={t('filter.category')} value={filters.category} style={{ width: byLang(t, 120, 160) }} options={CATEGORIES.map((c) => ({ value: c, label: te(`supplyCategory.${c}`) }))} onChange={(v) => update({ category: v ?? undefined })} />
              <Select
                allowClear
                placeholder={t('filter.urgency')}
                value={filters.urgency}
                style={{ width: byLang(t, 100, 110) }}
                options={[
                  { value: 'urgent', label: t('urgency.urgent') },
                  { value: 'normal', label: t('urgency.normal') },
                ]}
                onChange={(v) => update({ urgency: v ?? undefined })}
              />
              <Checkbox checked={filters.overdue} onChange={(e) => update({ overdue: e.target.checked })} data-testid="supply-overdue-only">
                {t('filter.overdue')}
              </Checkbox>
              <Input.Search allowClear placeholder={t('filter.search')} value={search} onChange={(e) => setSearch(e.target.value)} onSearch={(v) => update({ search: v })} style={{ width: byLang(t, 240, 300) }} />
            </>
          )}
          <DatePicker
            value={filters.date ? dayjs(filters.date) : null}
            placeholder={filters.view === 'sheet' ? t('sheet.date') : t('filter.date')}
            onChange={(d) => update({ date: d ? d.format('YYYY-MM-DD') : undefined })}
            style={{ width: 170 }}
          />
          {isFiltered(filters) && (
            <Button type="link" onClick={() => setParams({ view: filters.view === 'list' ? null : filters.view })}>
              {t('filter.clear')}
            </Button>
          )}
        </Space>
      </div>

      {loadError && <Alert type="error" showIcon title={t('loadError', { message: loadError })} style={{ marginBottom: 12 }} className="su-noprint" />}

      {filters.view === 'list' && (
        <div className="su-grid">
          <SupplyList
            ref={grid}
            filters={filters}
            onOpen={(r) => setOpenId(r.id)}
            onTotal={(n) => {
              setTotal(n);
              setLoadError(null);
            }}
            onError={(e) => setLoadError(errorMessage(e))}
            empty={empty}
            showCommunity={ownCommunity === null}
          />
        </div>
      )}
      {filters.view === 'board' && <SupplyBoard filters={filters} onOpen={(r) => setOpenId(r.id)} />}
      {filters.view === 'sheet' && <RunSheet filters={filters} />}

      <SupplyDrawer id={openId} onClose={() => setOpenId(null)} onChanged={() => grid.current?.refresh()} />
      <SupplyForm
        open={adding}
        onClose={() => setAdding(false)}
        onCreated={(d) => {
          grid.current?.refresh();
          setOpenId(d.id);
        }}
      />
    </div>
  );
}

// 今日监测: the people due in a slot (上午/下午) of a date, 100 to a page read from SQL in place order (小区 › 楼栋 › 单元 ›
// room by number), grouped with each unit's progress, typed in from the keyboard; a jump list of compounds and
// buildings; a search box (name, pinyin initials, room); 只看未报 / 只看异常; a counter of 已报/应报 and 未报; the open
// alerts beside it. Filters live in the URL (#/checkins?slot=am&q=zs). Enter on a page's last open person moves to
// the next people (next page, or — when saves shrink the list from the front — the same page read again).
// 整栋正常… (jump list) / 本单元正常… (unit header) open the whole-building entry (BatchDialog); the slot's entries
// are listed above the table with 撤销 (BatchList).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Checkbox, DatePicker, Input, Pagination, Result, Segmented, Select, Space, Spin, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, type InputOf } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { navigate, useQueryParams } from '../router.tsx';
import { useOwnCommunity, useSession } from '../session.tsx';
import { EntryTable, type EntryTableProps } from './checkins/EntryTable.tsx';
import { AlertsPanel } from './checkins/AlertsPanel.tsx';
import { CorrectDialog } from './checkins/CorrectDialog.tsx';
import { KeyLegend } from './checkins/KeyLegend.tsx';
import { Counter } from './checkins/Counter.tsx';
import { JumpList } from './checkins/JumpList.tsx';
import { BatchDialog, type BatchTarget } from './checkins/BatchDialog.tsx';
import { BatchList } from './checkins/BatchList.tsx';
import { compoundsOf, listShrinks, offsetOf, type CheckinView, type DueRow, type ListMode, type RecordResult, type Slot, type UnitCounts } from './checkins/model.ts';
import { paren } from '../i18n/codes.ts';
import './checkins/checkins.css';

const PAGE_SIZE = 100;
const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && dayjs(s).isValid();
const posInt = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined);
const firstOpen = (rows: DueRow[]) => rows.find((r) => !r.recorded) ?? null;

type Target = EntryTableProps['focusTarget'] & { listKey: string; advance?: boolean };

export default function CheckinsPage() {
  const { t } = useTranslation('checkins');
  const { message } = App.useApp();
  const { can } = useSession();
  const [params, setParams] = useQueryParams();
  const communityId = posInt(params.communityId);
  const compoundId = posInt(params.compoundId);
  const urlDate = isDate(params.date) ? params.date : undefined;
  const urlSlot: Slot | undefined = params.slot === 'am' || params.slot === 'pm' ? params.slot : undefined;
  // The slot's counter, and the server's "today" and current slot when the URL names none (the clerk's PC clock may
  // be wrong; the office's clock decides). Light: refreshed after every check-in.
  const counts = useApiQuery('checkins.counts', { date: urlDate, slot: urlSlot, communityId, compoundId }, { staleTime: 60_000 });
  const settings = useApiQuery('settings.get', {}, { staleTime: 60_000 });
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  // A committee member works in one community (the core confines them to it): no community selector.
  const ownCommunity = useOwnCommunity();
  const serverToday = counts.data?.today ?? (counts.error ? dayjs().format('YYYY-MM-DD') : undefined);
  const date = urlDate ?? serverToday;
  const slot: Slot = urlSlot ?? counts.data?.slot ?? 'am';
  const mode: ListMode = params.missing === '1' ? 'missing' : params.abnormal === '1' ? 'abnormal' : 'all';
  const search = (params.q ?? '').trim();
  const page = posInt(params.page) ?? 1;
  const threshold = settings.data?.feverThreshold ?? 37.3;
  const canWrite = can('checkins.write');

  // Wait for the server's slot unless the URL names one (else the list would load twice).
  const slotKnown = !!urlSlot || !!counts.data || !!counts.error;
  const inputAt = useCallback(
    (p: number): InputOf<'checkins.due'> | undefined =>
      date && slotKnown
        ? { date, slot, communityId, compoundId, search: search || undefined, onlyMissing: mode === 'missing' || undefined, onlyAbnormal: mode === 'abnormal' || undefined, offset: (p - 1) * PAGE_SIZE, limit: PAGE_SIZE }
        : undefined,
    [date, slot, slotKnown, communityId, compoundId, search, mode],
  );
  const input = inputAt(page);
  // No refetch on focus: a reload would reorder the rows under the clerk's cursor. Saves patch the cached page.
  const due = useApiQuery('checkins.due', input, { enabled: !!input, refetchOnWindowFocus: false, staleTime: 30_000 });
  // The groups: every building's counts (the jump list) and the units of the buildings this page shows (its headers).
  const pageBuildings = useMemo(() => [...new Set((due.data?.rows ?? []).map((r) => r.buildingId))].sort((a, b) => a - b), [due.data]);
  const groupsInput = date && slotKnown && due.data ? { date, slot, communityId, compoundId, buildingIds: pageBuildings } : undefined;
  const groups = useApiQuery('checkins.groups', groupsInput, { enabled: !!groupsInput, refetchOnWindowFocus: false, staleTime: 30_000, placeholderData: (prev) => prev });
  const listKey = JSON.stringify(input ?? null);
  const [saved, setSaved] = useState<{ key: string; map: Map<number, CheckinView> }>({ key: '', map: new Map() });
  const savedMap = useMemo(() => (saved.key === listKey ? saved.map : new Map<number, CheckinView>()), [saved, listKey]);
  const [highlights, setHighlights] = useState<number[]>([]);
  const [correcting, setCorrecting] = useState<DueRow | null>(null);
  const [openCompound, setOpenCompound] = useState<number | null>(null);
  const [pending, setPending] = useState<Target | null>(null);
  const [batchTarget, setBatchTarget] = useState<BatchTarget | null>(null);
  const seq = useRef(0);

  const update = (next: Record<string, string | number | boolean | null | undefined>) => setParams((now) => ({ ...now, page: null, ...next }));
  const goPage = (p: number) => setParams((now) => ({ ...now, page: p === 1 ? null : p }));

  // The search box types freely; the list follows 300 ms after the last key.
  const [searchText, setSearchText] = useState(search);
  useEffect(() => setSearchText(search), [search]);
  useEffect(() => {
    if (searchText.trim() === search) return;
    const timer = setTimeout(() => setParams((now) => ({ ...now, page: null, q: searchText.trim() || null })), 300);
    return () => clearTimeout(timer);
  }, [searchText, search, setParams]);

  // The save itself updated the row and refreshed the counts (EntryTable); here: what this session saved, and alerts.
  const onSaved = useCallback(
    (row: DueRow, res: RecordResult) => {
      setSaved((s) => {
        const map = new Map(s.key === listKey ? s.map : []);
        map.set(row.residentId, res.checkin);
        return { key: listKey, map };
      });
      if (res.alertId) {
        setHighlights((h) => [res.alertId!, ...h].slice(0, 20));
        message.warning({ content: t('savedAbnormal', { name: row.name }), duration: 4 });
      }
    },
    [listKey, message, t],
  );

  const rows = useMemo(() => due.data?.rows ?? [], [due.data]);
  const total = due.data?.total ?? 0;
  const pastCutoff = due.data?.pastCutoff ?? counts.data?.pastCutoff ?? false;
  const units = useMemo(() => groups.data?.units ?? [], [groups.data]);
  const buildings = useMemo(() => groups.data?.buildings ?? [], [groups.data]);
  const unitCounts = useMemo(() => new Map<number, UnitCounts>(units.map((u) => [u.unitId, u])), [units]);
  const compoundList = useMemo(() => compoundsOf(buildings), [buildings]);
  // Buildings and units by place id, for the whole-building entries' list (小区 + 楼栋 + 单元).
  const placeLabels = useMemo(() => {
    const m = new Map<number, string>();
    for (const b of buildings) m.set(b.buildingId, b.compound + b.building);
    for (const u of units) m.set(u.unitId, u.compound + u.building + u.unit);
    return m;
  }, [buildings, units]);
  const compounds = useMemo(() => {
    const list = communities.data ?? [];
    return (communityId ? list.filter((c) => c.id === communityId) : list).flatMap((c) => c.compounds.map((p) => ({ value: p.id, label: communityId ? p.name : paren(t, p.name, c.name) })));
  }, [communities.data, communityId, t]);

  // Where the focus goes on the list shown: a target the page set for it (next page, a jump), else the first open row.
  const focusTarget: Target = pending && pending.listKey === listKey ? pending : { listKey, key: listKey, pick: firstOpen };
  const target = (listKey: string, pick: Target['pick'], advance = false): Target => ({ listKey, key: `${listKey}#${++seq.current}`, pick, advance });

  const allDone = () => message.success(t('allDone'));
  const onPastEnd = (lastSave: Promise<unknown>) => {
    const more = page * PAGE_SIZE < total;
    if (listShrinks(mode, pastCutoff)) {
      // The people just recorded leave this part of the list: the next ones now stand at the same offset.
      const seen = new Set(rows.map((r) => r.residentId));
      void lastSave.then(async () => {
        await due.refetch();
        setPending(target(listKey, (list) => list.find((r) => !r.recorded && !seen.has(r.residentId)) ?? null, true));
      });
    } else if (more) {
      setPending(target(JSON.stringify(inputAt(page + 1) ?? null), firstOpen, true));
      goPage(page + 1);
    } else allDone();
  };
  // Nobody open where the focus was sent: a page all recorded is passed over, the end of the list says so.
  const onNoTarget = (key: string) => {
    if (!pending?.advance || pending.key !== key) return;
    if (page * PAGE_SIZE < total) {
      setPending(target(JSON.stringify(inputAt(page + 1) ?? null), firstOpen, true));
      goPage(page + 1);
    } else allDone();
  };

  const jump = (where: { buildingId?: number; compoundId: number }) => {
    const offset = offsetOf(buildings, where, mode, pastCutoff);
    if (offset === null) return;
    const to = Math.floor(offset / PAGE_SIZE) + 1;
    const inPlace = (r: DueRow) => (where.buildingId !== undefined ? r.buildingId === where.buildingId : r.compoundId === where.compoundId);
    setOpenCompound(where.compoundId);
    setPending(target(JSON.stringify(inputAt(to) ?? null), (list) => list.find((r) => inPlace(r) && !r.recorded) ?? list.find(inPlace) ?? null));
    goPage(to);
  };

  const shownCompound = (openCompound !== null && compoundList.some((c) => c.compoundId === openCompound) ? openCompound : null) ?? rows[0]?.compoundId ?? null;
  const showJump = !search && compoundList.length > 0;
  const nobodyDue = !!due.data && due.data.counter.due === 0;

  return (
    <div className="page ci-page" data-testid="checkins-page">
      <div className="page-head">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          <DatePicker
            value={date ? dayjs(date) : null}
            allowClear={false}
            aria-label={t('filter.date')}
            disabledDate={(d) => !!serverToday && d.format('YYYY-MM-DD') > serverToday}
            onChange={(d) => d && update({ date: d.format('YYYY-MM-DD') === serverToday ? null : d.format('YYYY-MM-DD') })}
            data-testid="ci-date"
          />
          {date && date === serverToday && <Typography.Text type="secondary">{t('today')}</Typography.Text>}
          <Segmented<Slot>
            value={slot}
            onChange={(v) => update({ slot: v })}
            options={[
              { value: 'am', label: t('slot.am') },
              { value: 'pm', label: t('slot.pm') },
            ]}
            data-testid="ci-slot"
          />
          {ownCommunity === null && (
            <Select
              allowClear
              placeholder={t('filter.community')}
              value={communityId}
              style={{ width: 130 }}
              options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
              onChange={(v) => update({ communityId: v ?? null, compoundId: null })}
              data-testid="ci-community"
            />
          )}
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t('filter.compound')}
            value={compoundId}
            style={{ width: 170 }}
            options={compounds}
            onChange={(v) => update({ compoundId: v ?? null })}
            data-testid="ci-compound"
          />
          <Input.Search
            allowClear
            value={searchText}
            placeholder={t('filter.search')}
            aria-label={t('filter.search')}
            style={{ width: 200 }}
            onChange={(e) => setSearchText(e.target.value)}
            onSearch={(v) => update({ q: v.trim() || null })}
            data-testid="ci-search"
          />
          <Checkbox checked={mode === 'missing'} onChange={(e) => update({ missing: e.target.checked ? '1' : null, abnormal: null })} data-testid="ci-missing-only">
            {t('filter.missing')}
          </Checkbox>
          <Checkbox checked={mode === 'abnormal'} onChange={(e) => update({ abnormal: e.target.checked ? '1' : null, missing: null })} data-testid="ci-abnormal-only">
            {t('filter.abnormal')}
          </Checkbox>
        </Space>
        <Button
          icon={<ReloadOutlined />}
          loading={due.isFetching}
          onClick={() => {
            void due.refetch();
            void groups.refetch();
          }}
        >
          {t('common.refresh', { ns: 'translation' })}
        </Button>
      </div>

      {counts.data && counts.data.date === date && counts.data.slot === slot && <Counter counts={counts.data} slotLabel={t(`slot.${slot}`)} />}
      {!canWrite && <Alert type="info" showIcon title={t('readOnlyNote')} style={{ marginBottom: 12 }} />}
      {date && <BatchList date={date} slot={slot} pastCutoff={pastCutoff} placeLabel={(id) => placeLabels.get(id)} />}

      <div className={showJump ? 'ci-layout ci-layout-jump' : 'ci-layout'}>
        {showJump && (
          <JumpList
            compounds={compoundList}
            openCompoundId={shownCompound}
            currentBuildingId={rows[0]?.buildingId ?? null}
            mode={mode}
            pastCutoff={pastCutoff}
            onCompound={(c) => jump({ compoundId: c.compoundId })}
            onBuilding={(b) => jump({ compoundId: b.compoundId, buildingId: b.buildingId })}
            onBatch={canWrite ? (b) => setBatchTarget({ placeId: b.buildingId, label: b.compound + b.building }) : undefined}
          />
        )}
        <div className="ci-main">
          {canWrite && <KeyLegend threshold={threshold} />}
          {due.error && <Alert type="error" showIcon title={t('loadError', { message: errorMessage(due.error) })} action={<Button onClick={() => void due.refetch()}>{t('common.retry', { ns: 'translation' })}</Button>} />}
          {!due.data && !due.error && <Spin className="page-spin" />}
          {nobodyDue && (
            <Result
              status="info"
              title={t('empty.title')}
              subTitle={t('empty.text')}
              data-testid="ci-empty"
              extra={[
                <Button key="r" type="primary" onClick={() => navigate('/residents')}>
                  {t('empty.residents')}
                </Button>,
                can('import.run') && (
                  <Button key="i" onClick={() => navigate('/import')}>
                    {t('empty.import')}
                  </Button>
                ),
              ]}
            />
          )}
          {due.data && !nobodyDue && rows.length === 0 && (
            <Alert type={search ? 'info' : 'success'} showIcon title={search ? t('empty.searchNone', { q: search }) : mode === 'abnormal' ? t('empty.abnormalNone') : t('empty.missingNone')} data-testid="ci-missing-none" />
          )}
          {due.data && rows.length > 0 && date && (
            <div className="ci-scroll" data-testid="ci-scroll">
              <EntryTable
                rows={rows}
                date={date}
                slot={slot}
                threshold={threshold}
                canWrite={canWrite}
                focusTarget={focusTarget}
                onNoTarget={onNoTarget}
                unitCounts={unitCounts}
                pastCutoff={pastCutoff}
                saved={savedMap}
                onSaved={onSaved}
                onCorrect={setCorrecting}
                onPastEnd={onPastEnd}
                onBatchUnit={canWrite ? (u) => setBatchTarget({ placeId: u.unitId, label: u.label }) : undefined}
              />
            </div>
          )}
          {total > PAGE_SIZE && (
            <div className="ci-pager">
              <Typography.Text type="secondary" data-testid="ci-page-info">
                {t('pageInfo', { from: (page - 1) * PAGE_SIZE + 1, to: Math.min(page * PAGE_SIZE, total), total })}
              </Typography.Text>
              <Pagination current={page} pageSize={PAGE_SIZE} total={total} showSizeChanger={false} onChange={goPage} />
            </div>
          )}
        </div>
        <AlertsPanel communityId={communityId} highlightIds={highlights} canClose={can('alerts.write')} />
      </div>
      <CorrectDialog row={correcting} onClose={() => setCorrecting(null)} />
      {date && <BatchDialog target={batchTarget} date={date} slot={slot} onClose={() => setBatchTarget(null)} />}
    </div>
  );
}

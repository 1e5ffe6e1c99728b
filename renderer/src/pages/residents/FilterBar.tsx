// The list's one search box (name, pinyin initials, ID number, phone, address) and its filters: community, compound,
// building (once a compound is chosen), status, day N, abnormal. Typing is committed after a short pause; ↓ moves from the search box into the list.
// Enter right after typing searches at once and stays in the box; Enter again (or ↓) goes to the list. Which one
// happens depends on the keys pressed, never on whether the pause already committed the text (a slow machine).
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { Button, Checkbox, Input, Select, Space, type InputRef } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../api.ts';
import { DEFAULT_STATUS, STATUS_FILTERS, hasNarrowingFilters, type Filters } from './model.ts';
import { byLang } from '../../i18n/codes.ts';
import { useOwnCommunity } from '../../session.tsx';
import { BuildingSelect } from '../../components/PlacePicker.tsx';
import { NEEDS, type Need } from '../../../../electron/shared/enums.ts';

const SEARCH_DELAY_MS = 300;
const DAY_OPTIONS = Array.from({ length: 14 }, (_, i) => i + 1);

export interface FilterBarHandle {
  focusSearch: () => void;
}

interface Props {
  filters: Filters;
  communities: OutputOf<'places.communities'>;
  onChange: (next: Filters) => void;
  /** ↓ or Enter in the search box: go to the list. */
  onEnterList: () => void;
}

export const FilterBar = forwardRef<FilterBarHandle, Props>(function FilterBar({ filters, communities, onChange, onEnterList }, ref) {
  const { t } = useTranslation('residents');
  const ownCommunity = useOwnCommunity();
  const input = useRef<InputRef>(null);
  const [text, setText] = useState(filters.search);
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  /** Text typed since the box took the focus or since the last Enter: the next Enter searches rather than leaves. */
  const typed = useRef(false);

  useImperativeHandle(ref, () => ({ focusSearch: () => input.current?.focus({ cursor: 'all' }) }), []);

  // The URL may change under us (dashboard link, 清除筛选): follow it.
  useEffect(() => setText(filters.search), [filters.search]);

  // The pause's commit. Enter, ↓ or a filter commit the text at once and cancel it: a late commit would write the
  // filters it saw (without the person opened meanwhile by a double-click) over the URL.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancelPending = () => {
    if (pending.current !== null) clearTimeout(pending.current);
    pending.current = null;
  };
  useEffect(() => {
    if (text === latest.current.filters.search) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      if (text !== latest.current.filters.search) latest.current.onChange({ ...latest.current.filters, search: text });
    }, SEARCH_DELAY_MS);
    return cancelPending;
  }, [text]);

  const set = (patch: Partial<Filters>) => {
    cancelPending();
    onChange({ ...filters, search: text, ...patch });
  };
  // A committee member works in one community (scoped in the core): no 全部社区 selector; nor with only one community.
  const scoped = ownCommunity !== null || communities.length === 1;
  const compounds = filters.communityId
    ? (communities.find((c) => c.id === filters.communityId)?.compounds ?? []).map((p) => ({ value: p.id, label: p.name }))
    : communities.map((c) => ({ label: c.name, title: c.name, options: c.compounds.map((p) => ({ value: p.id, label: p.name })) }));

  return (
    <Space wrap size={8} className="res-filters">
      <Input
        ref={input}
        allowClear
        prefix={<SearchOutlined />}
        placeholder={t('search')}
        value={text}
        onChange={(e) => {
          typed.current = true;
          setText(e.target.value);
        }}
        onFocus={() => (typed.current = false)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            const search = typed.current;
            typed.current = false;
            if (text !== filters.search) set({ search: text });
            if (!search) onEnterList();
          } else if (e.key === 'ArrowDown') {
            e.preventDefault();
            typed.current = false;
            // Not yet committed (typed within the pause): search now, so the list entered is the one for this text.
            if (text !== filters.search) set({ search: text });
            onEnterList();
          } else if (e.key === 'Escape' && text) {
            typed.current = true;
            setText('');
          }
        }}
        style={{ width: byLang(t, 300, 340) }}
        data-testid="residents-search"
        aria-label={t('search')}
      />
      {!scoped && (
        <Select
          allowClear
          placeholder={t('filter.community')}
          value={filters.communityId ?? undefined}
          onChange={(v?: number) => set({ communityId: v ?? null, compoundId: null, buildingId: null })}
          options={communities.map((c) => ({ value: c.id, label: c.name }))}
          style={{ width: byLang(t, 140, 170) }}
          data-testid="filter-community"
        />
      )}
      <Select
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('filter.compound')}
        value={filters.compoundId ?? undefined}
        onChange={(v?: number) => set({ compoundId: v ?? null, buildingId: null })}
        options={compounds as { value: number; label: string }[]}
        style={{ width: byLang(t, 130, 150) }}
        popupMatchSelectWidth={false}
        data-testid="filter-compound"
      />
      <BuildingSelect compoundId={filters.compoundId} value={filters.buildingId} onChange={(v) => set({ buildingId: v })} testId="filter-building" />
      <Select
        value={filters.status}
        onChange={(v) => set({ status: v })}
        options={STATUS_FILTERS.map((s) => ({ value: s, label: t(`status.${s}`) }))}
        style={{ width: byLang(t, 200, 270) }}
        popupMatchSelectWidth={false}
        data-testid="filter-status"
      />
      <Select
        allowClear
        placeholder={t('filter.dayN')}
        value={filters.dayN ?? undefined}
        onChange={(v?: number) => set({ dayN: v ?? null })}
        options={DAY_OPTIONS.map((n) => ({ value: n, label: t('filter.dayNOption', { n }) }))}
        style={{ width: 100 }}
        data-testid="filter-dayN"
      />
      <Select
        mode="multiple"
        allowClear
        maxTagCount="responsive"
        placeholder={t('needs:filter')}
        value={filters.needs ?? []}
        onChange={(v: Need[]) => set({ needs: v })}
        options={NEEDS.map((n) => ({ value: n, label: t(`enums:need.${n}`) }))}
        style={{ width: byLang(t, 160, 190) }}
        popupMatchSelectWidth={false}
        data-testid="filter-needs"
        aria-label={t('needs:filter')}
      />
      <Checkbox checked={filters.abnormal} onChange={(e) => set({ abnormal: e.target.checked })} data-testid="filter-abnormal">
        {t('filter.abnormal')}
      </Checkbox>
      {hasNarrowingFilters({ ...filters, search: text }) && (
        <Button
          type="link"
          onClick={() => {
            setText('');
            onChange({ search: '', communityId: null, compoundId: null, buildingId: null, status: DEFAULT_STATUS, dayN: null, abnormal: false, needs: [] });
          }}
          data-testid="filter-clear"
        >
          {t('filter.clear')}
        </Button>
      )}
    </Space>
  );
});

// The 小区 › 楼栋 pickers beside a list's community selector (issue 15 §4): the compound comes from places.communities
// (all compounds, grouped by community, or the chosen / own community's), the building from places.buildings once a
// compound is chosen. A committee member has no community selector but gets both for their own community.
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { byLang } from '../i18n/codes.ts';

type Communities = OutputOf<'places.communities'>;

/** The compound options: of one community when one is chosen (or there is only one), else grouped by community. */
export function compoundOptions(communities: Communities, communityId: number | null | undefined) {
  const list = communityId ? communities.filter((c) => c.id === communityId) : communities;
  if (list.length === 1) return list[0].compounds.map((p) => ({ value: p.id, label: p.name }));
  return list.map((c) => ({ label: c.name, title: c.name, options: c.compounds.map((p) => ({ value: p.id, label: p.name })) }));
}

interface CompoundProps {
  communities: Communities;
  communityId: number | null | undefined;
  value: number | null | undefined;
  onChange: (compoundId: number | null) => void;
  testId: string;
}

export function CompoundSelect({ communities, communityId, value, onChange, testId }: CompoundProps) {
  const { t } = useTranslation('places');
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={t('compound')}
      value={value ?? undefined}
      onChange={(v?: number) => onChange(v ?? null)}
      options={compoundOptions(communities, communityId) as { value: number; label: string }[]}
      style={{ width: byLang(t, 130, 150) }}
      popupMatchSelectWidth={false}
      data-testid={testId}
    />
  );
}

interface BuildingProps {
  compoundId: number | null | undefined;
  value: number | null | undefined;
  onChange: (buildingId: number | null) => void;
  testId: string;
}

/** Disabled until a compound is chosen; its buildings in natural order (2号楼 before 10号楼). */
export function BuildingSelect({ compoundId, value, onChange, testId }: BuildingProps) {
  const { t } = useTranslation('places');
  const buildings = useApiQuery('places.buildings', { compoundId: compoundId ?? 0 }, { enabled: !!compoundId, staleTime: 60_000 });
  return (
    <Select
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      disabled={!compoundId}
      placeholder={compoundId ? t('building') : t('pickCompoundFirst')}
      value={compoundId ? (value ?? undefined) : undefined}
      loading={!!compoundId && buildings.isLoading}
      onChange={(v?: number) => onChange(v ?? null)}
      options={(compoundId ? (buildings.data ?? []) : []).map((b) => ({ value: b.id, label: b.name || t('noNumber') }))}
      style={{ width: byLang(t, 100, 130) }}
      popupMatchSelectWidth={false}
      data-testid={testId}
    />
  );
}

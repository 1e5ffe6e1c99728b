// Filters of the audit viewer: user, action (one action or a whole area), date range, person. Kept in the URL.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Button, DatePicker, Input, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { AUDIT_ACTION_GROUPS } from '../../../../electron/shared/auditActions.ts';
import { paren, punct } from '../../i18n/codes.ts';

export interface AuditFilterValues {
  user: string;
  action: string;
  from: string;
  to: string;
  resident: number | null;
}

export const EMPTY_FILTERS: AuditFilterValues = { user: '', action: '', from: '', to: '', resident: null };

function ResidentPicker({ value, onChange }: { value: number | null; onChange: (id: number | null) => void }) {
  const { t } = useTranslation('admin');
  const [options, setOptions] = useState<{ value: number; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const search = (text: string) => {
    clearTimeout(timer.current);
    if (!text.trim()) return;
    timer.current = setTimeout(async () => {
      setLoading(true);
      try {
        const r = await api('residents.list', { search: text.trim(), status: 'all', limit: 20, withTotal: false });
        setOptions(r.rows.map((p) => ({ value: p.id, label: [p.name, p.docNumber ?? '', p.community ?? ''].join(punct(t, 'space')) })));
      } catch {
        setOptions([]);
      } finally {
        setLoading(false);
      }
    }, 250);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  const shown = value && !options.some((o) => o.value === value) ? [{ value, label: t('audit.residentN', { id: value }) }, ...options] : options;
  return (
    <Select<number>
      showSearch={{ filterOption: false, onSearch: search }}
      allowClear
      value={value ?? undefined}
      placeholder={t('audit.filter.resident')}
      loading={loading}
      options={shown}
      onChange={(v) => onChange(v ?? null)}
      notFoundContent={null}
      style={{ width: 260 }}
      data-testid="audit-filter-resident"
    />
  );
}

export function AuditFilters({ value, onChange }: { value: AuditFilterValues; onChange: (v: AuditFilterValues) => void }) {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const users = useApiQuery('users.list', {}, { enabled: can('users.manage'), staleTime: 60_000 });
  const actionOptions = useMemo(
    () =>
      // Areas (prefix ending in '.') and the actions under each, from the one list of audit actions.
      AUDIT_ACTION_GROUPS.map(([area, actions]) => ({
        label: t(`audit.area.${area.slice(0, -1)}`),
        title: area,
        options: [
          { value: area, label: t('audit.allOf', { area: t(`audit.area.${area.slice(0, -1)}`) }) },
          ...actions.map((a) => ({ value: a, label: t(`audit.action.${a}`, { defaultValue: a }) })),
        ],
      })),
    [t],
  );
  const set = (patch: Partial<AuditFilterValues>) => onChange({ ...value, ...patch });
  const dirty = JSON.stringify(value) !== JSON.stringify(EMPTY_FILTERS);

  return (
    <Space wrap size={8} className="audit-filters">
      {users.data ? (
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('audit.filter.user')}
          value={value.user || undefined}
          onChange={(v?: string) => set({ user: v ?? '' })}
          options={[...users.data.map((u) => ({ value: u.username, label: paren(t, u.displayName, u.username) })), { value: 'cli', label: t('audit.cli') }, { value: 'system', label: t('audit.system') }]}
          style={{ width: 200 }}
          data-testid="audit-filter-user"
        />
      ) : (
        <Input.Search allowClear placeholder={t('audit.filter.userName')} defaultValue={value.user} onSearch={(v) => set({ user: v.trim() })} style={{ width: 180 }} />
      )}
      <Select
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('audit.filter.action')}
        value={value.action || undefined}
        onChange={(v?: string) => set({ action: v ?? '' })}
        options={actionOptions}
        style={{ width: 220 }}
        popupMatchSelectWidth={260}
        data-testid="audit-filter-action"
      />
      <DatePicker.RangePicker
        allowEmpty={[true, true]}
        value={[value.from ? dayjs(value.from) : null, value.to ? dayjs(value.to) : null]}
        onChange={(r) => set({ from: r?.[0]?.format('YYYY-MM-DD') ?? '', to: r?.[1]?.format('YYYY-MM-DD') ?? '' })}
        placeholder={[t('audit.filter.from'), t('audit.filter.to')]}
        data-testid="audit-filter-dates"
      />
      <ResidentPicker value={value.resident} onChange={(resident) => set({ resident })} />
      {dirty && <Button onClick={() => onChange(EMPTY_FILTERS)}>{t('audit.filter.clear')}</Button>}
    </Space>
  );
}

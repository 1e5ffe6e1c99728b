// Picks the guardian of a person without documents (an infant): any registered resident, found by name or initials.
// The server checks that the guardian lives in the same household.
import { useEffect, useState } from 'react';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import type { Row } from './model.ts';
import { paren } from '../../i18n/codes.ts';

export function GuardianSelect({ value, onChange }: { value?: number | null; onChange?: (v: number | null) => void }) {
  const { t } = useTranslation('residents');
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<Row[]>([]);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    if (!search.trim()) return;
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      api('residents.list', { search, status: 'all', limit: 20, withTotal: false })
        .then((r) => live && setOptions(r.rows))
        .catch(() => live && setOptions([]))
        .finally(() => live && setLoading(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search]);

  return (
    <Select<number>
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? null)}
      placeholder={t('form.guardianSearch')}
      loading={loading}
      notFoundContent={null}
      options={options.map((r) => ({ value: r.id, label: paren(t, r.name, `${r.community} ${r.address}`) }))}
      data-testid="field-guardian"
    />
  );
}

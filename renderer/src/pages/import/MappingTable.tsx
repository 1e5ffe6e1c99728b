// The column mapping the import found (column letter, header text → field), which the clerk can change; 按此重新核对
// reads the list again with the chosen mapping.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Select, Table, Typography } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { duplicateFields, fieldsOf, mappingFromChoice, type FieldName, type Kind, type Mapping, type Preview } from './model.ts';
import { punct } from '../../i18n/codes.ts';

type Row = Preview['mapping'][number];

export function MappingTable({ kind, preview, busy, onApply }: { kind: Kind; preview: Preview; busy: boolean; onApply: (m: Mapping) => void }) {
  const { t } = useTranslation('excel');
  const initial = useMemo(() => Object.fromEntries(preview.mapping.map((m) => [m.column, (m.field as FieldName | null) ?? null])), [preview]);
  const [choice, setChoice] = useState<Record<string, FieldName | null>>(initial);
  useEffect(() => setChoice(initial), [initial]);
  const changed = JSON.stringify(choice) !== JSON.stringify(initial);
  const dups = duplicateFields(choice);
  const options = [{ value: '', label: t('import.mapping.ignore') }, ...fieldsOf(kind).map((f) => ({ value: f, label: t(`import.field.${f}`) }))];

  return (
    <div data-testid="import-mapping">
      <Table<Row>
        size="small"
        rowKey="column"
        dataSource={preview.mapping}
        pagination={false}
        scroll={{ y: 300 }}
        columns={[
          { title: t('import.mapping.column'), dataIndex: 'column', width: 60, align: 'center' },
          { title: t('import.mapping.header'), dataIndex: 'header', width: 200, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          {
            title: t('import.mapping.field'),
            key: 'field',
            render: (_: unknown, r) => {
              const v = choice[r.column] ?? '';
              return (
                <Select
                  size="small"
                  value={v}
                  options={options}
                  // A short list: every choice in the page (a virtual list draws only those near the chosen one).
                  virtual={false}
                  status={v && dups.includes(v as FieldName) ? 'error' : undefined}
                  onChange={(f: string) => setChoice({ ...choice, [r.column]: (f || null) as FieldName | null })}
                  style={{ width: 180 }}
                  data-testid={`mapping-${r.column}`}
                />
              );
            },
          },
          {
            title: '',
            key: 'note',
            render: (_: unknown, r) =>
              !choice[r.column] ? <Typography.Text type="secondary">{t('import.mapping.notRead')}</Typography.Text> : choice[r.column] !== r.field ? <Typography.Text type="warning">{t('import.mapping.changed')}</Typography.Text> : null,
          },
        ]}
      />
      {dups.length > 0 && <Alert type="error" showIcon title={t('import.mapping.duplicate', { fields: dups.map((f) => t(`import.field.${f}`)).join(punct(t, 'list')) })} style={{ marginTop: 8 }} />}
      {changed && (
        <div style={{ marginTop: 8, display: 'flex', gap: 8 }}>
          <Button type="primary" size="small" icon={<SyncOutlined />} loading={busy} disabled={dups.length > 0} onClick={() => onApply(mappingFromChoice(kind, choice))} data-testid="mapping-apply">
            {t('import.mapping.apply')}
          </Button>
          <Button size="small" onClick={() => setChoice(initial)}>
            {t('import.mapping.undo')}
          </Button>
        </div>
      )}
    </div>
  );
}

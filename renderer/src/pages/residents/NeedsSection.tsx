// The drawer's 特殊需求: the person's flags as marks, and (with residents.write) editing them — a multi-select of the
// closed list and, when 其他 is chosen, its note. Saved with the person's version (someone else's change first: the
// server's CONFLICT message); the drawer and the lists refresh from the contract's invalidations.
import { useState } from 'react';
import { Alert, Button, Form, Input, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';
import { NeedMarks } from '../../components/needs/NeedMarks.tsx';
import { NEEDS, type Need } from '../../../../electron/shared/enums.ts';
import type { Detail } from './model.ts';

interface Values {
  needs: Need[];
  otherNote?: string;
}

const OTHER: Need = NEEDS[NEEDS.length - 1];

export function NeedsSection({ d }: { d: Detail }) {
  const { t } = useTranslation('needs');
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const [form] = Form.useForm<Values>();
  const chosen = Form.useWatch('needs', form) ?? [];
  const r = d.resident;
  const write = useApiWrite('needs.set', { form, fields: ['needs'], success: () => t('saved', { name: r.name }), onSuccess: () => setEditing(false) });

  const save = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const notes = new Map(r.needs.map((n) => [n.need, n.note]));
    await write.run({
      residentId: r.id,
      version: r.version,
      needs: v.needs.map((need) => ({ need, note: need === OTHER ? v.otherNote?.trim() || null : notes.get(need) ?? null })),
    });
  };

  return (
    <div className="need-section" data-testid="needs-section">
      <h4 className="res-section">
        {t('section')}
        {can('residents.write') && !editing && (
          <Button
            type="link"
            size="small"
            onClick={() => {
              form.setFieldsValue({ needs: r.needs.map((n) => n.need), otherNote: r.needs.find((n) => n.need === OTHER)?.note ?? '' });
              setEditing(true);
            }}
            data-testid="needs-edit"
          >
            {t('edit')}
          </Button>
        )}
      </h4>
      {!editing && (r.needs.length ? <NeedMarks needs={r.needs} full /> : <Typography.Text type="secondary">{t('none')}</Typography.Text>)}
      {editing && (
        <Form form={form} layout="vertical" style={{ maxWidth: 520 }}>
          {write.error && <Alert type="error" showIcon title={write.error} style={{ marginBottom: 8 }} data-testid="needs-error" />}
          <Form.Item name="needs" label={t('pick')} extra={t('urgentHint')}>
            <Select mode="multiple" options={NEEDS.map((n) => ({ value: n, label: t(`enums:need.${n}`) }))} data-testid="needs-select" />
          </Form.Item>
          {chosen.includes(OTHER) && (
            <Form.Item name="otherNote" label={t('otherNote')} rules={[{ required: true, whitespace: true, message: t('otherNoteRequired') }]}>
              <Input maxLength={100} data-testid="needs-other-note" />
            </Form.Item>
          )}
          <Space>
            <Button type="primary" loading={write.submitting} onClick={() => void save()} data-testid="needs-save">
              {t('save')}
            </Button>
            <Button onClick={() => setEditing(false)}>{t('cancel')}</Button>
          </Space>
        </Form>
      )}
    </div>
  );
}

// One settings form section: loads settings.get, shows the given keys, saves only those keys (settings.update is a
// partial patch), puts field errors next to the fields and the message on top. Read-only without settings.write.
import { useEffect, useEffectEvent, type ReactNode } from 'react';
import { Alert, Button, Form, Space, type FormInstance } from 'antd';
import { SaveOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { type InputOf, type OutputOf } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';

export type Settings = OutputOf<'settings.get'>;
export type SettingsPatch = InputOf<'settings.update'>;

interface Props<V> {
  settings: Settings;
  /** Top-level form names (for field errors). */
  fields: readonly string[];
  toForm: (s: Settings) => V;
  toPatch: (v: V) => SettingsPatch;
  children: (form: FormInstance<V>, readOnly: boolean) => ReactNode;
  /** Called after a save (e.g. the header's office name changed). */
  onSaved?: (s: Settings, patch: SettingsPatch) => void;
  testId: string;
}

export function SettingsForm<V extends object>({ settings, fields, toForm, toPatch, children, onSaved, testId }: Props<V>) {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const [form] = Form.useForm<V>();
  const update = useApiWrite('settings.update', {
    form,
    fields,
    // The answer is the new settings: put it in place rather than asking again.
    patch: { 'settings.get': (_old, next) => next },
    success: t('settings.saved'),
    onSuccess: (next, patch) => onSaved?.(next, patch),
  });
  const { submitting: busy, error } = update;
  const readOnly = !can('settings.write');

  // Only a new settings object (after a save or refetch) resets the form; a new toForm alone does not.
  const resetForm = useEffectEvent((s: Settings) => form.setFieldsValue(toForm(s) as Parameters<typeof form.setFieldsValue>[0]));
  useEffect(() => {
    resetForm(settings);
  }, [settings]);

  const save = async (v: V) => {
    await update.run(toPatch(v));
  };

  return (
    <Form<V> form={form} layout="vertical" onFinish={save} disabled={readOnly} requiredMark={false} data-testid={testId} className="settings-form">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid={`${testId}-error`} />}
      {children(form, readOnly)}
      {!readOnly && (
        <Space>
          <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={busy} data-testid={`${testId}-save`}>
            {t('settings.save')}
          </Button>
          <Button htmlType="button" onClick={() => form.setFieldsValue(toForm(settings) as Parameters<typeof form.setFieldsValue>[0])}>
            {t('settings.reset')}
          </Button>
        </Space>
      )}
    </Form>
  );
}

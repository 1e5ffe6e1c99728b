// 处理告警: records what was done about one alert (上报 / 送医 / 复测正常 / 转运 / 其他 + note) and closes it.
// Used by the alerts panel of 今日监测 and by the 异常告警 page. Field errors show next to their fields.
import { useEffect } from 'react';
import { Alert, App, Form, Input, Modal, Radio, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, type OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { useQueryClient } from '@tanstack/react-query';
import { ALERT_ACTIONS, type AlertAction } from '../../../../electron/shared/enums.ts';
import { alertReasonText } from './alertReason.ts';

export type AlertRow = OutputOf<'alerts.list'>['rows'][number];
type Action = AlertAction;

interface Values {
  action?: Action;
  note?: string;
}

export function CloseAlertDialog({ alert, onClose, onClosed }: { alert: AlertRow | null; onClose: () => void; onClosed?: (a: AlertRow) => void }) {
  const { t } = useTranslation('checkins');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const close = useApiWrite('alerts.close', {
    form,
    fields: ['action', 'note'],
    // Closed meanwhile by someone else: the list is stale.
    onError: (e) => {
      if (e instanceof ApiError && (e.code === 'CONFLICT' || e.code === 'VALIDATION')) void qc.invalidateQueries({ queryKey: ['alerts.list'] });
    },
  });
  const action = Form.useWatch('action', form);
  const { setError } = close;

  useEffect(() => {
    if (alert) {
      form.resetFields();
      setError(null);
    }
  }, [alert, form, setError]);

  const submit = async () => {
    if (!alert) return;
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const done = await close.run({ id: alert.id, version: alert.version, action: v.action!, note: v.note?.trim() || null });
    if (!done) return;
    message.success(t('close.done', { name: alert.name, action: t(`actions.${v.action!}`) }));
    onClosed?.(alert);
    onClose();
  };

  return (
    <Modal
      open={!!alert}
      title={alert ? t('close.title', { name: alert.name }) : ''}
      okText={t('close.submit')}
      onOk={() => void submit()}
      confirmLoading={close.submitting}
      onCancel={onClose}
      destroyOnHidden
      data-testid="close-alert-dialog"
    >
      {alert && (
        <Form form={form} layout="vertical" requiredMark={false} onFinish={() => void submit()}>
          <Form.Item label={t('close.reason')}>
            <Typography.Text type="danger">{alertReasonText(alert, t)}</Typography.Text>
            <div>
              <Typography.Text type="secondary">
                {alert.community} · {alert.address} · {alert.createdAt.slice(0, 16).replace('T', ' ')}
              </Typography.Text>
            </div>
          </Form.Item>
          <Form.Item name="action" label={t('close.action')} rules={[{ required: true, message: t('close.actionRequired') }]}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={ALERT_ACTIONS.map((a) => ({ value: a, label: t(`actions.${a}`) }))}
              data-testid="close-alert-action"
            />
          </Form.Item>
          <Form.Item
            name="note"
            label={t('close.note')}
            rules={[
              { max: 500, message: t('noteMax') },
              { validator: (_r, v: string | undefined) => (action === '其他' && !v?.trim() ? Promise.reject(new Error(t('close.noteRequired'))) : Promise.resolve()) },
            ]}
          >
            <Input.TextArea rows={3} placeholder={t('close.notePlaceholder')} data-testid="close-alert-note" />
          </Form.Item>
          {close.error && <Alert type="error" showIcon title={close.error} data-testid="close-alert-error" />}
        </Form>
      )}
    </Modal>
  );
}

// The dialogs of the supply workflow: 分派/改派 to a cadre on duty, 确认送达, 取消 with a reason, 代购金额/收款.
// Each validates in Chinese next to its fields and shows the server's message when the call is refused.
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Checkbox, Empty, Form, Input, InputNumber, Modal, Select, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { centsOf, type SupplyDetail, type SupplyRow } from './model.ts';
import { codeLabel } from '../../i18n/codes.ts';

/** A finished step: the request as it is now. */
type Done = (d: SupplyDetail) => void;

export function AssignDialog({ row, onCancel, onDone }: { row: SupplyRow | null; onCancel: () => void; onDone: Done }) {
  const { t } = useTranslation('supplies');
  const { message } = App.useApp();
  const [form] = Form.useForm<{ cadreId?: number; note?: string }>();
  const assign = useApiWrite('supplies.assign', { form, fields: ['cadreId', 'note'] });
  const { submitting: busy, error, setError } = assign;
  const cadres = useApiQuery('cadres.list', { communityId: row?.communityId, status: 'on_duty' }, { enabled: !!row });
  useEffect(() => {
    if (row) {
      form.resetFields();
      setError(null);
    }
  }, [row, form, setError]);

  const options = useMemo(() => {
    const list = (cadres.data ?? []).filter((c) => c.onDuty && c.id !== row?.cadreId);
    // Those who cover the request's compound first, then the least loaded.
    const covers = (c: (typeof list)[number]) => c.compounds.some((p) => p.id === row?.compoundId);
    list.sort((a, b) => Number(covers(b)) - Number(covers(a)) || a.openAssigned - b.openAssigned || a.name.localeCompare(b.name, 'zh'));
    return list.map((c) => ({
      value: c.id,
      name: c.name,
      label: (
        <span className="su-cadre-option" data-testid={`cadre-option-${c.id}`}>
          <b>{c.name}</b>
          <span className="su-muted">
            {c.homeUnit}
            {c.title ? ` · ${c.title}` : ''}
          </span>
          {covers(c) && <Tag color="blue">{t('assign.here')}</Tag>}
          <span className="su-muted">{t('assign.open', { n: c.openAssigned })}</span>
        </span>
      ),
    }));
  }, [cadres.data, row, t]);

  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !v.cadreId) return;
    const name = options.find((o) => o.value === v.cadreId)?.name ?? '';
    if (!row) return;
    const d = await assign.run({ id: row.id, version: row.version, cadreId: v.cadreId, note: v.note?.trim() || null });
    if (!d) return;
    message.success(t('done.assigned', { cadre: name }));
    onDone(d);
    onCancel();
  };

  return (
    <Modal open={!!row} title={row ? `${t('assign.title')} · ${row.address}` : ''} okText={t('assign.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onCancel} destroyOnHidden data-testid="assign-dialog">
      {row && (
        <Form form={form} layout="vertical" requiredMark={false}>
          <Typography.Paragraph type="secondary">
            {codeLabel(t, 'supplyCategory', row.category)} · {row.items}
          </Typography.Paragraph>
          <Form.Item name="cadreId" label={t('assign.cadre')} rules={[{ required: true, message: t('assign.cadreRequired') }]}>
            <Select
              placeholder={t('assign.cadrePlaceholder')}
              loading={cadres.isLoading}
              options={options}
              optionLabelProp="name"
              showSearch={{ filterOption: (input, o) => String(o?.name ?? '').includes(input) }}
              notFoundContent={cadres.isLoading ? undefined : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('assign.cadreNone')} />}
              data-testid="assign-cadre"
            />
          </Form.Item>
          <Form.Item name="note" label={t('assign.note')} rules={[{ max: 500, message: t('codes:words.maxChars', { n: 500 }) }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          {cadres.error && <Alert type="error" showIcon title={errorMessage(cadres.error)} />}
          {error && <Alert type="error" showIcon title={error} data-testid="assign-error" />}
        </Form>
      )}
    </Modal>
  );
}

export function DeliverDialog({ row, onCancel, onDone }: { row: SupplyRow | null; onCancel: () => void; onDone: Done }) {
  const { t } = useTranslation('supplies');
  const { message } = App.useApp();
  const [note, setNote] = useState('');
  const start = useApiWrite('supplies.startDelivery');
  const deliver = useApiWrite('supplies.deliver');
  const busy = start.submitting || deliver.submitting;
  const error = start.error ?? deliver.error;
  const submit = async () => {
    if (!row) return;
    // 已分派 straight to 已送达: the runner reports back once; both steps are recorded, in order. A failed second step
    // leaves the first done (and its lists refreshed): the clerk sees the request as it is now before retrying.
    let version = row.version;
    if (row.status === 'assigned') {
      const started = await start.run({ id: row.id, version, note: null });
      if (!started) return;
      version = started.version;
    }
    const d = await deliver.run({ id: row.id, version, note: note.trim() || null });
    if (!d) return;
    message.success(t('done.delivered'));
    onDone(d);
    onCancel();
  };
  const { setError: clearStart } = start;
  const { setError: clearDeliver } = deliver;
  useEffect(() => {
    setNote('');
    clearStart(null);
    clearDeliver(null);
  }, [row, clearStart, clearDeliver]);
  return (
    <Modal
      open={!!row}
      title={t('deliver.title')}
      okText={t('deliver.submit')}
      onOk={() => void submit()}
      confirmLoading={busy}
      onCancel={onCancel}
      destroyOnHidden
      data-testid="deliver-dialog"
    >
      {row && (
        <>
          <Typography.Paragraph>{t('deliver.text', { address: row.address })}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">{row.items}</Typography.Paragraph>
          {row.status === 'assigned' && <Alert type="info" showIcon title={t('deliver.direct')} style={{ marginBottom: 12 }} />}
          <Input.TextArea rows={2} maxLength={500} placeholder={t('deliver.note')} value={note} onChange={(e) => setNote(e.target.value)} />
          {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
        </>
      )}
    </Modal>
  );
}

export function CancelDialog({ row, onCancel, onDone }: { row: SupplyRow | null; onCancel: () => void; onDone: Done }) {
  const { t } = useTranslation('supplies');
  const [form] = Form.useForm<{ reason?: string }>();
  const cancel = useApiWrite('supplies.cancel', { form, fields: ['reason'], success: t('done.cancelled'), onSuccess: (d) => (onDone(d), onCancel()) });
  const { submitting: busy, error, setError } = cancel;
  useEffect(() => {
    if (row) {
      form.resetFields();
      setError(null);
    }
  }, [row, form, setError]);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v || !row) return;
    await cancel.run({ id: row.id, version: row.version, reason: v.reason!.trim() });
  };
  return (
    <Modal open={!!row} title={row ? `${t('cancel.title')} · ${row.address}` : ''} okText={t('cancel.submit')} okButtonProps={{ danger: true }} onOk={() => void submit()} confirmLoading={busy} onCancel={onCancel} destroyOnHidden>
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item
          name="reason"
          label={t('cancel.reason')}
          rules={[
            { required: true, whitespace: true, message: t('cancel.reasonRequired') },
            { max: 500, message: t('codes:words.maxChars', { n: 500 }) },
          ]}
        >
          <Input.TextArea rows={3} placeholder={t('cancel.reasonPlaceholder')} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  );
}

export function PaymentDialog({ row, onCancel, onDone }: { row: SupplyRow | null; onCancel: () => void; onDone: Done }) {
  const { t } = useTranslation('supplies');
  const [form] = Form.useForm<{ amount?: number | null; paid?: boolean }>();
  const pay = useApiWrite('supplies.setPayment', { form, fieldNames: { amountCents: 'amount' }, fields: ['amount', 'paid'], success: t('done.payment'), onSuccess: (d) => (onDone(d), onCancel()) });
  const { submitting: busy, error, setError } = pay;
  useEffect(() => {
    if (row) {
      form.setFieldsValue({ amount: row.amountCents === null ? null : row.amountCents / 100, paid: row.paid });
      setError(null);
    }
  }, [row, form, setError]);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const cents = centsOf(v.amount ?? null);
    if (row) await pay.run({ id: row.id, version: row.version, amountCents: cents === null || Number.isNaN(cents) ? null : cents, paid: !!v.paid });
  };
  return (
    <Modal open={!!row} title={t('payment.title')} okText={t('payment.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onCancel} destroyOnHidden>
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="amount" label={t('payment.amount')} rules={[{ validator: (_r, v) => (Number.isNaN(centsOf(v ?? null)) ? Promise.reject(new Error(t('form.amountInvalid'))) : Promise.resolve()) }]}>
          <InputNumber min={0} step={1} precision={2} style={{ width: 180 }} prefix="¥" />
        </Form.Item>
        <Form.Item
          name="paid"
          valuePropName="checked"
          dependencies={['amount']}
          rules={[{ validator: (_r, v) => (v && (form.getFieldValue('amount') ?? null) === null ? Promise.reject(new Error(t('payment.paidNeedsAmount'))) : Promise.resolve()) }]}
        >
          <Checkbox>{t('payment.paid')}</Checkbox>
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  );
}

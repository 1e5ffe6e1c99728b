// 新增物资需求: find the household (address, a member's name or pinyin initials), category, urgency (药品/就医 urgent
// by default), item lines with quantities, who asked, optional purchase amount, notes. Errors show by their fields.
import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Empty, Form, Input, InputNumber, Modal, Radio, Select, Space, Spin, Typography, AutoComplete } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { CATEGORIES, centsOf, defaultUrgency, type Category, type SupplyDetail } from './model.ts';
import { paren, punct } from '../../i18n/codes.ts';

type Hit = OutputOf<'households.search'>[number];

interface Values {
  householdId?: number;
  category?: Category;
  urgency: 'normal' | 'urgent';
  items: { name?: string; quantity?: string }[];
  requestedBy?: string;
  amount?: number | null;
  notes?: string;
}

const TOP_FIELDS = ['householdId', 'category', 'urgency', 'requestedBy', 'notes', 'amount', 'items'];

export function SupplyForm({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (d: SupplyDetail) => void }) {
  const { t } = useTranslation('supplies');
  const { t: te } = useTranslation('enums');
  const [form] = Form.useForm<Values>();
  const [hits, setHits] = useState<Hit[]>([]);
  const [searching, setSearching] = useState(false);
  const [searched, setSearched] = useState('');
  const create = useApiWrite('supplies.create', {
    form,
    fieldNames: { amountCents: 'amount' },
    fields: TOP_FIELDS,
    success: (d) => t('done.created', { address: d.address, category: d.category }),
    onSuccess: (d) => (onCreated(d), onClose()),
  });
  const { submitting: busy, error, setError } = create;
  const urgencyTouched = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);
  const settings = useApiQuery('settings.get', {}, { enabled: open, staleTime: 60_000 });
  const householdId = Form.useWatch('householdId', form);
  const chosen = hits.find((h) => h.id === householdId);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setHits([]);
    setSearched('');
    setError(null);
    urgencyTouched.current = false;
  }, [open, form, setError]);

  const search = (text: string) => {
    if (timer.current) clearTimeout(timer.current);
    const s = text.trim();
    if (!s) return;
    timer.current = setTimeout(() => {
      const mine = ++seq.current;
      setSearching(true);
      api('households.search', { search: s, limit: 20 })
        .then((rows) => {
          if (mine !== seq.current) return;
          // Keep the chosen household among the options while searching for another.
          setHits((prev) => {
            const keep = prev.find((h) => h.id === form.getFieldValue('householdId'));
            return keep && !rows.some((r) => r.id === keep.id) ? [keep, ...rows] : rows;
          });
          setSearched(s);
        })
        .catch((e: unknown) => mine === seq.current && setError(errorMessage(e)))
        .finally(() => mine === seq.current && setSearching(false));
    }, 250);
  };

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const items = v.items.map((i) => ({ name: (i.name ?? '').trim(), quantity: (i.quantity ?? '').trim() || null })).filter((i) => i.name);
    const cents = centsOf(v.amount ?? null);
    await create.run({
      householdId: v.householdId!,
      category: v.category!,
      urgency: v.urgency,
      items,
      requestedBy: v.requestedBy?.trim() || null,
      notes: v.notes?.trim() || null,
      amountCents: cents === null || Number.isNaN(cents) ? null : cents,
    });
  };

  const urgentH = settings.data?.supplyOverdueUrgentHours ?? 2;
  const normalH = settings.data?.supplyOverdueNormalHours ?? 24;

  return (
    <Modal open={open} title={t('form.title')} okText={t('form.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onClose} destroyOnHidden width={640} data-testid="supply-form">
      <Form
        form={form}
        layout="vertical"
        requiredMark
        initialValues={{ urgency: 'normal', items: [{ name: '', quantity: '' }] }}
        onValuesChange={(changed: Partial<Values>) => {
          if ('urgency' in changed) urgencyTouched.current = true;
          if ('category' in changed && !urgencyTouched.current) form.setFieldValue('urgency', defaultUrgency(changed.category));
        }}
      >
        <Form.Item
          name="householdId"
          label={t('form.household')}
          rules={[{ required: true, message: t('form.householdRequired') }]}
          extra={chosen ? t('form.members', { names: chosen.members.join(punct(t, 'list')) || '—' }) : undefined}
        >
          <Select
            showSearch={{ filterOption: false, onSearch: search }}
            placeholder={t('form.householdPlaceholder')}
            options={hits.map((h) => ({ value: h.id, label: `${paren(t, h.address, h.community)}${h.members.length ? ' · ' + h.members.slice(0, 3).join(punct(t, 'list')) : ''}` }))}
            notFoundContent={searching ? <Spin size="small" /> : searched ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('form.householdNone')} /> : <Typography.Text type="secondary">{t('form.householdHint')}</Typography.Text>}
            autoFocus
            data-testid="supply-household"
          />
        </Form.Item>
        <Space size={16} align="start" wrap>
          <Form.Item name="category" label={t('form.category')} rules={[{ required: true, message: t('form.categoryRequired') }]} style={{ width: 200 }}>
            <Select options={CATEGORIES.map((c) => ({ value: c, label: te(`supplyCategory.${c}`) }))} data-testid="supply-category" />
          </Form.Item>
          <Form.Item name="urgency" label={t('form.urgency')} extra={t('form.urgencyAuto', { h: urgentH, n: normalH })}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={[
                { value: 'normal', label: t('urgency.normal') },
                { value: 'urgent', label: t('urgency.urgent') },
              ]}
              data-testid="supply-urgency"
            />
          </Form.Item>
        </Space>
        <Form.List
          name="items"
          rules={[{ validator: async (_r, items: Values['items']) => ((items ?? []).some((i) => i?.name?.trim()) ? undefined : Promise.reject(new Error(t('form.itemsRequired')))) }]}
        >
          {(fields, { add, remove }, { errors }) => (
            <Form.Item label={t('form.items')} required extra={t('form.itemsHint')} className="su-items-field">
              {fields.map((field, i) => (
                <Space key={field.key} align="start" className="su-item-line" data-testid={`supply-item-${i}`}>
                  <Form.Item
                    name={[field.name, 'name']}
                    rules={[
                      { required: i === 0, whitespace: true, message: t('form.itemRequired') },
                      { max: 60, message: t('form.itemTooLong', { n: 60 }) },
                    ]}
                    noStyle={false}
                    className="su-item-name"
                  >
                    <Input placeholder={t('form.itemName')} data-testid={`supply-item-name-${i}`} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'quantity']} rules={[{ max: 30, message: t('form.itemTooLong', { n: 30 }) }]} className="su-item-qty">
                    <Input
                      placeholder={t('form.itemQty')}
                      data-testid={`supply-item-qty-${i}`}
                      onPressEnter={(e) => {
                        e.preventDefault();
                        if (i === fields.length - 1 && fields.length < 30) add({ name: '', quantity: '' });
                        setTimeout(() => document.querySelector<HTMLInputElement>(`[data-testid="supply-item-name-${i + 1}"]`)?.focus(), 0);
                      }}
                    />
                  </Form.Item>
                  {fields.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(field.name)} aria-label={t('codes:words.removeRow')} />}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ name: '', quantity: '' })} disabled={fields.length >= 30} data-testid="supply-add-item">
                {t('form.addItem')}
              </Button>
              <Form.ErrorList errors={errors} />
            </Form.Item>
          )}
        </Form.List>
        <Space size={16} align="start" wrap>
          <Form.Item name="requestedBy" label={t('form.requestedBy')} rules={[{ max: 50, message: t('codes:words.maxChars', { n: 50 }) }]} style={{ width: 240 }}>
            <AutoComplete options={(chosen?.members ?? []).map((m) => ({ value: m }))} placeholder={t('form.requestedByPlaceholder')} />
          </Form.Item>
          <Form.Item name="amount" label={t('form.amount')} rules={[{ validator: (_r, v) => (Number.isNaN(centsOf(v ?? null)) ? Promise.reject(new Error(t('form.amountInvalid'))) : Promise.resolve()) }]}>
            <InputNumber min={0} precision={2} style={{ width: 160 }} prefix="¥" />
          </Form.Item>
        </Space>
        <Form.Item name="notes" label={t('form.notes')} rules={[{ max: 500, message: t('codes:words.maxChars', { n: 500 }) }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="supply-form-error" />}
      </Form>
    </Modal>
  );
}

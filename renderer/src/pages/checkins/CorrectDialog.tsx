// 更正: changes a recorded check-in (checkins.correct, optimistic version). Only the fields the clerk touches are
// sent; the rest stay as recorded. A correction that is still abnormal may open an alert.
import { useEffect } from 'react';
import { Alert, App, Checkbox, Form, Input, InputNumber, Modal, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { type InputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { CONTACT_METHODS, SYMPTOM_ORDER, type DueRow } from './model.ts';
import { HEALTH_CODES, TEST_RESULTS, TEST_TYPES } from '../../../../electron/shared/enums.ts';
import { maxText, temperatureRule } from '../../lib/formRules.ts';

interface Values {
  temperature?: number | null;
  symptoms: string[];
  symptomOther?: string;
  testResult?: string;
  testType?: '核酸' | '抗原';
  healthCode?: string;
  contactMethod?: string;
  notes?: string;
}

const KEEP = '__keep__';
const FIELDS = ['temperature', 'symptoms', 'symptomOther', 'testResult', 'testType', 'healthCode', 'contactMethod', 'notes'] as const;

export function CorrectDialog({ row, onClose }: { row: DueRow | null; onClose: () => void }) {
  const { t } = useTranslation('checkins');
  const { t: te } = useTranslation('enums');
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const correct = useApiWrite('checkins.correct', { form, fields: FIELDS });
  const { setError } = correct;
  const symptoms = Form.useWatch('symptoms', form) ?? [];
  const testResult = Form.useWatch('testResult', form);

  useEffect(() => {
    if (!row?.checkin) return;
    setError(null);
    form.setFieldsValue({
      temperature: row.checkin.temperature,
      symptoms: row.checkin.symptoms,
      symptomOther: '',
      testResult: KEEP,
      testType: '核酸',
      healthCode: KEEP,
      contactMethod: KEEP,
      notes: '',
    });
  }, [row, form, setError]);

  const submit = async () => {
    if (!row?.checkin) return;
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const input: InputOf<'checkins.correct'> = { id: row.checkin.id, version: row.checkin.version };
    if (v.temperature !== row.checkin.temperature) input.temperature = v.temperature ?? null;
    const sameSymptoms = v.symptoms.length === row.checkin.symptoms.length && v.symptoms.every((s) => row.checkin!.symptoms.includes(s));
    if (!sameSymptoms) input.symptoms = v.symptoms as NonNullable<typeof input.symptoms>;
    if (v.symptomOther?.trim()) input.symptomOther = v.symptomOther.trim();
    if (v.testResult && v.testResult !== KEEP) {
      input.testResult = v.testResult === 'none' ? null : (v.testResult as '阴性' | '阳性' | '待出结果');
      input.testType = v.testResult === 'none' ? null : (v.testType ?? '核酸');
    }
    if (v.healthCode && v.healthCode !== KEEP) input.healthCode = v.healthCode === 'none' ? null : (v.healthCode as '绿' | '黄' | '红');
    if (v.contactMethod && v.contactMethod !== KEEP) input.contactMethod = v.contactMethod as '电话' | '微信' | '上门';
    if (v.notes?.trim()) input.notes = v.notes.trim();
    const res = await correct.run(input);
    if (!res) return;
    message.success(t('correct.done', { name: row.name }));
    if (res.alertId) message.warning(t('correct.alert'));
    onClose();
  };

  const keep = { value: KEEP, label: t('correct.keep') };
  return (
    <Modal open={!!row} title={row ? t('correct.title', { name: row.name }) : ''} okText={t('correct.submit')} onOk={() => void submit()} confirmLoading={correct.submitting} onCancel={onClose} destroyOnHidden width={560}>
      <Typography.Paragraph type="secondary">{t('correct.intro')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item
          name="temperature"
          label={t('correct.temperature')}
          rules={[temperatureRule()]}
        >
          <InputNumber step={0.1} precision={1} style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="symptoms" label={t('correct.symptoms')}>
          <Checkbox.Group options={SYMPTOM_ORDER.map((s) => ({ value: s, label: te(`symptom.${s}`) }))} />
        </Form.Item>
        {symptoms.includes('其他') && (
          <Form.Item name="symptomOther" label={t('correct.symptomOther')} rules={[maxText('symptomOther', (n) => t('maxChars', { n }))]}>
            <Input placeholder={t('keepEmpty')} />
          </Form.Item>
        )}
        <div className="ci-correct-grid">
          <Form.Item name="testResult" label={t('correct.testResult')}>
            <Select options={[keep, { value: 'none', label: t('testNone') }, ...TEST_RESULTS.map((v) => ({ value: v, label: te(`testResult.${v}`) }))]} />
          </Form.Item>
          {testResult && testResult !== KEEP && testResult !== 'none' && (
            <Form.Item name="testType" label={t('correct.testType')}>
              <Select options={TEST_TYPES.map((v) => ({ value: v, label: te(`testType.${v}`) }))} />
            </Form.Item>
          )}
          <Form.Item name="healthCode" label={t('correct.healthCode')}>
            <Select options={[keep, { value: 'none', label: t('codeNone') }, ...HEALTH_CODES.map((v) => ({ value: v, label: te(`healthCode.${v}`) }))]} />
          </Form.Item>
          <Form.Item name="contactMethod" label={t('correct.contactMethod')}>
            <Select options={[keep, ...CONTACT_METHODS.map((v) => ({ value: v, label: te(`contactMethod.${v}`) }))]} />
          </Form.Item>
        </div>
        <Form.Item name="notes" label={t('correct.notes')} rules={[maxText('notes', (n) => t('maxChars', { n }))]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {correct.error && <Alert type="error" showIcon title={correct.error} />}
      </Form>
    </Modal>
  );
}

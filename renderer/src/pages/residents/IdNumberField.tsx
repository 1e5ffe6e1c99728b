// The document-number field: for a 居民身份证 it is checked as it is typed (length, birth date, check character) and a
// valid number fills sex and birth date; other documents are kept as typed. The server checks again on save.
import { useEffect } from 'react';
import { Form, Input, type FormInstance } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { checkIdNumber } from '../../../../electron/shared/idcard.ts';
import { messageText } from '../../api.ts';

export type IdState = { status: '' | 'success' | 'error' | 'validating'; help: string | null };

function checkReason(v: string, today: string): string {
  const r = checkIdNumber(v, today);
  return r.ok ? '' : messageText(r.problem);
}

/** What to show under the field for the text typed so far. Partial numbers are not errors yet. */
export function idFeedback(raw: string, today: string, t: (k: string, o?: Record<string, unknown>) => string): IdState {
  const s = raw.replace(/[\s\u3000-]/g, '');
  if (!s) return { status: '', help: null };
  const digitsSoFar = /^[0-9\uFF10-\uFF19]*[xX\uFF38\uFF58]?$/.test(s);
  if (digitsSoFar && s.length < 18 && !(s.length === 15 && /^\d+$/.test(s))) {
    return { status: 'validating', help: t('form.idProgress', { n: s.length }) };
  }
  const r = checkIdNumber(raw, today);
  if (!r.ok) return { status: 'error', help: messageText(r.problem) };
  const sex = t(`sex.${r.sex}`);
  if (r.upgraded) return { status: 'success', help: t('form.idUpgraded', { number: r.number }) };
  return { status: 'success', help: t('form.idOk', { sex, birth: r.birthDate }) };
}

interface Props {
  form: FormInstance;
  today: string;
  /** Edit mode: empty keeps the stored (masked) number. */
  keepMasked?: string | null;
}

export function IdNumberField({ form, today, keepMasked }: Props) {
  const { t } = useTranslation('residents');
  const docType = Form.useWatch('docType', form) as string | undefined;
  const raw = (Form.useWatch('docNumber', form) as string | undefined) ?? '';
  const isResidentId = docType === '居民身份证';
  const fb = isResidentId ? idFeedback(raw, today, t as never) : { status: '' as const, help: null };

  // A valid number decides sex and birth date (the server does the same).
  useEffect(() => {
    if (!isResidentId) return;
    const r = checkIdNumber(raw, today);
    if (r.ok) form.setFieldsValue({ sex: r.sex, birthDate: dayjs(r.birthDate) });
  }, [raw, isResidentId, today, form]);

  if (docType === '无证件') return null;
  const keep = keepMasked ? t('form.docNumberKeep', { masked: keepMasked }) : null;
  // Typing: only a complete but wrong number is an error. Leaving the field or saving: anything not valid is.
  const check = (strict: boolean) => async (_: unknown, v: string | undefined) => {
    if (!v?.trim() || !isResidentId) return;
    const f = idFeedback(v, today, t as never);
    if (f.status === 'error' || (strict && f.status === 'validating')) throw new Error(strict && f.status === 'validating' ? checkReason(v, today) : f.help!);
  };
  return (
    <Form.Item
      label={t('form.docNumber')}
      name="docNumber"
      validateFirst
      validateTrigger={['onChange', 'onBlur']}
      extra={
        fb.status === 'success' ? (
          <span className="res-id-ok" data-testid="id-ok">
            {fb.help}
          </span>
        ) : fb.status === 'validating' ? (
          fb.help
        ) : (
          keep
        )
      }
      rules={[
        { required: !keepMasked, whitespace: true, message: t('form.required') },
        { validator: check(false) },
        { validator: check(true), validateTrigger: 'onBlur' },
      ]}
    >
      <Input maxLength={40} placeholder={keepMasked ?? undefined} autoComplete="off" data-testid="field-docNumber" />
    </Form.Item>
  );
}

// 新增人员 / 编辑人员信息: document type and number (a resident ID number is checked as typed and fills sex and
// birth date), phone, category, address, optional start of home isolation. Server field errors show by their fields.
// When someone else saved the person first, the conflict dialog shows what this user changed against the record now
// and saves it again on the current version (重新应用) or closes the form on the current record (放弃).
import { useEffect, useMemo, useRef } from 'react';
import { Alert, App, Checkbox, Col, DatePicker, Form, Input, Modal, Radio, Row as AntRow, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { fieldMessage, type InputOf } from '../../api.ts';
import type { FieldIssue } from '../../../../electron/shared/errors.ts';
import { useApiQuery } from '../../query.ts';
import { useMe } from '../../session.tsx';
import { AddressFields } from './AddressFields.tsx';
import { GuardianSelect } from './GuardianSelect.tsx';
import { IdNumberField } from './IdNumberField.tsx';
import { useApiWrite } from '../../write.ts';
import type { Detail } from './model.ts';
import { CATEGORIES, DOC_TYPES } from '../../../../electron/shared/enums.ts';
import { TEXT_MAX } from '../../../../electron/shared/limits.ts';
import { punct } from '../../i18n/codes.ts';
import { residentConflictRows, type ResidentPatch } from './conflictRows.ts';

const FIELDS = ['name', 'docType', 'docNumber', 'sex', 'birthDate', 'phone', 'category', 'communityId', 'compound', 'building', 'unit', 'room', 'guardianId', 'notes', 'startDate'] as const;
const MOBILE = /^1[3-9]\d{9}$/;
/** Server field names → this form's (the address is flat here; the episode start is one date field). */
const FIELD_NAMES: Record<string, string> = {
  address: 'compound',
  'address.compound': 'compound',
  'address.communityId': 'communityId',
  'address.building': 'building',
  'address.unit': 'unit',
  'address.room': 'room',
  startEpisode: 'startDate',
};

interface Values {
  name: string;
  docType: (typeof DOC_TYPES)[number];
  docNumber?: string;
  sex?: 'M' | 'F';
  birthDate?: Dayjs;
  phone?: string;
  category: (typeof CATEGORIES)[number];
  communityId?: number;
  compound?: string;
  building?: string;
  unit?: string;
  room?: string;
  guardianId?: number | null;
  notes?: string;
  startEpisode?: boolean;
  startDate?: Dayjs;
  changeAddress?: boolean;
}

export type FormMode = { kind: 'add' } | { kind: 'edit'; detail: Detail };

export function ResidentForm({ mode, onClose, onSaved }: { mode: FormMode | null; onClose: () => void; onSaved: (id: number) => void }) {
  const { t } = useTranslation('residents');
  const { t: te } = useTranslation('enums');
  const me = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const saved = (r: { id: number; warnings: FieldIssue[] }) => {
    const warnings = r.warnings.map(fieldMessage).join(punct(t, 'items'));
    void message.success(warnings ? t('form.savedWithWarnings', { warnings }) : t('form.saved'), warnings ? 6 : 2);
    onSaved(r.id);
  };
  const create = useApiWrite('residents.create', { form, fieldNames: FIELD_NAMES, fields: FIELDS, onSuccess: saved });
  // The version the next save is made on: the one the form was opened with, or the current one after 重新应用.
  const version = useRef<number | null>(null);
  const communities = useApiQuery('places.communities', {}, { enabled: !!mode });
  const update = useApiWrite('residents.update', {
    form,
    fieldNames: FIELD_NAMES,
    fields: FIELDS,
    onSuccess: saved,
    conflict: {
      read: 'residents.get',
      readInput: (input) => ({ id: (input as ResidentPatch).id }),
      rows: (input, now) =>
        mode?.kind === 'edit'
          ? residentConflictRows(input as ResidentPatch, mode.detail, now, { t, te, communityName: (id) => communities.data?.find((c) => c.id === id)?.name ?? '' })
          : [],
      reapply: (input, now) => {
        version.current = now.resident.version;
        return { ...(input as ResidentPatch), version: now.resident.version };
      },
      onDiscard: () => onClose(),
    },
  });
  const busy = create.submitting || update.submitting;
  const error = create.error ?? update.error;
  const { setError: clearCreate } = create;
  const { setError: clearUpdate } = update;
  const edit = mode?.kind === 'edit' ? mode.detail.resident : null;

  const initial = useMemo<Partial<Values>>(() => {
    if (edit) {
      return {
        name: edit.name,
        docType: edit.docType,
        sex: edit.sex ?? undefined,
        category: edit.category,
        guardianId: edit.guardianId,
        notes: edit.notes ?? undefined,
        communityId: edit.communityId,
      };
    }
    const list = communities.data ?? [];
    return { docType: '居民身份证', category: '密接', startEpisode: true, startDate: dayjs(me.today), communityId: list.length === 1 ? list[0].id : undefined };
  }, [edit, communities.data, me.today]);

  useEffect(() => {
    if (!mode) return;
    version.current = mode.kind === 'edit' ? mode.detail.resident.version : null;
    clearCreate(null);
    clearUpdate(null);
    form.resetFields();
    form.setFieldsValue(initial);
  }, [mode, initial, form, clearCreate, clearUpdate]);

  const docType = Form.useWatch('docType', form);
  const phone = Form.useWatch('phone', form);
  const startEpisode = Form.useWatch('startEpisode', form);
  const changeAddress = Form.useWatch('changeAddress', form);
  const idDecides = docType === '居民身份证';
  const phoneWarn = !!phone?.trim() && !MOBILE.test(phone.replace(/[\s\-()（）]|^\+?86/g, ''));

  const submit = async (v: Values) => {
    const date = (d?: Dayjs) => (d ? d.format('YYYY-MM-DD') : null);
    const address = { communityId: v.communityId!, compound: v.compound ?? '', building: v.building || null, unit: v.unit || null, room: v.room || null };
    if (!edit) {
      const input: InputOf<'residents.create'> = {
        name: v.name,
        docType: v.docType,
        docNumber: v.docType === '无证件' ? null : v.docNumber,
        sex: v.sex ?? null,
        birthDate: date(v.birthDate),
        phone: v.phone || null,
        category: v.category,
        notes: v.notes || null,
        guardianId: v.docType === '无证件' ? v.guardianId ?? null : null,
        address,
        startEpisode: v.startEpisode ? date(v.startDate) : null,
      };
      await create.run(input);
    } else {
      // Masked values are never sent back: an empty number or phone keeps what is stored.
      const patch: Record<string, unknown> = {
        id: edit.id,
        version: version.current ?? edit.version,
        name: v.name,
        docType: v.docType,
        category: v.category,
        notes: v.notes || null,
        guardianId: v.docType === '无证件' ? v.guardianId ?? null : null,
      };
      if (v.docNumber?.trim()) patch.docNumber = v.docNumber;
      if (v.phone?.trim()) patch.phone = v.phone;
      if (!idDecides) {
        patch.sex = v.sex ?? null;
        // The stored birth date arrives masked (1985-**-**): only a newly chosen date replaces it.
        if (v.birthDate) patch.birthDate = date(v.birthDate);
      }
      if (v.changeAddress) patch.address = address;
      await update.run(patch as InputOf<'residents.update'>);
    }
  };

  return (
    <Modal
      open={!!mode}
      title={edit ? t('form.editTitle') : t('form.addTitle')}
      width={640}
      okText={t('form.save')}
      okButtonProps={{ htmlType: 'submit', form: 'resident-form', loading: busy, ...({ 'data-testid': 'resident-form-submit' } as object) }}
      onCancel={onClose}
      destroyOnHidden
      mask={{ closable: false }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="resident-form-error" />}
      <Form<Values> id="resident-form" form={form} layout="vertical" requiredMark onFinish={submit} initialValues={initial} autoComplete="off" scrollToFirstError>
        <AntRow gutter={12}>
          <Col span={8}>
            <Form.Item label={t('form.name')} name="name" rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
              <Input maxLength={TEXT_MAX.personName} autoFocus data-testid="field-name" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t('form.docType')} name="docType" rules={[{ required: true, message: t('form.required') }]}>
              <Select options={DOC_TYPES.map((d) => ({ value: d, label: te(`docType.${d}`) }))} data-testid="field-docType" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item label={t('form.category')} name="category" rules={[{ required: true, message: t('form.required') }]}>
              <Select options={CATEGORIES.map((c) => ({ value: c, label: te(`category.${c}`) }))} />
            </Form.Item>
          </Col>
        </AntRow>
        <IdNumberField form={form} today={me.today} keepMasked={edit?.docNumber ?? null} />
        <AntRow gutter={12}>
          <Col span={8}>
            <Form.Item label={t('form.sex')} name="sex" extra={idDecides ? t('form.sexFromId') : undefined}>
              <Radio.Group disabled={idDecides} options={[{ value: 'M', label: t('sex.M') }, { value: 'F', label: t('sex.F') }]} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              label={t('form.birthDate')}
              name="birthDate"
              rules={[{ required: docType === '无证件' && !edit?.birthDate, message: t('form.required') }]}
              extra={edit?.birthDate && !idDecides ? t('form.birthDateKeep', { masked: edit.birthDate }) : undefined}
            >
              <DatePicker disabled={idDecides} style={{ width: '100%' }} maxDate={dayjs(me.today)} placeholder={edit?.birthDate ?? undefined} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              label={t('form.phone')}
              name="phone"
              validateStatus={phoneWarn ? 'warning' : undefined}
              help={phoneWarn ? t('form.phoneWarn') : edit?.phone ? t('form.phoneKeep', { masked: edit.phone }) : undefined}
            >
              <Input maxLength={TEXT_MAX.phone} placeholder={edit?.phone ?? undefined} data-testid="field-phone" />
            </Form.Item>
          </Col>
        </AntRow>
        {docType === '无证件' && (
          <Form.Item label={t('form.guardian')} name="guardianId" rules={[{ required: true, message: t('form.required') }]}>
            <GuardianSelect />
          </Form.Item>
        )}
        {edit ? (
          <>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('form.currentAddress', { address: `${edit.community} ${edit.address}` })}
            </Typography.Paragraph>
            <Form.Item name="changeAddress" valuePropName="checked" style={{ marginBottom: 8 }}>
              <Checkbox>{t('form.changeAddress')}</Checkbox>
            </Form.Item>
            {changeAddress && <AddressFields form={form} communities={communities.data ?? []} />}
          </>
        ) : (
          <AddressFields form={form} communities={communities.data ?? []} />
        )}
        <Form.Item label={t('form.notes')} name="notes">
          <Input.TextArea maxLength={TEXT_MAX.notes} rows={2} />
        </Form.Item>
        {!edit && (
          <AntRow gutter={12} align="middle">
            <Col span={10}>
              <Form.Item name="startEpisode" valuePropName="checked" style={{ marginBottom: 0 }}>
                <Checkbox data-testid="field-startEpisode">{t('form.startEpisode')}</Checkbox>
              </Form.Item>
            </Col>
            <Col span={14}>
              {startEpisode && (
                <Form.Item label={t('form.startDate')} name="startDate" layout="horizontal" style={{ marginBottom: 0 }} rules={[{ required: true, message: t('form.required') }]}>
                  <DatePicker maxDate={dayjs(me.today)} />
                </Form.Item>
              )}
            </Col>
          </AntRow>
        )}
      </Form>
    </Modal>
  );
}

// 新增 / 编辑下沉干部: name, home unit (suggestions from the source situation), title, phone (an unusual number is a
// warning, not an error), posting to a community and its compounds, status and duty dates, notes. When someone else
// saved the cadre first, the conflict dialog shows what this user changed against the roster now and can reapply it.
import { useCallback, useEffect } from 'react';
import { Alert, App, AutoComplete, Col, DatePicker, Form, Input, Modal, Radio, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { fieldMessage, type InputOf, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import type { ConflictRow } from '../../components/ConflictDialog.tsx';
import { HOME_UNIT_SUGGESTIONS } from '../../i18n/cadres.ts';
import { punct } from '../../i18n/codes.ts';

export type CadreRow = OutputOf<'cadres.list'>[number];
type Status = CadreRow['status'];

/** Home units seen in the source situation; the field is free text. */
const FIELDS = ['name', 'homeUnit', 'title', 'phone', 'communityId', 'compoundIds', 'status', 'dutyFrom', 'dutyTo', 'notes'];
const MOBILE = /^1[3-9]\d{9}$/;

interface Values {
  name: string;
  homeUnit: string;
  title?: string;
  phone?: string;
  communityId?: number | null;
  compoundIds: number[];
  status: Status;
  dutyFrom?: Dayjs | null;
  dutyTo?: Dayjs | null;
  notes?: string;
}

export type CadreFormMode = { kind: 'add' } | { kind: 'edit'; row: CadreRow } | null;

type CadrePatch = InputOf<'cadres.update'>;
const FIELD_ROWS = ['name', 'homeUnit', 'title', 'phone', 'communityId', 'status', 'dutyFrom', 'dutyTo', 'notes'] as const;

/** The fields this user changed (against the row the form opened with): their value and the roster's value now. */
function cadreConflictRows(input: CadrePatch, was: CadreRow, now: CadreRow | undefined, words: { t: (k: string) => string; community: (id: number | null | undefined) => string }): ConflictRow[] {
  const { t } = words;
  const show = (k: (typeof FIELD_ROWS)[number], v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (k === 'communityId') return words.community(v as number);
    if (k === 'status') return t(`status.${String(v as string)}`);
    return String(v as string);
  };
  const rows: ConflictRow[] = [];
  for (const k of FIELD_ROWS) {
    if (!(k in input)) continue;
    const mine = (input as Record<string, unknown>)[k];
    // A phone is sent only when retyped (the stored one is masked): being in the input means changed.
    if (k !== 'phone' && show(k, mine) === show(k, was[k])) continue;
    rows.push({ label: t(`form.${k === 'communityId' ? 'community' : k}`), mine: show(k, mine), current: now ? show(k, now[k]) : '' });
  }
  return rows;
}

export function CadreForm({ mode, onClose }: { mode: CadreFormMode; onClose: () => void }) {
  const { t } = useTranslation('cadres');
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const saved = (res: OutputOf<'cadres.create'>, name: string) => {
    if (res.warnings.length) message.warning({ content: t('form.savedWarn', { warnings: res.warnings.map(fieldMessage).join(punct(t, 'items')) }), duration: 6 });
    else message.success(t('form.saved', { name }));
    onClose();
  };
  const communities = useApiQuery('places.communities', {}, { enabled: !!mode, staleTime: 60_000 });
  const create = useApiWrite('cadres.create', { form, fields: FIELDS, onSuccess: (res, input) => saved(res, input.name) });
  const communityName = (id: number | null | undefined) => (id ? (communities.data?.find((c) => c.id === id)?.name ?? '') : '');
  const update = useApiWrite('cadres.update', {
    form,
    fields: FIELDS,
    onSuccess: (res, input) => saved(res, input.name ?? ''),
    conflict: {
      read: 'cadres.list',
      readInput: () => ({}),
      rows: (input, list) => (mode?.kind === 'edit' ? cadreConflictRows(input, mode.row, list.find((c) => c.id === input.id), { t, community: communityName }) : []),
      reapply: (input, list) => ({ ...input, version: list.find((c) => c.id === input.id)?.version ?? input.version }),
      onDiscard: () => onClose(),
    },
  });
  const busy = create.submitting || update.submitting;
  const error = create.error ?? update.error;
  const { setError: clearCreate } = create;
  const { setError: clearUpdate } = update;
  const setError = useCallback((e: string | null) => (clearCreate(e), clearUpdate(e)), [clearCreate, clearUpdate]);
  const communityId = Form.useWatch('communityId', form);
  const phone = Form.useWatch('phone', form);
  const edit = mode?.kind === 'edit' ? mode.row : null;
  const compounds = (communities.data ?? []).find((c) => c.id === communityId)?.compounds ?? [];
  const phoneDigits = (phone ?? '').replace(/^\+?86/, '').replace(/[\s-]/g, '');
  const phoneWarn = !!phoneDigits && !MOBILE.test(phoneDigits);

  useEffect(() => {
    if (!mode) return;
    setError(null);
    form.resetFields();
    if (edit) {
      form.setFieldsValue({
        name: edit.name,
        homeUnit: edit.homeUnit,
        title: edit.title ?? '',
        phone: '',
        communityId: edit.communityId,
        compoundIds: edit.compounds.map((c) => c.id),
        status: edit.status,
        dutyFrom: edit.dutyFrom ? dayjs(edit.dutyFrom) : null,
        dutyTo: edit.dutyTo ? dayjs(edit.dutyTo) : null,
        notes: edit.notes ?? '',
      });
    }
  }, [mode, edit, form, setError]);

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const base = {
      name: v.name.trim(),
      homeUnit: v.homeUnit.trim(),
      title: v.title?.trim() || null,
      communityId: v.communityId ?? null,
      compoundIds: v.communityId ? v.compoundIds : [],
      status: v.status,
      dutyFrom: v.dutyFrom ? v.dutyFrom.format('YYYY-MM-DD') : null,
      dutyTo: v.dutyTo ? v.dutyTo.format('YYYY-MM-DD') : null,
      notes: v.notes?.trim() || null,
    };
    if (edit) {
      // The phone arrives masked: only a newly typed number replaces it.
      const input: InputOf<'cadres.update'> = { id: edit.id, version: edit.version, ...base };
      if (v.phone?.trim()) input.phone = v.phone.trim();
      await update.run(input);
    } else {
      await create.run({ ...base, phone: v.phone?.trim() || null });
    }
  };

  const max = (n: number) => ({ max: n, message: t('form.tooLong', { n }) });
  return (
    <Modal
      open={!!mode}
      title={edit ? t('form.editTitle', { name: edit.name }) : t('form.addTitle')}
      okText={t('form.save')}
      onOk={() => void submit()}
      confirmLoading={busy}
      onCancel={onClose}
      destroyOnHidden
      width={640}
      data-testid="cadre-form"
    >
      <Form form={form} layout="vertical" initialValues={{ status: 'on_duty', compoundIds: [] }}>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, message: t('form.nameRequired') }, max(30)]}>
              <Input autoFocus data-testid="cadre-name" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="homeUnit" label={t('form.homeUnit')} rules={[{ required: true, whitespace: true, message: t('form.homeUnitRequired') }, max(60)]}>
              <AutoComplete options={HOME_UNIT_SUGGESTIONS.map((u) => ({ value: u }))} placeholder={t('form.homeUnitPlaceholder')} showSearch={{ filterOption: true }} data-testid="cadre-unit" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="title" label={t('form.title')} rules={[max(30)]}>
              <Input placeholder={t('form.titlePlaceholder')} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item
              name="phone"
              label={t('form.phone')}
              rules={[max(30)]}
              validateStatus={phoneWarn ? 'warning' : undefined}
              help={phoneWarn ? t('form.phoneWarn') : undefined}
              extra={edit?.phone ? t('form.phoneKeep', { masked: edit.phone }) : undefined}
            >
              <Input inputMode="tel" />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="status" label={t('form.status')}>
              <Radio.Group optionType="button" buttonStyle="solid" options={(['on_duty', 'resting', 'withdrawn'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="communityId" label={t('form.community')}>
              <Select
                allowClear
                placeholder={t('form.communityPlaceholder')}
                options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                onChange={() => form.setFieldValue('compoundIds', [])}
                data-testid="cadre-community"
              />
            </Form.Item>
          </Col>
          <Col span={16}>
            <Form.Item name="compoundIds" label={t('form.compounds')}>
              <Select mode="multiple" allowClear disabled={!communityId} placeholder={t('form.compoundsPlaceholder')} options={compounds.map((c) => ({ value: c.id, label: c.name }))} optionFilterProp="label" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="dutyFrom" label={t('form.dutyFrom')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item
              name="dutyTo"
              label={t('form.dutyTo')}
              dependencies={['dutyFrom']}
              rules={[
                ({ getFieldValue }) => ({
                  validator: (_r, v: Dayjs | null | undefined) => {
                    const from = getFieldValue('dutyFrom') as Dayjs | null | undefined;
                    return v && from && v.isBefore(from, 'day') ? Promise.reject(new Error(t('form.dutyOrder'))) : Promise.resolve();
                  },
                }),
              ]}
            >
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="notes" label={t('form.notes')} rules={[max(500)]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} data-testid="cadre-form-error" />}
      </Form>
    </Modal>
  );
}

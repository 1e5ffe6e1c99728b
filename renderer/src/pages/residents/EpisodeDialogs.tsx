// Episode actions from the detail drawer: 开始隔离 (start date, kind, days), 延长 (new last day + reason), 转运/结束
// (outcome + reason + date). Each shows the server's message and puts field errors next to their fields.
import { Alert, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { type ArgsOf, type Channel, type InputOf, type OutputOf } from '../../api.ts';
import { useMe } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';
import { dayLabel } from '../../i18n/codes.ts';
import type { Detail } from './model.ts';

export type Resident = Detail['resident'];
export type EpisodeView = Detail['episodes'][number];

interface DialogProps {
  resident: Resident;
  episode?: EpisodeView;
  onClose: () => void;
  onDone: () => void;
}

/** Shared frame: validates the form, writes `channel` with the input made from it, says `done` on success. */
function useDialogSubmit<C extends Channel, V>(channel: C, fields: readonly string[], toInput: (v: V) => InputOf<C>, done: (out: OutputOf<C>) => string, onDone: () => void) {
  const [form] = Form.useForm<V>();
  const write = useApiWrite(channel, { form, fields, success: done, onSuccess: onDone });
  const submit = async () => {
    let v: V;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await write.run(...([toInput(v)] as ArgsOf<C>));
  };
  return { form, error: write.error, busy: write.submitting, submit };
}

const iso = (d: Dayjs) => d.format('YYYY-MM-DD');

export function StartEpisodeDialog({ resident, onClose, onDone }: DialogProps) {
  const { t } = useTranslation('residents');
  const me = useMe();
  const { form, error, busy, submit } = useDialogSubmit(
    'episodes.start',
    ['startDate', 'days', 'kind'],
    (v: { kind: 'home_isolation' | 'health_monitoring'; startDate: Dayjs; days?: number | null }) => ({ residentId: resident.id, startDate: iso(v.startDate), kind: v.kind, days: v.days ?? undefined }),
    () => t('start.done', { name: resident.name }),
    onDone,
  );
  return (
    <Modal open title={`${t('start.title')} · ${resident.name}`} okText={t('start.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" initialValues={{ kind: 'home_isolation', startDate: dayjs(me.today) }}>
        <Form.Item label={t('start.kind')} name="kind">
          <Radio.Group
            options={[
              { value: 'home_isolation', label: t('episode.kind.home_isolation') },
              { value: 'health_monitoring', label: t('episode.kind.health_monitoring') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('start.startDate')} name="startDate" rules={[{ required: true, message: t('form.required') }]}>
          <DatePicker maxDate={dayjs(me.today)} />
        </Form.Item>
        <Form.Item label={t('start.days')} name="days" extra={t('start.daysHint')}>
          <InputNumber min={1} max={60} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ExtendDialog({ resident, episode, onClose, onDone }: DialogProps) {
  const { t } = useTranslation('residents');
  const e = episode!;
  const { form, error, busy, submit } = useDialogSubmit(
    'episodes.extend',
    ['newLastDay', 'reason'],
    (v: { newLastDay: Dayjs; reason: string }) => ({ episodeId: e.id, version: e.version, newLastDay: iso(v.newLastDay), reason: v.reason }),
    (next) => t('extend.done', { lastDay: next.lastDay }),
    onDone,
  );
  const day = dayLabel(t, resident);
  return (
    <Modal open title={`${t('extend.title')} · ${resident.name}`} okText={t('extend.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="dialog-error" />}
      <Typography.Paragraph>{t('extend.current', { lastDay: e.lastDay, day })}</Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ newLastDay: dayjs(e.lastDay).add(7, 'day') }}>
        <Form.Item label={t('extend.newLastDay')} name="newLastDay" rules={[{ required: true, message: t('form.required') }]}>
          <DatePicker minDate={dayjs(e.lastDay).add(1, 'day')} />
        </Form.Item>
        <Form.Item label={t('extend.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
          <Input.TextArea maxLength={500} rows={3} placeholder={t('extend.reasonPlaceholder')} autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function EndDialog({ resident, episode, onClose, onDone }: DialogProps) {
  const { t } = useTranslation('residents');
  const me = useMe();
  const e = episode!;
  const { form, error, busy, submit } = useDialogSubmit(
    'episodes.end',
    ['outcome', 'reason', 'date'],
    (v: { outcome: 'transferred' | 'ended_other'; reason: string; date: Dayjs }) => ({ episodeId: e.id, version: e.version, outcome: v.outcome, reason: v.reason, date: iso(v.date) }),
    () => t('end.done', { name: resident.name }),
    onDone,
  );
  return (
    <Modal open title={`${t('end.title')} · ${resident.name}`} okText={t('end.submit')} onOk={() => void submit()} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="dialog-error" />}
      <Form form={form} layout="vertical" initialValues={{ outcome: 'transferred', date: dayjs(me.today) }}>
        <Form.Item label={t('end.outcome')} name="outcome">
          <Select
            options={[
              { value: 'transferred', label: t('end.transferred') },
              { value: 'ended_other', label: t('end.ended_other') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('end.reason')} name="reason" rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
          <Input.TextArea maxLength={500} rows={3} autoFocus />
        </Form.Item>
        <Form.Item label={t('end.date')} name="date" rules={[{ required: true, message: t('form.required') }]}>
          <DatePicker minDate={dayjs(e.startDate)} maxDate={dayjs(me.today)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

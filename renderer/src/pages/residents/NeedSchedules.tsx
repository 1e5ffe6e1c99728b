// The drawer's 定期需求: a person's recurring needs (dialysis every Tue/Thu/Sat, a weekly prescription), each creating
// its supply request on its weekdays; add one (supplies.write), stop or resume it. The server checks everything again.
import { useState } from 'react';
import { Alert, Button, Checkbox, DatePicker, Form, Input, List, Select, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useMe, useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';
import { errorMessage } from '../../api.ts';
import { NEED_SCHEDULE_KINDS, type NeedScheduleKind } from '../../../../electron/shared/enums.ts';
import type { Detail } from './model.ts';

interface Values {
  kind: NeedScheduleKind;
  items: string;
  weekdays: number[];
  time?: string;
  startDate: Dayjs;
  endDate?: Dayjs | null;
  notes?: string;
}

const DAYS = [1, 2, 3, 4, 5, 6, 7];

export function NeedSchedules({ d }: { d: Detail }) {
  const { t } = useTranslation('needs');
  const { can } = useSession();
  const me = useMe();
  const q = useApiQuery('needs.schedules', { residentId: d.resident.id });
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm<Values>();
  const create = useApiWrite('needs.createSchedule', {
    form,
    fields: ['kind', 'items', 'weekdays', 'time', 'startDate', 'endDate', 'notes'],
    success: () => t('scheduleSaved'),
    onSuccess: () => setAdding(false),
  });
  const update = useApiWrite('needs.updateSchedule', { success: () => t('scheduleSaved') });
  const mayWrite = can('supplies.write');
  const days = (ws: number[]) => ws.map((w) => t(`weekday.${w}`)).join(t('listSep'));

  const save = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await create.run({
      residentId: d.resident.id,
      kind: v.kind,
      items: v.items,
      weekdays: v.weekdays,
      time: v.time?.trim() || null,
      startDate: v.startDate.format('YYYY-MM-DD'),
      endDate: v.endDate ? v.endDate.format('YYYY-MM-DD') : null,
      notes: v.notes?.trim() || null,
    });
  };

  return (
    <div data-testid="need-schedules">
      <Typography.Paragraph type="secondary">{t('schedulesHint')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} />}
      {update.error && <Alert type="error" showIcon title={update.error} style={{ marginBottom: 8 }} />}
      <List
        size="small"
        loading={q.isLoading}
        locale={{ emptyText: t('noSchedules') }}
        dataSource={q.data ?? []}
        renderItem={(s) => (
          <List.Item
            data-testid="need-schedule"
            actions={
              mayWrite
                ? [
                    <Button key="toggle" size="small" type="link" loading={update.submitting} onClick={() => void update.run({ id: s.id, version: s.version, active: !s.active })}>
                      {s.active ? t('stop') : t('resume')}
                    </Button>,
                  ]
                : []
            }
          >
            <Space direction="vertical" size={0}>
              <span>
                <Tag>{t(`enums:supplyCategory.${s.kind}`)}</Tag>
                {days(s.weekdays)}
                {s.time ? ` ${s.time}` : ''}
                {!s.active && <Tag style={{ marginInlineStart: 8 }}>{t('stopped')}</Tag>}
              </span>
              <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{s.items}</Typography.Text>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {s.startDate} ~ {s.endDate ?? ''} · {s.lastRun ? t('lastRun', { date: s.lastRun }) : t('neverRun')}
                {s.notes ? ` · ${s.notes}` : ''}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      {mayWrite && !adding && (
        <Button
          onClick={() => {
            form.resetFields();
            setAdding(true);
          }}
          data-testid="need-schedule-add"
        >
          {t('addSchedule')}
        </Button>
      )}
      {adding && (
        <Form form={form} layout="vertical" initialValues={{ kind: NEED_SCHEDULE_KINDS[1], weekdays: [], startDate: dayjs(me.today) }} style={{ maxWidth: 560, marginTop: 12 }}>
          {create.error && <Alert type="error" showIcon title={create.error} style={{ marginBottom: 8 }} data-testid="schedule-error" />}
          <Form.Item name="kind" label={t('kind')}>
            <Select options={NEED_SCHEDULE_KINDS.map((k) => ({ value: k, label: t(`enums:supplyCategory.${k}`) }))} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="items" label={t('items')} rules={[{ required: true, whitespace: true, message: t('items') }]}>
            <Input.TextArea rows={2} maxLength={2000} data-testid="schedule-items" />
          </Form.Item>
          <Form.Item name="weekdays" label={t('weekdays')} rules={[{ required: true, type: 'array', min: 1, message: t('weekdays') }]}>
            <Checkbox.Group options={DAYS.map((w) => ({ value: w, label: t(`weekday.${w}`) }))} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="time" label={t('time')}>
              <Input placeholder={t('timePlaceholder')} maxLength={5} style={{ width: 100 }} />
            </Form.Item>
            <Form.Item name="startDate" label={t('startDate')} rules={[{ required: true }]}>
              <DatePicker allowClear={false} />
            </Form.Item>
            <Form.Item name="endDate" label={t('endDate')}>
              <DatePicker />
            </Form.Item>
          </Space>
          <Form.Item name="notes" label={t('notes')}>
            <Input maxLength={200} />
          </Form.Item>
          <Space>
            <Button type="primary" loading={create.submitting} onClick={() => void save()} data-testid="schedule-save">
              {t('save')}
            </Button>
            <Button onClick={() => setAdding(false)}>{t('cancel')}</Button>
          </Space>
        </Form>
      )}
    </div>
  );
}

// 排班: the duty roster of one day — who is at which post, when and where — grouped by post, with 排班 (several cadres
// on one post and time at once) and 删除 for those who keep the roster (duty.write: clerks, committee members in their
// community). Overlaps are refused by the server with the cadre named.
import { useMemo, useState } from 'react';
import { Alert, App, Button, DatePicker, Empty, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useMe, useOwnCommunity, useSession } from '../../session.tsx';
import { CADRE_POSTS, type CadrePost } from '../../../../electron/shared/enums.ts';

type Shift = OutputOf<'shifts.list'>[number];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const hours = (m: number) => Math.round((m / 60) * 10) / 10;

interface Values {
  date: dayjs.Dayjs;
  post: CadrePost;
  startTime: string;
  endTime: string;
  place: string;
  cadreIds: number[];
  notes?: string;
}

function ShiftDialog({ open, date, communityId, onClose }: { open: boolean; date: string; communityId?: number; onClose: () => void }) {
  const { t } = useTranslation('fieldwork');
  const [form] = Form.useForm<Values>();
  const cadres = useApiQuery('cadres.list', { communityId, status: 'on_duty' }, { enabled: open });
  const save = useApiWrite('shifts.create', { form, fields: ['cadreIds', 'date', 'startTime', 'endTime', 'post', 'place', 'notes'], success: (r) => t('office.shifts.saved', { n: r.ids.length }), onSuccess: onClose });
  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await save.run({ cadreIds: v.cadreIds, date: v.date.format('YYYY-MM-DD'), startTime: v.startTime.trim(), endTime: v.endTime.trim(), post: v.post, place: v.place.trim(), notes: v.notes?.trim() || null });
  };
  const timeRule = { pattern: HHMM, message: t('office.shifts.nightHint') };
  return (
    <Modal open={open} title={t('office.shifts.createTitle')} onOk={submit} onCancel={onClose} confirmLoading={save.submitting} destroyOnHidden okButtonProps={{ ...({ 'data-testid': 'shift-save' } as object) }}>
      {save.error && <Alert type="error" showIcon title={save.error} style={{ marginBottom: 12 }} data-testid="shift-error" />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ date: dayjs(date), post: 'gate', startTime: '08:00', endTime: '12:00' }}>
        <Space wrap>
          <Form.Item name="date" label={t('office.shifts.date')} rules={[{ required: true }]}>
            <DatePicker allowClear={false} />
          </Form.Item>
          <Form.Item name="post" label={t('office.shifts.post')} rules={[{ required: true }]}>
            <Select style={{ width: 170 }} options={CADRE_POSTS.map((p) => ({ value: p, label: t(`post.${p}`) }))} data-testid="shift-post" />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name="startTime" label={t('office.shifts.start')} rules={[{ required: true }, timeRule]}>
            <Input style={{ width: 100 }} placeholder="08:00" data-testid="shift-start" />
          </Form.Item>
          <Form.Item name="endTime" label={t('office.shifts.end')} rules={[{ required: true }, timeRule]}>
            <Input style={{ width: 100 }} placeholder="12:00" data-testid="shift-end" />
          </Form.Item>
          <Typography.Text type="secondary">{t('office.shifts.nightHint')}</Typography.Text>
        </Space>
        <Form.Item name="place" label={t('office.shifts.place')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} placeholder={t('office.shifts.placePlaceholder')} data-testid="shift-place" />
        </Form.Item>
        <Form.Item name="cadreIds" label={t('office.shifts.cadres')} rules={[{ required: true }]}>
          <Select
            mode="multiple"
            optionFilterProp="label"
            loading={cadres.isLoading}
            options={(cadres.data ?? []).filter((c) => c.communityId !== null).map((c) => ({ value: c.id, label: `${c.name} · ${c.homeUnit} · ${c.community}` }))}
            data-testid="shift-cadres"
          />
        </Form.Item>
        <Form.Item name="notes" label={t('office.shifts.notes')}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ShiftsPane() {
  const { t } = useTranslation('fieldwork');
  const { modal } = App.useApp();
  const me = useMe();
  const { can } = useSession();
  const ownCommunity = useOwnCommunity();
  const [date, setDate] = useState(me.today);
  const [post, setPost] = useState<CadrePost | undefined>();
  const [communityId, setCommunityId] = useState<number | undefined>();
  const [adding, setAdding] = useState(false);
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const q = useApiQuery('shifts.list', { from: date, to: date, post, communityId });
  const del = useApiWrite('shifts.delete', { success: t('office.shifts.deleted'), toast: true });
  const rows = useMemo(() => q.data ?? [], [q.data]);
  const byPost = useMemo(() => CADRE_POSTS.map((p) => [p, rows.filter((r) => r.post === p).length] as const).filter(([, n]) => n > 0), [rows]);
  const canWrite = can('duty.write');
  const remove = (s: Shift) =>
    modal.confirm({
      title: t('office.shifts.delConfirm', { name: s.cadre, date: s.date, start: s.startTime, end: s.endTime }),
      okButtonProps: { danger: true },
      onOk: () => del.run({ id: s.id }),
    });
  return (
    <div data-testid="shifts-pane">
      <Space wrap style={{ marginBottom: 12 }}>
        <DatePicker value={dayjs(date)} allowClear={false} onChange={(d) => d && setDate(d.format('YYYY-MM-DD'))} data-testid="shifts-date" />
        <Select allowClear placeholder={t('office.shifts.allPosts')} value={post} style={{ width: 170 }} options={CADRE_POSTS.map((p) => ({ value: p, label: t(`post.${p}`) }))} onChange={setPost} />
        {ownCommunity === null && <Select allowClear placeholder={t('office.shifts.community')} value={communityId} style={{ width: 150 }} options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))} onChange={setCommunityId} />}
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="shift-add">
            {t('office.shifts.add')}
          </Button>
        )}
        <Typography.Text type="secondary" data-testid="shifts-count">
          {t('office.shifts.count', { n: rows.length, h: hours(rows.reduce((s, r) => s + r.minutes, 0)) })}
        </Typography.Text>
        {byPost.map(([p, n]) => (
          <Tag key={p}>{t('office.shifts.byPost', { post: t(`post.${p}`), n })}</Tag>
        ))}
      </Space>
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      <Table<Shift>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={rows}
        pagination={rows.length > 100 ? { pageSize: 100, showSizeChanger: false } : false}
        locale={{ emptyText: <Empty description={t('office.shifts.none')} /> }}
        data-testid="shifts-table"
        columns={[
          { key: 'post', title: t('office.shifts.post'), width: 130, render: (_v, r) => t(`post.${r.post}`) },
          { key: 'time', title: t('office.shifts.time'), width: 110, render: (_v, r) => `${r.startTime}–${r.endTime}` },
          { key: 'cadre', title: t('office.shifts.cadre'), width: 100, dataIndex: 'cadre' },
          { key: 'homeUnit', title: t('office.groups.homeUnit'), width: 110, dataIndex: 'homeUnit' },
          { key: 'community', title: t('office.shifts.community'), width: 100, dataIndex: 'community' },
          { key: 'place', title: t('office.shifts.place'), dataIndex: 'place' },
          { key: 'hours', title: t('office.shifts.hours'), width: 70, align: 'right', render: (_v, r) => hours(r.minutes) },
          { key: 'notes', title: t('office.shifts.notes'), dataIndex: 'notes', ellipsis: true },
          ...(canWrite
            ? [
                {
                  key: 'op',
                  width: 80,
                  render: (_v: unknown, r: Shift) => (
                    <Button size="small" type="link" danger icon={<DeleteOutlined />} onClick={() => remove(r)} data-testid={`shift-del-${r.id}`}>
                      {t('office.shifts.del')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ShiftDialog open={adding} date={date} communityId={ownCommunity ?? communityId} onClose={() => setAdding(false)} />
    </div>
  );
}

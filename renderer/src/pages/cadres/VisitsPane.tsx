// 入户走访: the door visits of the office's scope — to make, made, with a follow-up open — and 安排走访 (households of a
// community for one cadre on a day), 登记结果 on a cadre's behalf, and 标记已跟进. Residents' phones are masked.
import { useState } from 'react';
import { Alert, Button, DatePicker, Empty, Form, Input, Modal, Segmented, Select, Space, Table, Tag } from 'antd';
import { CheckOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { punct } from '../../i18n/codes.ts';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useMe, useOwnCommunity, useSession } from '../../session.tsx';
import { VISIT_RESULTS, type VisitResult } from '../../../../electron/shared/enums.ts';

type Visit = OutputOf<'visits.list'>[number];
type Status = 'open' | 'done' | 'followUp' | 'all';
const STATUSES: Status[] = ['open', 'done', 'followUp', 'all'];

function PlanDialog({ open, communityId, onClose }: { open: boolean; communityId?: number; onClose: () => void }) {
  const { t } = useTranslation('fieldwork');
  const me = useMe();
  const [form] = Form.useForm<{ cadreId: number; householdIds: number[]; date: dayjs.Dayjs }>();
  const [search, setSearch] = useState('');
  const cadreId = Form.useWatch('cadreId', form);
  const cadres = useApiQuery('cadres.list', { communityId, status: 'on_duty' }, { enabled: open });
  const cadre = cadres.data?.find((c) => c.id === cadreId);
  const hits = useApiQuery('households.search', { search, communityId: cadre?.communityId ?? communityId, limit: 50 }, { enabled: open && search.trim().length > 0 });
  const [picked, setPicked] = useState<Record<number, string>>({});
  const plan = useApiWrite('visits.plan', { form, fields: ['cadreId', 'householdIds', 'date'], success: (r) => t('office.visits.saved', { n: r.ids.length }), onSuccess: onClose });
  const submit = async () => {
    let v: { cadreId: number; householdIds: number[]; date: dayjs.Dayjs };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await plan.run({ cadreId: v.cadreId, householdIds: v.householdIds, date: v.date.format('YYYY-MM-DD') });
  };
  const options = [...(hits.data ?? []).map((h) => ({ value: h.id, label: h.members.length ? t('codes:punct.paren', { text: `${h.community} ${h.address}`, note: h.members.join(punct(t, 'list')) }) : `${h.community} ${h.address}` }))];
  for (const [id, label] of Object.entries(picked)) if (!options.some((o) => o.value === Number(id))) options.push({ value: Number(id), label });
  return (
    <Modal open={open} title={t('office.visits.createTitle')} onOk={submit} onCancel={onClose} confirmLoading={plan.submitting} destroyOnHidden okButtonProps={{ ...({ 'data-testid': 'visit-plan-save' } as object) }}>
      {plan.error && <Alert type="error" showIcon title={plan.error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ date: dayjs(me.today) }}>
        <Form.Item name="cadreId" label={t('office.visits.cadre')} rules={[{ required: true }]}>
          <Select showSearch optionFilterProp="label" loading={cadres.isLoading} options={(cadres.data ?? []).filter((c) => c.communityId !== null).map((c) => ({ value: c.id, label: `${c.name} · ${c.homeUnit} · ${c.community}` }))} data-testid="visit-plan-cadre" />
        </Form.Item>
        <Form.Item name="date" label={t('office.visits.date')} rules={[{ required: true }]}>
          <DatePicker allowClear={false} />
        </Form.Item>
        <Form.Item name="householdIds" label={t('office.visits.households')} rules={[{ required: true }]}>
          <Select
            mode="multiple"
            showSearch
            filterOption={false}
            onSearch={setSearch}
            placeholder={t('office.visits.householdsPlaceholder')}
            loading={hits.isFetching}
            options={options}
            onSelect={(id: number) => setPicked((p) => ({ ...p, [id]: options.find((o) => o.value === id)?.label ?? String(id) }))}
            data-testid="visit-plan-households"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RecordDialog({ visit, onClose }: { visit: Visit | null; onClose: () => void }) {
  const { t } = useTranslation('fieldwork');
  const [form] = Form.useForm<{ result: VisitResult; note?: string; followUpNote?: string }>();
  const record = useApiWrite('visits.record', { form, fields: ['result', 'note', 'followUpNote'], success: t('office.visits.recorded'), onSuccess: onClose });
  const submit = async () => {
    if (!visit) return;
    let v: { result: VisitResult; note?: string; followUpNote?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await record.run({ id: visit.id, version: visit.version, result: v.result, note: v.note?.trim() || null, followUpNote: v.followUpNote?.trim() || null });
  };
  return (
    <Modal open={!!visit} title={t('office.visits.recordTitle', { address: visit?.address ?? '' })} onOk={submit} onCancel={onClose} confirmLoading={record.submitting} destroyOnHidden>
      {record.error && <Alert type="error" showIcon title={record.error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ result: visit?.result ?? undefined, note: visit?.note ?? '', followUpNote: visit?.followUpNote ?? '' }}>
        <Form.Item name="result" label={t('office.visits.result')} rules={[{ required: true }]}>
          <Segmented options={VISIT_RESULTS.map((r) => ({ value: r, label: t(`result.${r}`) }))} />
        </Form.Item>
        <Form.Item name="note" label={t('office.visits.note')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="followUpNote" label={t('office.visits.followUp')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function VisitsPane() {
  const { t } = useTranslation('fieldwork');
  const { can } = useSession();
  const ownCommunity = useOwnCommunity();
  const [status, setStatus] = useState<Status>('open');
  const [range, setRange] = useState<[string, string] | null>(null);
  const [communityId, setCommunityId] = useState<number | undefined>();
  const [planning, setPlanning] = useState(false);
  const [recording, setRecording] = useState<Visit | null>(null);
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const q = useApiQuery('visits.list', { status, communityId, ...(range ? { from: range[0], to: range[1] } : {}) });
  const follow = useApiWrite('visits.followUp', { toast: true });
  const canWrite = can('duty.write');
  const rows = q.data ?? [];
  return (
    <div data-testid="visits-pane">
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented<Status> value={status} onChange={setStatus} options={STATUSES.map((s) => ({ value: s, label: t(`office.visits.status.${s}`) }))} data-testid="visits-status" />
        <DatePicker.RangePicker value={range ? [dayjs(range[0]), dayjs(range[1])] : null} onChange={(r) => setRange(r && r[0] && r[1] ? [r[0].format('YYYY-MM-DD'), r[1].format('YYYY-MM-DD')] : null)} placeholder={[t('office.visits.from'), t('office.visits.to')]} />
        {ownCommunity === null && <Select allowClear placeholder={t('office.shifts.community')} value={communityId} style={{ width: 150 }} options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))} onChange={setCommunityId} />}
        {canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setPlanning(true)} data-testid="visit-plan">
            {t('office.visits.plan')}
          </Button>
        )}
      </Space>
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      <Table<Visit>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={rows}
        pagination={rows.length > 100 ? { pageSize: 100, showSizeChanger: false } : false}
        locale={{ emptyText: <Empty description={t('office.visits.none')} /> }}
        data-testid="visits-table"
        columns={[
          { key: 'planned', title: t('office.visits.planned'), dataIndex: 'plannedDate', width: 100 },
          {
            key: 'address',
            title: t('office.visits.address'),
            render: (_v, r) => (
              <span>
                {r.community} {r.address}
                <div className="cd-sub">{r.people.map((p) => p.name).join(punct(t, 'list'))}</div>
              </span>
            ),
          },
          { key: 'cadre', title: t('office.visits.cadre'), width: 110, render: (_v, r) => t('codes:punct.paren', { text: r.cadre, note: r.homeUnit }) },
          { key: 'result', title: t('office.visits.result'), width: 100, render: (_v, r) => (r.result ? <Tag color={r.result === 'abnormal' ? 'red' : r.result === 'home_ok' ? 'green' : 'default'}>{t(`result.${r.result}`)}</Tag> : null) },
          { key: 'visitedAt', title: t('office.visits.visitedAt'), width: 120, render: (_v, r) => r.visitedAt?.slice(5, 16).replace('T', ' ') },
          { key: 'note', title: t('office.visits.note'), dataIndex: 'note', ellipsis: true },
          {
            key: 'followUp',
            title: t('office.visits.followUp'),
            render: (_v, r) =>
              r.followUpNote ? (
                <span>
                  {r.followUpNote} {r.followUpDone && <Tag color="green">{t('office.visits.followUpDone')}</Tag>}
                </span>
              ) : null,
          },
          ...(canWrite
            ? [
                {
                  key: 'op',
                  width: 170,
                  render: (_v: unknown, r: Visit) => (
                    <Space size={0}>
                      <Button size="small" type="link" onClick={() => setRecording(r)} data-testid={`visit-record-${r.id}`}>
                        {t('office.visits.record')}
                      </Button>
                      {r.result && r.followUpNote && (
                        <Button size="small" type="link" icon={r.followUpDone ? undefined : <CheckOutlined />} onClick={() => void follow.run({ id: r.id, version: r.version, done: !r.followUpDone })} data-testid={`visit-follow-${r.id}`}>
                          {r.followUpDone ? t('office.visits.markUndone') : t('office.visits.markDone')}
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <PlanDialog open={planning} communityId={ownCommunity ?? communityId} onClose={() => setPlanning(false)} />
      <RecordDialog visit={recording} onClose={() => setRecording(null)} />
    </div>
  );
}

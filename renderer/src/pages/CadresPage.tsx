// 下沉干部: the roster (a few hundred people, loaded whole and paged on screen) with posting, duty status and the
// day's work (delivered that day, still open in hand); add/edit for those who keep the roster, quick status change.
// Filters live in the URL (#/cadres?status=on_duty from the 工作台).
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, DatePicker, Empty, Input, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, fieldMessage } from '../api.ts';
import { useApiWrite } from '../write.ts';
import { useApiQuery } from '../query.ts';
import { useQueryParams } from '../router.tsx';
import { useOwnCommunity, useSession } from '../session.tsx';
import { CADRE_STATUSES } from '../../../electron/shared/enums.ts';
import { PhoneReveal } from '../components/PhoneReveal.tsx';
import { CadreForm, type CadreFormMode, type CadreRow } from './cadres/CadreForm.tsx';
import './cadres/cadres.css';
import { punct } from '../i18n/codes.ts';
import { GroupsPane } from './cadres/GroupsPane.tsx';
import { ShiftsPane } from './cadres/ShiftsPane.tsx';
import { VisitsPane } from './cadres/VisitsPane.tsx';

type Status = CadreRow['status'];
const STATUSES: readonly Status[] = CADRE_STATUSES;
const STATUS_COLORS: Record<Status, string> = { on_duty: 'green', resting: 'gold', withdrawn: 'default' };
const posInt = (s: string | undefined) => (s && /^\d+$/.test(s) && Number(s) > 0 ? Number(s) : undefined);

const TABS = ['roster', 'groups', 'shifts', 'visits'] as const;

/** 名册 and the field work (包联组, 排班, 入户走访) as tabs; the tab is in the URL (#/cadres?tab=shifts). */
export default function CadresPage() {
  const { t } = useTranslation('fieldwork');
  const [params, setParams] = useQueryParams();
  const tab = (TABS as readonly string[]).includes(params.tab) ? params.tab : 'roster';
  const panes = { roster: <RosterPane />, groups: <GroupsPane />, shifts: <ShiftsPane />, visits: <VisitsPane /> };
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => setParams(k === 'roster' ? {} : { tab: k })}
      destroyOnHidden
      items={TABS.map((k) => ({ key: k, label: <span data-testid={`cadres-tab-${k}`}>{t(`office.tabs.${k}`)}</span>, children: panes[k] }))}
    />
  );
}

function RosterPane() {
  const { t } = useTranslation('cadres');
  const { message } = App.useApp();
  const { can } = useSession();
  const ownCommunity = useOwnCommunity();
  const qc = useQueryClient();
  const [params, setParams] = useQueryParams();
  const communityId = posInt(params.communityId);
  const status = STATUSES.includes(params.status as Status) ? (params.status as Status) : undefined;
  const search = params.q ?? '';
  const date = params.date && /^\d{4}-\d{2}-\d{2}$/.test(params.date) ? params.date : undefined;
  const [text, setText] = useState(search);
  const [mode, setMode] = useState<CadreFormMode>(null);
  const canWrite = can('cadres.write');
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const q = useApiQuery('cadres.list', { communityId, status, search: search || undefined, date });
  // Counts by status ignore the status filter, so the summary always shows the whole roster in scope.
  const all = useApiQuery('cadres.list', { communityId, date }, { enabled: !!status || !!search });
  const rows = q.data ?? [];
  const counts = useMemo(() => {
    const list = (status || search ? all.data : q.data) ?? [];
    return { on: list.filter((r) => r.status === 'on_duty').length, rest: list.filter((r) => r.status === 'resting').length, out: list.filter((r) => r.status === 'withdrawn').length };
  }, [q.data, all.data, status, search]);
  const filtered = !!communityId || !!status || !!search || !!date;
  useEffect(() => setText(search), [search]);

  const set = (next: Record<string, string | number | null | undefined>) => setParams((now) => ({ ...now, ...next }));

  const statusWrite = useApiWrite('cadres.update', {
    toast: true,
    onError: () => void qc.invalidateQueries({ queryKey: ['cadres.list'] }),
  });
  const setStatus = async (r: CadreRow, s: Status) => {
    const res = await statusWrite.run({ id: r.id, version: r.version, status: s });
    if (!res) return;
    if (res.warnings.length) message.warning({ content: res.warnings.map(fieldMessage).join(punct(t, 'items')), duration: 6 });
    else message.success(t('statusDone', { name: r.name, status: t(`status.${s}`) }));
  };

  const duty = (r: CadreRow) => {
    if (r.dutyFrom && r.dutyTo) return t('dutyBoth', { from: r.dutyFrom, to: r.dutyTo });
    if (r.dutyFrom) return t('dutyRange', { from: r.dutyFrom });
    if (r.dutyTo) return t('dutyTo', { to: r.dutyTo });
    return '';
  };

  return (
    <div className="page cd-page" data-testid="cadres-page">
      <div className="page-head">
        <Space align="center" size={12} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('title')}
          </Typography.Title>
          {q.data && <Typography.Text type="secondary">{t('total', { n: rows.length })}</Typography.Text>}
          <Typography.Text data-testid="cadre-summary">{t('summary', counts)}</Typography.Text>
        </Space>
        <Space>
          <Button icon={<ReloadOutlined />} loading={q.isFetching} onClick={() => void q.refetch()}>
            {t('common.refresh', { ns: 'translation' })}
          </Button>
          {canWrite && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setMode({ kind: 'add' })} data-testid="cadre-add">
              {t('add')}
            </Button>
          )}
        </Space>
      </div>
      <Space size={8} wrap className="cd-filters">
        {ownCommunity === null && (
          <Select allowClear placeholder={t('filter.community')} value={communityId} style={{ width: 150 }} options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))} onChange={(v) => set({ communityId: v ?? null })} data-testid="cadre-community-filter" />
        )}
        <Select allowClear placeholder={t('filter.status')} value={status} style={{ width: 120 }} options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} onChange={(v) => set({ status: v ?? null })} data-testid="cadre-status-filter" />
        <Input.Search allowClear placeholder={t('filter.search')} value={text} onChange={(e) => setText(e.target.value)} onSearch={(v) => set({ q: v.trim() || null })} style={{ width: 260 }} />
        <Tooltip title={t('filter.date')}>
          <DatePicker value={date ? dayjs(date) : null} placeholder={t('filter.date')} onChange={(d) => set({ date: d ? d.format('YYYY-MM-DD') : null })} style={{ width: 150 }} />
        </Tooltip>
        {filtered && (
          <Button type="link" onClick={() => setParams({})}>
            {t('empty.clear')}
          </Button>
        )}
      </Space>
      {q.error && <Alert type="error" showIcon title={t('loadError', { message: errorMessage(q.error) })} style={{ marginBottom: 12 }} action={<Button onClick={() => void q.refetch()}>{t('common.retry', { ns: 'translation' })}</Button>} />}
      <Table<CadreRow>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={rows}
        sticky
        data-testid="cadre-table"
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false, showTotal: (n) => t('total', { n }) } : false}
        rowClassName={(r) => (r.status === 'withdrawn' ? 'cd-row-withdrawn' : '')}
        locale={{
          emptyText: (
            <Empty description={filtered ? t('empty.filtered') : canWrite ? t('empty.none') : t('empty.readOnly')}>
              {!filtered && canWrite && (
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setMode({ kind: 'add' })}>
                  {t('add')}
                </Button>
              )}
            </Empty>
          ),
        }}
        columns={[
          {
            key: 'name',
            title: t('col.name'),
            dataIndex: 'name',
            width: 100,
            sorter: (a, b) => a.name.localeCompare(b.name, 'zh'),
            render: (v: string, r) => (
              <span>
                <b>{v}</b>
                {r.title && <div className="cd-sub">{r.title}</div>}
              </span>
            ),
          },
          { key: 'homeUnit', title: t('col.homeUnit'), dataIndex: 'homeUnit', width: 110, sorter: (a, b) => a.homeUnit.localeCompare(b.homeUnit, 'zh') },
          {
            key: 'phone',
            title: t('col.phone'),
            dataIndex: 'phone',
            width: 150,
            className: 'cd-mono',
            render: (v: string | null, r) => (
              <PhoneReveal masked={v} reveal={async () => (await api('cadres.reveal', { id: r.id })).value} allowed={can('cadres.reveal')} compact testId={`cadre-phone-${r.id}`} />
            ),
          },
          { key: 'community', title: t('col.community'), dataIndex: 'community', width: 96, render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('filter.unassigned')}</Typography.Text> },
          {
            key: 'compounds',
            title: t('col.compounds'),
            width: 190,
            render: (_v, r) => (
              <span className="cd-compounds">
                {r.compounds.map((c) => (
                  <Tag key={c.id}>{c.name}</Tag>
                ))}
              </span>
            ),
          },
          { key: 'duty', title: t('col.duty'), width: 126, render: (_v, r) => <span className={!r.onDuty && r.status === 'on_duty' ? 'cd-off' : undefined}>{duty(r)}{!r.onDuty && r.status === 'on_duty' ? ` · ${t('offToday')}` : ''}</span> },
          {
            key: 'status',
            title: t('col.status'),
            width: 96,
            render: (_v, r) =>
              canWrite ? (
                <Select<Status>
                  size="small"
                  value={r.status}
                  variant="borderless"
                  className={`cd-status cd-status-${r.status}`}
                  popupMatchSelectWidth={false}
                  options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                  onChange={(s) => void setStatus(r, s)}
                  aria-label={`${r.name} ${t('col.status')}`}
                />
              ) : (
                <Tag color={STATUS_COLORS[r.status]}>{t(`status.${r.status}`)}</Tag>
              ),
          },
          { key: 'delivered', title: t('col.delivered'), dataIndex: 'deliveredOnDate', width: 100, align: 'right', sorter: (a, b) => a.deliveredOnDate - b.deliveredOnDate },
          { key: 'open', title: t('col.open'), dataIndex: 'openAssigned', width: 116, align: 'right', sorter: (a, b) => a.openAssigned - b.openAssigned, render: (v: number) => <span className={v ? 'cd-open' : undefined}>{v}</span> },
          { key: 'notes', title: t('col.notes'), dataIndex: 'notes', ellipsis: true },
          ...(canWrite
            ? [
                {
                  key: 'op',
                  title: t('col.op'),
                  width: 72,
                  render: (_v: unknown, r: CadreRow) => (
                    <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setMode({ kind: 'edit', row: r })} data-testid={`cadre-edit-${r.id}`}>
                      {t('edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <CadreForm mode={mode} onClose={() => setMode(null)} />
    </div>
  );
}

// 操作记录 of one person: who did what and when (from the append-only audit log), with changed fields as "old → new".
// Personal values arrive masked from the server.
import { Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Detail } from './model.ts';

/** The resident-related actions in the clerk's words (the full list lives with the audit page). */
const ACTIONS: Record<string, string> = {
  'resident.create': '登记人员',
  'resident.update': '修改人员信息',
  'resident.view': '查看人员详情',
  'resident.reveal_phone': '查看完整电话',
  'resident.reveal_document': '查看完整证件号',
  'episode.start': '开始隔离/监测',
  'episode.extend': '延长隔离',
  'episode.release': '解除隔离',
  'episode.transfer': '转运',
  'episode.end': '结束隔离（其他）',
  'episode.apply_policy': '按新政策调整',
  'checkin.record': '录入健康监测',
  'checkin.correct': '更正健康监测',
  'test.record': '录入检测结果',
  'alert.open': '产生异常告警',
  'alert.close': '处理异常告警',
};

const FIELD_NAMES: Record<string, string> = {
  name: '姓名',
  docType: '证件类型',
  docNumber: '证件号码',
  sex: '性别',
  birthDate: '出生日期',
  phone: '电话',
  category: '类别',
  notes: '备注',
  householdId: '住户',
  communityId: '社区',
  guardianId: '监护人',
  lastDay: '最后一天',
  releaseDate: '解除日期',
  status: '状态',
  startDate: '开始日期',
  endedOn: '结束日期',
  endReason: '原因',
  reason: '原因',
};

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '空' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One readable line from the stored details: changed fields and the reason, if any. */
export function describeDetails(raw: string | null): string {
  if (!raw) return '';
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return raw;
  }
  const parts: string[] = [];
  const before = (d.before ?? {}) as Record<string, unknown>;
  const after = (d.after ?? {}) as Record<string, unknown>;
  const keys = Object.keys(after).filter((k) => FIELD_NAMES[k]);
  for (const k of keys) parts.push(k in before ? `${FIELD_NAMES[k]}：${show(before[k])} → ${show(after[k])}` : `${FIELD_NAMES[k]}：${show(after[k])}`);
  if (typeof d.reason === 'string' && d.reason) parts.push(`原因：${d.reason}`);
  const override = d.override as { reason?: string } | null | undefined;
  if (override?.reason) parts.push(`强制解除：${override.reason}`);
  return parts.join('；');
}

export function HistorySection({ d }: { d: Detail }) {
  const { t } = useTranslation('residents');
  return (
    <Table
      size="small"
      rowKey="id"
      pagination={{ pageSize: 15, hideOnSinglePage: true, size: 'small' }}
      dataSource={d.history}
      data-testid="drawer-history"
      locale={{ emptyText: t('drawer.historyNone') }}
      columns={[
        { title: t('historyCols.at'), dataIndex: 'at', width: 140, render: (v: string) => v.slice(0, 16).replace('T', ' ') },
        { title: t('historyCols.user'), dataIndex: 'userName', width: 90, ellipsis: true },
        { title: t('historyCols.action'), dataIndex: 'action', width: 120, render: (v: string) => ACTIONS[v] ?? v },
        { title: t('historyCols.details'), dataIndex: 'details', render: (v: string | null) => <Typography.Text type="secondary">{describeDetails(v)}</Typography.Text> },
      ]}
    />
  );
}

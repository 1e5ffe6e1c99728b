// The 未检 people of one building in a round (paged by the core), with 导出未检名单 (the print-ready sheet, masked,
// audited) and, for those who may, 登记免检 per person (外出, 卧床上门采样, 婴幼儿, 其他 with a note).
import { useState } from 'react';
import { Alert, App, Button, Drawer, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { saveBase64 } from '../reports/download.ts';
import { ROUND_EXEMPT_REASONS, type RoundExemptReason } from '../../../../electron/shared/enums.ts';

export interface BuildingPick {
  id: number;
  place: string;
}
type Row = OutputOf<'rounds.untested'>['rows'][number];
const PAGE = 50;

function ExemptDialog({ roundId, person, onClose }: { roundId: number; person: Row | null; onClose: () => void }) {
  const { t } = useTranslation('rounds');
  const [form] = Form.useForm<{ reason: RoundExemptReason; note?: string }>();
  const reason = Form.useWatch('reason', form);
  const exempt = useApiWrite('rounds.exempt', { form, success: () => t('exempt.done', { name: person?.name ?? '' }), onSuccess: onClose });
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (v && person) await exempt.run({ roundId, residentId: person.residentId, reason: v.reason, note: v.note?.trim() || null });
  };
  return (
    <Modal open={!!person} title={t('exempt.title', { name: person?.name ?? '' })} onOk={() => void submit()} confirmLoading={exempt.submitting} onCancel={onClose} destroyOnHidden>
      {exempt.error && <Alert type="error" showIcon title={exempt.error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" requiredMark={false} initialValues={{ reason: ROUND_EXEMPT_REASONS[0] }}>
        <Form.Item label={t('exempt.reason')} name="reason">
          <Select options={ROUND_EXEMPT_REASONS.map((r) => ({ value: r, label: t(`exempt.reasons.${r}`) }))} />
        </Form.Item>
        <Form.Item label={t('exempt.note')} name="note" rules={[{ required: reason === ROUND_EXEMPT_REASONS[3], whitespace: true, message: t('exempt.noteRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function UntestedDrawer({ roundId, building, onClose, canExempt }: { roundId: number; building: BuildingPick | null; onClose: () => void; canExempt: boolean }) {
  const { t } = useTranslation('rounds');
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const [exporting, setExporting] = useState(false);
  const [exempting, setExempting] = useState<Row | null>(null);
  const list = useApiQuery('rounds.untested', { roundId, buildingId: building?.id ?? 0, offset: (page - 1) * PAGE, limit: PAGE }, { enabled: !!building });
  const total = list.data?.total ?? 0;

  const exportSheet = async () => {
    if (!building) return;
    setExporting(true);
    try {
      const r = await api('rounds.exportUntested', { roundId, buildingId: building.id });
      saveBase64(r.fileName, r.dataBase64);
      void message.success(t('drawer.exported', { name: r.fileName, n: r.rows }));
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };

  const columns = [
    { title: t('drawer.col.unit'), dataIndex: 'unit', width: 70 },
    { title: t('drawer.col.room'), dataIndex: 'room', width: 70 },
    { title: t('drawer.col.name'), dataIndex: 'name', width: 110 },
    { title: t('drawer.col.sex'), dataIndex: 'sex', width: 60, render: (s: 'M' | 'F' | null) => (s ? t(`sex.${s}`) : '') },
    { title: t('drawer.col.phone'), dataIndex: 'phone', width: 120 },
    { title: t('drawer.col.doc'), dataIndex: 'docNumber', width: 170 },
    {
      title: t('drawer.col.status'),
      dataIndex: 'status',
      width: 100,
      render: (s: string) => (s === 'isolating' || s === 'monitoring' ? <Tag color="orange">{t(`drawer.${s}`)}</Tag> : null),
    },
    ...(canExempt
      ? [{ title: t('drawer.col.op'), key: 'op', width: 100, render: (_: unknown, r: Row) => <Button size="small" onClick={() => setExempting(r)}>{t('drawer.exempt')}</Button> }]
      : []),
  ];

  return (
    <Drawer
      open={!!building}
      onClose={() => {
        setPage(1);
        onClose();
      }}
      size="large"
      title={building ? t('drawer.title', { place: building.place, n: total }) : ''}
      extra={
        <Space>
          <Button type="primary" icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportSheet()} data-testid="round-export-untested">
            {t('drawer.export')}
          </Button>
        </Space>
      }
      data-testid="round-untested-drawer"
    >
      {list.error && <Alert type="error" showIcon title={t('loadError', { message: errorMessage(list.error) })} />}
      <Table<Row>
        size="small"
        rowKey="residentId"
        columns={columns}
        dataSource={list.data?.rows ?? []}
        loading={list.isFetching}
        locale={{ emptyText: t('drawer.empty') }}
        pagination={{ current: page, pageSize: PAGE, total, onChange: setPage, showSizeChanger: false }}
        data-testid="round-untested-table"
      />
      <ExemptDialog roundId={roundId} person={exempting} onClose={() => setExempting(null)} />
    </Drawer>
  );
}

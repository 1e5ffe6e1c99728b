// 包联组: a department's group bound to a community (e.g. 市国资委包联华夏里社区组), its leader and members — cadres
// posted to that community, each in one group at most. Kept by those who keep the roster (cadres.write).
import { useState } from 'react';
import { Alert, AutoComplete, Button, Empty, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useSession } from '../../session.tsx';
import { HOME_UNIT_SUGGESTIONS } from '../../i18n/cadres.ts';

type Group = OutputOf<'cadreGroups.list'>[number];
interface Values {
  name: string;
  homeUnit: string;
  communityId: number;
  leaderId?: number | null;
  memberIds?: number[];
  notes?: string;
}

function GroupDialog({ mode, onClose }: { mode: { group: Group | null } | null; onClose: () => void }) {
  const { t } = useTranslation('fieldwork');
  const [form] = Form.useForm<Values>();
  const communityId = Form.useWatch('communityId', form);
  const communities = useApiQuery('places.communities', {}, { staleTime: 60_000 });
  const cadres = useApiQuery('cadres.list', { communityId }, { enabled: !!mode && !!communityId });
  const fields = ['name', 'homeUnit', 'communityId', 'leaderId', 'memberIds', 'notes'];
  const create = useApiWrite('cadreGroups.create', { form, fields, success: t('office.groups.saved'), onSuccess: onClose });
  const update = useApiWrite('cadreGroups.update', { form, fields, success: t('office.groups.saved'), onSuccess: onClose });
  const editing = mode?.group ?? null;
  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body = { name: v.name.trim(), homeUnit: v.homeUnit.trim(), communityId: v.communityId, leaderId: v.leaderId ?? null, memberIds: v.memberIds ?? [], notes: v.notes?.trim() || null };
    if (editing) await update.run({ id: editing.id, version: editing.version, ...body });
    else await create.run(body);
  };
  const options = (cadres.data ?? []).map((c) => ({ value: c.id, label: `${c.name} · ${c.homeUnit}` }));
  const error = create.error ?? update.error;
  return (
    <Modal
      open={!!mode}
      title={editing ? t('office.groups.editTitle') : t('office.groups.createTitle')}
      onOk={submit}
      onCancel={onClose}
      confirmLoading={create.submitting || update.submitting}
      destroyOnHidden
      okButtonProps={{ ...({ 'data-testid': 'group-save' } as object) }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="group-error" />}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={editing ? { name: editing.name, homeUnit: editing.homeUnit, communityId: editing.communityId, leaderId: editing.leaderId, memberIds: editing.members.map((m) => m.id), notes: editing.notes ?? '' } : undefined}
      >
        <Form.Item name="name" label={t('office.groups.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={60} placeholder={t('office.groups.namePlaceholder')} data-testid="group-name" />
        </Form.Item>
        <Form.Item name="homeUnit" label={t('office.groups.homeUnit')} rules={[{ required: true, whitespace: true }]}>
          <AutoComplete options={HOME_UNIT_SUGGESTIONS.map((u) => ({ value: u }))} showSearch={{ filterOption: true }} data-testid="group-unit" />
        </Form.Item>
        <Form.Item name="communityId" label={t('office.groups.community')} rules={[{ required: true }]}>
          <Select options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))} data-testid="group-community" />
        </Form.Item>
        <Form.Item name="leaderId" label={t('office.groups.leader')} extra={communityId ? undefined : t('office.groups.pickCommunityFirst')}>
          <Select allowClear showSearch optionFilterProp="label" disabled={!communityId} options={options} data-testid="group-leader" />
        </Form.Item>
        <Form.Item name="memberIds" label={t('office.groups.members')}>
          <Select mode="multiple" optionFilterProp="label" disabled={!communityId} options={options} data-testid="group-members" />
        </Form.Item>
        <Form.Item name="notes" label={t('office.groups.notes')}>
          <Input maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function GroupsPane() {
  const { t } = useTranslation('fieldwork');
  const { can } = useSession();
  const [mode, setMode] = useState<{ group: Group | null } | null>(null);
  const q = useApiQuery('cadreGroups.list', {});
  const canWrite = can('cadres.write');
  return (
    <div data-testid="groups-pane">
      {canWrite && (
        <Space style={{ marginBottom: 12 }}>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setMode({ group: null })} data-testid="group-add">
            {t('office.groups.add')}
          </Button>
        </Space>
      )}
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      <Table<Group>
        size="small"
        rowKey="id"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('office.groups.none')} /> }}
        data-testid="groups-table"
        columns={[
          { key: 'name', title: t('office.groups.name'), dataIndex: 'name', width: 220 },
          { key: 'homeUnit', title: t('office.groups.homeUnit'), dataIndex: 'homeUnit', width: 120 },
          { key: 'community', title: t('office.groups.community'), dataIndex: 'community', width: 110 },
          { key: 'leader', title: t('office.groups.leader'), dataIndex: 'leader', width: 90 },
          { key: 'members', title: t('office.groups.members'), render: (_v, r) => r.members.map((m) => <Tag key={m.id}>{m.name}</Tag>) },
          { key: 'notes', title: t('office.groups.notes'), dataIndex: 'notes', ellipsis: true },
          ...(canWrite
            ? [
                {
                  key: 'op',
                  width: 80,
                  render: (_v: unknown, r: Group) => (
                    <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setMode({ group: r })} data-testid={`group-edit-${r.id}`}>
                      {t('office.groups.edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <GroupDialog mode={mode} onClose={() => setMode(null)} />
    </div>
  );
}

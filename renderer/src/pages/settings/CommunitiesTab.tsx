// 社区: the subdistrict's communities (residence committees) with their compounds; add one, rename one.
// Committee accounts and imported lists refer to these names.
import { useState } from 'react';
import { Alert, Button, Empty, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';

type Community = OutputOf<'places.communities'>[number] & { version?: number };

function RenameDialog({ community, onClose }: { community: Community | null; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<{ name: string }>();
  const rename = useApiWrite('places.rename', { form, fields: ['name'], success: t('communities.renamed'), onSuccess: onClose });
  const { submitting: busy, error, setError } = rename;
  const submit = async () => {
    if (!community) return;
    const v = await form.validateFields();
    // places.communities does not carry the version yet; a community never renamed is at version 1.
    await rename.run({ id: community.id, version: community.version ?? 1, name: v.name.trim() });
  };
  return (
    <Modal
      open={!!community}
      title={t('communities.renameTitle', { name: community?.name ?? '' })}
      okText={t('settings.save')}
      cancelText={t('common.cancel')}
      onOk={submit}
      confirmLoading={busy}
      onCancel={onClose}
      destroyOnHidden
      afterOpenChange={(open) => {
        if (open && community) form.setFieldsValue({ name: community.name });
        setError(null);
      }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" requiredMark={false} preserve={false}>
        <Form.Item label={t('communities.name')} name="name" extra={t('communities.renameHelp')} rules={[{ required: true, whitespace: true, message: t('settings.required') }, { max: 40, message: t('settings.max', { n: 40 }) }]}>
          <Input maxLength={40} autoFocus data-testid="community-rename-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function CommunitiesTab() {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const q = useApiQuery('places.communities');
  const [form] = Form.useForm<{ name: string }>();
  const create = useApiWrite('places.createCommunity', {
    form,
    fields: ['name'],
    success: (_r, input) => t('communities.added', { name: input.name }),
    onSuccess: () => form.resetFields(),
  });
  const { submitting: busy, error } = create;
  const [renaming, setRenaming] = useState<Community | null>(null);
  const mayWrite = can('places.write');

  const add = async ({ name }: { name: string }) => {
    const clean = name.trim();
    if ((q.data ?? []).some((c) => c.name === clean)) {
      form.setFields([{ name: 'name', errors: [t('communities.exists')] }]);
      return;
    }
    await create.run({ name: clean });
  };

  return (
    <div data-testid="settings-communities">
      <Typography.Paragraph type="secondary">{t('communities.intro')}</Typography.Paragraph>
      {mayWrite && (
        <Form form={form} layout="inline" onFinish={add} requiredMark={false} style={{ marginBottom: 16 }}>
          <Form.Item name="name" rules={[{ required: true, whitespace: true, message: t('communities.nameRequired') }, { max: 40, message: t('settings.max', { n: 40 }) }]}>
            <Input placeholder={t('communities.placeholder')} maxLength={40} style={{ width: 260 }} data-testid="community-name" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={busy} data-testid="community-add">
              {t('communities.add')}
            </Button>
          </Form.Item>
        </Form>
      )}
      {(error || q.error) && <Alert type="error" showIcon title={error ?? errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      <Table<Community>
        rowKey="id"
        size="middle"
        loading={q.isLoading}
        dataSource={q.data ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('communities.empty')} /> }}
        columns={[
          { title: t('communities.name'), dataIndex: 'name', width: 220, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
          {
            title: t('communities.compounds'),
            key: 'compounds',
            render: (_: unknown, c) =>
              c.compounds.length ? (
                <Space size={[4, 4]} wrap>
                  {c.compounds.slice(0, 12).map((p) => (
                    <Tag key={p.id}>{p.name}</Tag>
                  ))}
                  {c.compounds.length > 12 && <Typography.Text type="secondary">{t('communities.more', { n: c.compounds.length - 12 })}</Typography.Text>}
                </Space>
              ) : (
                <Typography.Text type="secondary">{t('communities.noCompounds')}</Typography.Text>
              ),
          },
          ...(mayWrite
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  width: 110,
                  render: (_: unknown, c: Community) => (
                    <Button size="small" icon={<EditOutlined />} onClick={() => setRenaming(c)} data-testid={`community-rename-${c.id}`}>
                      {t('communities.rename')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <RenameDialog community={renaming} onClose={() => setRenaming(null)} />
    </div>
  );
}

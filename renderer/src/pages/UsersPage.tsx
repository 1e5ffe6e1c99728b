// 用户 (admin): the accounts with role, community, state; 新建账号, 修改 (role / community / active) and 重置密码.
// A committee member sees only the community set here. Password rules are shown on every password field.
import { useMemo, useState } from 'react';
import { Alert, App, Button, Empty, Input, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, KeyOutlined, ReloadOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useMe } from '../session.tsx';
import { ResetPasswordDialog, ROLES, UserDialog, type UserView } from './users/UserDialog.tsx';

const ROLE_COLORS: Record<string, string> = { admin: 'red', clerk: 'blue', committee: 'green', official: 'gold', cadre: 'purple' };

export default function UsersPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const me = useMe();
  const qc = useQueryClient();
  const users = useApiQuery('users.list');
  const communities = useApiQuery('places.communities');
  const [editing, setEditing] = useState<UserView | null>(null);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [search, setSearch] = useState('');

  const rows = useMemo(() => {
    const s = search.trim().toLowerCase();
    const all = users.data ?? [];
    return s ? all.filter((u) => u.username.toLowerCase().includes(s) || u.displayName.toLowerCase().includes(s) || (u.communityName ?? '').includes(s)) : all;
  }, [users.data, search]);

  const refresh = () => void qc.invalidateQueries({ queryKey: ['users.list'] });
  const communityList = (communities.data ?? []).map((c) => ({ id: c.id, name: c.name }));

  return (
    <div className="page users-page">
      <div className="page-head">
        <Space align="baseline" size={16} wrap>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('users.title')}
          </Typography.Title>
          {users.data && <Typography.Text>{t('users.total', { n: users.data.length })}</Typography.Text>}
        </Space>
        <Space>
          <Input.Search allowClear placeholder={t('users.search')} value={search} onChange={(e) => setSearch(e.target.value)} style={{ width: 240 }} />
          <Button icon={<ReloadOutlined />} onClick={refresh} aria-label={t('common.refresh')} />
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setCreating(true)} data-testid="user-create">
            {t('users.create')}
          </Button>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('users.intro')}</Typography.Paragraph>
      {users.error && <Alert type="error" showIcon title={errorMessage(users.error)} style={{ marginBottom: 12 }} />}
      <Table<UserView>
        rowKey="id"
        size="middle"
        loading={users.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        data-testid="users-table"
        locale={{
          emptyText: (
            <Empty description={search ? t('users.emptySearch') : t('users.empty')}>
              {!search && (
                <Button type="primary" onClick={() => setCreating(true)}>
                  {t('users.create')}
                </Button>
              )}
            </Empty>
          ),
        }}
        onRow={(u) => ({ 'data-testid': `user-row-${u.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('users.username'), dataIndex: 'username', width: 160, sorter: (a, b) => a.username.localeCompare(b.username) },
          { title: t('users.displayName'), dataIndex: 'displayName', width: 160 },
          {
            title: t('users.role'),
            dataIndex: 'role',
            width: 140,
            filters: ROLES.map((r) => ({ text: t(`role.${r}`), value: r })),
            onFilter: (v, u) => u.role === v,
            render: (r: string) => <Tag color={ROLE_COLORS[r]}>{t(`role.${r}`)}</Tag>,
          },
          { title: t('users.community'), dataIndex: 'communityName', width: 160, render: (v: string | null, u) => v ?? (u.role === 'cadre' ? <span data-testid="user-cadre-name">{u.cadreName}</span> : u.role === 'committee' ? <Typography.Text type="danger">{t('users.noCommunity')}</Typography.Text> : <Typography.Text type="secondary">{t('users.wholeSubdistrict')}</Typography.Text>) },
          {
            title: t('users.state'),
            key: 'state',
            width: 200,
            render: (_: unknown, u) => (
              <Space size={4} wrap>
                {u.active ? <Tag color="green">{t('users.enabled')}</Tag> : <Tag>{t('users.disabled')}</Tag>}
                {u.lockedUntil && <Tag color="orange">{t('users.locked', { until: u.lockedUntil.slice(5, 16).replace('T', ' ') })}</Tag>}
                {u.id === me.actor.userId && <Tag color="blue">{t('users.me')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, u) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(u)} data-testid={`user-edit-${u.username}`}>
                  {t('users.edit')}
                </Button>
                <Button size="small" icon={<KeyOutlined />} onClick={() => setResetting(u)} data-testid={`user-reset-${u.username}`}>
                  {t('users.reset')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <UserDialog
        open={creating || !!editing}
        user={editing}
        communities={communityList}
        onClose={() => {
          setCreating(false);
          setEditing(null);
        }}
        onSaved={(u) => {
          void message.success(editing ? t('users.saved', { name: u.displayName }) : t('users.created', { name: u.username }));
          setCreating(false);
          setEditing(null);
          refresh();
        }}
      />
      <ResetPasswordDialog
        user={resetting}
        onClose={() => setResetting(null)}
        onDone={() => {
          void message.success(t('users.resetDone', { name: resetting?.displayName ?? '' }));
          setResetting(null);
          refresh();
        }}
      />
    </div>
  );
}

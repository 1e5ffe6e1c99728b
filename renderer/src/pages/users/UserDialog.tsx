// 新建账号 / 修改账号: username, name, role, community (required for committee members), active, and the first password
// (8+ characters with letters and digits) when creating. Field errors from the server show next to their fields.
import { useEffect } from 'react';
import { Alert, Form, Input, Modal, Select, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { type OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { sameAs } from '../../lib/formRules.ts';
import { ROLES } from '../../../../electron/shared/enums.ts';
import { useApiQuery } from '../../query.ts';

export type UserView = OutputOf<'users.list'>[number];
export type Role = UserView['role'];
export { ROLES };

interface Values {
  username: string;
  displayName: string;
  role: Role;
  communityId?: number | null;
  cadreId?: number | null;
  active: boolean;
  password?: string;
  confirm?: string;
}

/** Mirrors the server's rule so the clerk learns it before submitting (the server checks again). */
export function passwordRule(t: (k: string) => string) {
  return {
    validator: (_: unknown, v: string | undefined) => {
      if (!v) return Promise.reject(new Error(t('users.passwordRequired')));
      if (v.length < 8 || !/[A-Za-z]/.test(v) || !/\d/.test(v)) return Promise.reject(new Error(t('users.passwordHint')));
      return Promise.resolve();
    },
  };
}

export function UserDialog(props: { open: boolean; user: UserView | null; communities: { id: number; name: string }[]; onClose: () => void; onSaved: (u: UserView) => void }) {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<Values>();
  const fields = ['username', 'displayName', 'role', 'communityId', 'cadreId', 'password', 'active'];
  const create = useApiWrite('users.create', { form, fields, onSuccess: props.onSaved });
  const update = useApiWrite('users.update', { form, fields, onSuccess: props.onSaved });
  const busy = create.submitting || update.submitting;
  const error = create.error ?? update.error;
  const { setError: clearCreate } = create;
  const { setError: clearUpdate } = update;
  const role = Form.useWatch('role', form);
  const editing = !!props.user;
  // A cadre account acts for one cadre of the roster (下沉干部 → 我的任务).
  const cadres = useApiQuery('cadres.list', {}, { enabled: props.open && role === 'cadre', staleTime: 60_000 });

  useEffect(() => {
    if (!props.open) return;
    clearCreate(null);
    clearUpdate(null);
    form.resetFields();
    if (props.user) form.setFieldsValue({ username: props.user.username, displayName: props.user.displayName, role: props.user.role, communityId: props.user.communityId, cadreId: props.user.cadreId, active: props.user.active });
    else form.setFieldsValue({ role: 'committee', active: true });
  }, [props.open, props.user, form, clearCreate, clearUpdate]);

  const submit = async () => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const communityId = v.role === 'committee' ? (v.communityId ?? null) : null;
    const cadreId = v.role === 'cadre' ? (v.cadreId ?? null) : null;
    if (props.user) {
      await update.run({ id: props.user.id, version: props.user.version, displayName: v.displayName.trim(), role: v.role, communityId, cadreId, active: v.active });
    } else {
      await create.run({ username: v.username.trim(), displayName: v.displayName.trim(), role: v.role, communityId, cadreId, password: v.password ?? '' });
    }
  };

  return (
    <Modal
      open={props.open}
      title={editing ? t('users.editTitle', { name: props.user?.username }) : t('users.createTitle')}
      okText={t('settings.save')}
      cancelText={t('common.cancel')}
      onOk={submit}
      confirmLoading={busy}
      onCancel={props.onClose}
      okButtonProps={{ ...({ 'data-testid': 'user-save' } as object) }}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="user-error" />}
      <Form form={form} layout="vertical" requiredMark={false} autoComplete="off">
        <Form.Item
          label={t('users.username')}
          name="username"
          extra={editing ? undefined : t('users.usernameHelp')}
          rules={[{ required: true, whitespace: true, message: t('settings.required') }, { min: 2, max: 30, message: t('users.usernameLength') }]}
        >
          <Input disabled={editing} maxLength={30} autoComplete="off" data-testid="user-username" />
        </Form.Item>
        <Form.Item label={t('users.displayName')} name="displayName" rules={[{ required: true, whitespace: true, message: t('settings.required') }, { max: 30, message: t('settings.max', { n: 30 }) }]}>
          <Input maxLength={30} data-testid="user-displayname" />
        </Form.Item>
        <Form.Item label={t('users.role')} name="role" extra={role ? t(`users.roleHelp.${role}`) : undefined} rules={[{ required: true, message: t('settings.required') }]}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} data-testid="user-role" />
        </Form.Item>
        {role === 'committee' && (
          <Form.Item label={t('users.community')} name="communityId" rules={[{ required: true, message: t('users.communityRequired') }]}>
            <Select
              placeholder={t('users.communityPlaceholder')}
              options={props.communities.map((c) => ({ value: c.id, label: c.name }))}
              notFoundContent={<Typography.Text type="secondary">{t('users.noCommunities')}</Typography.Text>}
              data-testid="user-community"
            />
          </Form.Item>
        )}
        {role === 'cadre' && (
          <Form.Item label={t('users.cadre')} name="cadreId" extra={t('users.cadreHelp')} rules={[{ required: true, message: t('users.cadreRequired') }]}>
            <Select
              showSearch
              optionFilterProp="label"
              placeholder={t('users.cadrePlaceholder')}
              loading={cadres.isLoading}
              options={(cadres.data ?? []).map((c) => ({ value: c.id, label: `${c.name} · ${c.homeUnit}${c.community ? ` · ${c.community}` : ''}` }))}
              data-testid="user-cadre"
            />
          </Form.Item>
        )}
        {editing ? (
          <Form.Item label={t('users.active')} name="active" valuePropName="checked" extra={t('users.activeHelp')}>
            <Switch checkedChildren={t('users.enabled')} unCheckedChildren={t('users.disabled')} data-testid="user-active" />
          </Form.Item>
        ) : (
          <>
            <Form.Item label={t('users.password')} name="password" extra={t('users.passwordHint')} rules={[passwordRule(t)]}>
              <Input.Password autoComplete="new-password" data-testid="user-password" />
            </Form.Item>
            <Form.Item
              label={t('users.confirm')}
              name="confirm"
              dependencies={['password']}
              rules={[
                { required: true, message: t('settings.required') },
                sameAs('password', t('users.mismatch')),
              ]}
            >
              <Input.Password autoComplete="new-password" data-testid="user-confirm" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

export function ResetPasswordDialog({ user, onClose, onDone }: { user: UserView | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<{ newPassword: string; confirm: string }>();
  const reset = useApiWrite('users.resetPassword', { form, fields: ['newPassword'], onSuccess: onDone });
  const { submitting: busy, error, setError } = reset;
  useEffect(() => {
    if (user) {
      form.resetFields();
      setError(null);
    }
  }, [user, form, setError]);
  const submit = async () => {
    if (!user) return;
    let v: { newPassword: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await reset.run({ id: user.id, newPassword: v.newPassword });
  };
  return (
    <Modal open={!!user} title={t('users.resetTitle', { name: user?.displayName ?? '' })} okText={t('users.reset')} cancelText={t('common.cancel')} onOk={submit} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary">{t('users.resetHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} autoComplete="off">
        <Form.Item label={t('users.newPassword')} name="newPassword" extra={t('users.passwordHint')} rules={[passwordRule(t)]}>
          <Input.Password autoComplete="new-password" data-testid="reset-password" />
        </Form.Item>
        <Form.Item
          label={t('users.confirm')}
          name="confirm"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('settings.required') },
            sameAs('newPassword', t('users.mismatch')),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="reset-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// 修改密码 dialog from the header: old password, new password twice; the server checks the rules, and its problems
// (wrong old password, too short) show under their fields in the interface language.
import { Alert, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiWrite } from '../write.ts';
import { sameAs } from '../lib/formRules.ts';

interface Values {
  oldPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const change = useApiWrite('auth.changePassword', { form, success: t('password.done'), onSuccess: () => (form.resetFields(), onClose()) });
  const { submitting: busy, error, setError } = change;

  const submit = async () => {
    const v = await form.validateFields();
    await change.run({ oldPassword: v.oldPassword, newPassword: v.newPassword });
  };

  return (
    <Modal
      open={open}
      title={t('password.title')}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={submit}
      onCancel={() => {
        setError(null);
        form.resetFields();
        onClose();
      }}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="password-error" />}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item label={t('password.old')} name="oldPassword" rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="current-password" autoFocus />
        </Form.Item>
        <Form.Item label={t('password.new')} name="newPassword" extra={t('setup.passwordHint')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label={t('password.confirm')}
          name="confirm"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('common.required') },
            sameAs('newPassword', t('password.mismatch')),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

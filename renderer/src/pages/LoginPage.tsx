// 登录: username and password; the server's message (wrong password, locked account) is shown in the interface
// language, and a problem with one field (a password over 200 characters) also under that field.
import { useState } from 'react';
import { Alert, Button, Form, Input } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, fieldMessage } from '../api.ts';
import { useSession } from '../session.tsx';
import { AuthFrame } from '../components/AuthFrame.tsx';

export function LoginPage() {
  const { t } = useTranslation();
  const { signedIn, notice } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ username: string; password: string }>();

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      signedIn(await api('auth.login', { username: v.username.trim(), password: v.password }));
    } catch (e) {
      setError(errorMessage(e));
      if (e instanceof ApiError) {
        const mine = e.fields.filter((f) => f.field === 'username' || f.field === 'password');
        form.setFields(mine.map((f) => ({ name: f.field as 'username' | 'password', errors: [fieldMessage(f)] })));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('login.title')}>
      {notice && !error && <Alert type="warning" showIcon title={notice} style={{ marginBottom: 16 }} data-testid="login-notice" />}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} autoComplete="off">
        <Form.Item label={t('login.username')} name="username" rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
          <Input prefix={<UserOutlined />} autoFocus autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="login-submit">
          {t('login.submit')}
        </Button>
      </Form>
    </AuthFrame>
  );
}

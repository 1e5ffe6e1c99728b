// First run (创建管理员账号): shown while the database has no account; creates the admin and logs in.
import { useState } from 'react';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, fieldMessage } from '../api.ts';
import { sameAs } from '../lib/formRules.ts';
import { useSession } from '../session.tsx';
import { AuthFrame } from '../components/AuthFrame.tsx';

interface Values {
  username: string;
  displayName: string;
  password: string;
  confirm: string;
  district?: string;
  subdistrict?: string;
}

export function SetupPage() {
  const { t } = useTranslation();
  const { signedIn, org } = useSession();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const names = org ? {} : { district: v.district?.trim() || undefined, subdistrict: v.subdistrict?.trim() || undefined };
      signedIn(await api('auth.setupAdmin', { username: v.username.trim(), displayName: v.displayName.trim(), password: v.password, ...names }));
    } catch (e) {
      setError(errorMessage(e));
      // Put field messages (密码至少 8 位…) next to their fields.
      if (e instanceof ApiError && e.fields.length) {
        form.setFields(e.fields.filter((f) => ['username', 'displayName', 'password', 'district', 'subdistrict'].includes(f.field)).map((f) => ({ name: f.field as keyof Values, errors: [fieldMessage(f)] })));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('setup.title')}>
      <Typography.Paragraph type="secondary">{t('setup.intro')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="setup-error" />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} autoComplete="off">
        {!org && (
          // A new database without the office's names (the desktop app's first start): ask for them here.
          <div style={{ display: 'flex', gap: 12 }}>
            <Form.Item style={{ flex: 1 }} label={t('setup.district')} name="district" extra={t('setup.orgHint')}>
              <Input maxLength={40} placeholder={t('setup.districtExample')} data-testid="setup-district" />
            </Form.Item>
            <Form.Item style={{ flex: 1 }} label={t('setup.subdistrict')} name="subdistrict">
              <Input maxLength={40} placeholder={t('setup.subdistrictExample')} data-testid="setup-subdistrict" />
            </Form.Item>
          </div>
        )}
        <Form.Item label={t('setup.username')} name="username" rules={[{ required: true, whitespace: true, min: 2, message: t('common.required') }]}>
          <Input autoFocus autoComplete="username" maxLength={30} />
        </Form.Item>
        <Form.Item label={t('setup.displayName')} name="displayName" rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={30} />
        </Form.Item>
        <Form.Item label={t('setup.password')} name="password" extra={t('setup.passwordHint')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label={t('setup.confirm')}
          name="confirm"
          dependencies={['password']}
          rules={[
            { required: true, message: t('common.required') },
            sameAs('password', t('setup.mismatch')),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block size="large" loading={busy}>
          {t('setup.submit')}
        </Button>
      </Form>
    </AuthFrame>
  );
}

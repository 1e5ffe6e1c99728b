// The centred frame of 登录 and 创建管理员账号: product name, the subdistrict, language switch.
import type { ReactNode } from 'react';
import { Card, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { org } = useSession();
  return (
    <div className="auth-screen">
      <div className="auth-lang">
        <LanguageSwitch />
      </div>
      <div className="auth-brand">
        <SafetyCertificateOutlined className="auth-logo" />
        <div>
          <Typography.Title level={2} style={{ margin: 0 }}>
            {t('app.title')}
          </Typography.Title>
          {org && (
            <Typography.Text type="secondary" data-testid="auth-org">
              {org.district} {org.subdistrict}
            </Typography.Text>
          )}
        </div>
      </div>
      <Card className="auth-card" title={title}>
        {children}
      </Card>
    </div>
  );
}

// The shell of a cadre's session (the `cadre` role, often a phone browser): a slim header with who is signed in,
// language and 退出, and 我的任务 — no side navigation, no wide grids (the office's pages are not theirs).
import { Button, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, useSession } from '../session.tsx';
import { useLiveUpdates } from '../live.ts';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import MyTasksPage from '../pages/MyTasksPage.tsx';
import '../pages/mytasks/mytasks.css';

export function FieldShell() {
  const { t } = useTranslation('fieldwork');
  const me = useMe();
  const { logout } = useSession();
  useLiveUpdates();
  useEffect(() => {
    document.title = `${t('mine.title')} - ${me.org.subdistrict}`;
  }, [t, me.org.subdistrict]);
  return (
    <div className="field-shell">
      <header className="field-header">
        <Typography.Text className="field-brand" data-testid="header-user">
          {me.actor.displayName}
        </Typography.Text>
        <span style={{ display: 'flex', gap: 8 }}>
          <LanguageSwitch />
          <Button size="large" icon={<LogoutOutlined />} onClick={() => void logout()} data-testid="logout">
            {t('mine.logout')}
          </Button>
        </span>
      </header>
      <ErrorBoundary>
        <MyTasksPage />
      </ErrorBoundary>
    </div>
  );
}

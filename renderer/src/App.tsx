// Root component: antd locale/theme/CSP nonce, then 配对 (office server), first run, 登录, or the app shell depending on
// the session.
import { App as AntApp, Button, ConfigProvider, Result, Spin, theme } from 'antd';
import { antdEnUS, antdZhCN } from './antdLocale.ts';
import { useTranslation } from 'react-i18next';
import { cspNonce } from './csp.ts';
import { SessionProvider, useSession } from './session.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { SetupPage } from './pages/SetupPage.tsx';
import { PairingPage } from './pages/PairingPage.tsx';
import { AppLayout } from './components/AppLayout.tsx';
import { FieldShell } from './components/FieldShell.tsx';
import { ConnectPage, isConnectChoice } from './pages/ConnectPage.tsx';
import { ConflictProvider } from './components/ConflictDialog.tsx';

function Gate() {
  const { status, startError, retry, me } = useSession();
  const { t } = useTranslation();
  if (status === 'loading') {
    return (
      <div className="center-screen">
        <Spin size="large" description={t('common.loading')} />
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className="center-screen">
        <Result status="error" title={t('app.title')} subTitle={startError} extra={<Button onClick={retry}>{t('common.retry')}</Button>} />
      </div>
    );
  }
  if (status === 'unpaired') return <PairingPage />;
  if (status === 'setup') return <SetupPage />;
  if (status === 'login') return <LoginPage />;
  // A cadre in the field gets their own tasks at phone width, not the office's shell.
  if (me?.actor.role === 'cadre') return <FieldShell />;
  return <AppLayout />;
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? antdEnUS : antdZhCN}
      csp={cspNonce ? { nonce: cspNonce } : undefined}
      // '登录' not '登 录': exact labels for people and for tests.
      button={{ autoInsertSpace: false }}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1f5fbf',
          borderRadius: 4,
          // Chinese UI fonts first: Windows offices have Microsoft YaHei, Linux has Noto Sans CJK.
          fontFamily:
            "-apple-system, 'Segoe UI', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', sans-serif",
        },
      }}
    >
      <AntApp>
        {isConnectChoice() ? (
          <ConnectPage />
        ) : (
          <ConflictProvider>
            <SessionProvider>
              <Gate />
            </SessionProvider>
          </ConflictProvider>
        )}
      </AntApp>
    </ConfigProvider>
  );
}

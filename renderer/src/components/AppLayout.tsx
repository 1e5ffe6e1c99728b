// The app shell: left navigation (only the pages the role may use, Alt+1…9 / Alt+0 to switch), header with the
// subdistrict, the user and role, language, 修改密码 and 退出, and the current page. Over the network (browser, office
// server) it also keeps the live feed open (live.ts) and shows a banner while the server cannot be reached.
import { Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Alert, Button, Layout, Menu, Result, Space, Spin, Tag, Tooltip, Typography } from 'antd';
import { KeyOutlined, LogoutOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ROUTES, findRoute } from '../routes.tsx';
import { navigate, useLocation } from '../router.tsx';
import { useSession, useMe } from '../session.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { ChangePasswordDialog } from './ChangePasswordDialog.tsx';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { useApiQuery } from '../query.ts';
import { useLiveUpdates } from '../live.ts';
import { useOffline } from '../connection.ts';

const { Sider, Header, Content } = Layout;

/** Alt+1 … Alt+9, then Alt+0 for the tenth item. */
function shortcutOf(i: number): string | null {
  if (i < 9) return `Alt+${i + 1}`;
  if (i === 9) return 'Alt+0';
  return null;
}

export function AppLayout() {
  const { t } = useTranslation();
  const me = useMe();
  const { can, logout } = useSession();
  const loc = useLocation();
  const [pwOpen, setPwOpen] = useState(false);
  const offline = useOffline();
  useLiveUpdates();
  // A committee member works for one community: name it in the header.
  const communities = useApiQuery('places.communities', {}, { enabled: me.actor.role === 'committee' && can('residents.read'), staleTime: 600_000 });
  const myCommunity = me.actor.communityId ? communities.data?.find((c) => c.id === me.actor.communityId)?.name : undefined;

  const visible = useMemo(() => ROUTES.filter((r) => r.nav && can(r.permission)), [can]);
  const route = findRoute(loc.path);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const m = /^Digit(\d)$/.exec(e.code) ?? /^Numpad(\d)$/.exec(e.code);
      if (!m) return;
      const n = Number(m[1]);
      const target = visible[n === 0 ? 9 : n - 1];
      if (target) {
        e.preventDefault();
        navigate(target.path);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible]);

  useEffect(() => {
    document.title = `${route ? t(route.label) : t('notFound.title')} - ${t('app.title')}`;
  }, [route, t]);

  let page: ReactNode;
  if (!route) {
    page = <Result status="404" title={t('notFound.title')} extra={<Button onClick={() => navigate('/')}>{t('notFound.back')}</Button>} />;
  } else if (!can(route.permission)) {
    page = <Result status="403" title={t('forbidden.title')} subTitle={t('forbidden.text')} />;
  } else {
    const Page = route.element;
    page = (
      <ErrorBoundary key={route.key}>
        <Suspense fallback={<Spin className="page-spin" />}>
          <Page />
        </Suspense>
      </ErrorBoundary>
    );
  }

  return (
    <Layout className={offline ? 'app-layout app-layout-offline' : 'app-layout'}>
      <Sider width={184} theme="light" className="app-sider">
        <div className="app-brand" title={t('header.shortcuts')}>
          <SafetyCertificateOutlined className="app-brand-logo" />
          <span>{t('app.short')}</span>
        </div>
        <Menu
          mode="inline"
          selectedKeys={route ? [route.nav ? route.key : ''] : []}
          onClick={(e) => navigate(ROUTES.find((r) => r.key === e.key)!.path)}
          items={visible.map((r, i) => ({
            key: r.key,
            icon: r.icon,
            label: (
              <span className="nav-label" data-testid={`nav-${r.key}`}>
                <span>{t(r.label)}</span>
                {shortcutOf(i) && <span className="nav-kbd">{shortcutOf(i)}</span>}
              </span>
            ),
          }))}
        />
      </Sider>
      <Layout>
        {offline && <Alert type="error" showIcon banner title={t('sync:offline.banner')} className="app-offline" data-testid="offline-banner" role="alert" />}
        {me.readOnly && <Alert type="warning" showIcon banner title={t('header.readOnlyBanner')} className="app-read-only" data-testid="read-only-banner" />}
        <Header className="app-header">
          <Typography.Text strong className="app-org" data-testid="header-org">
            {me.org.level === 'district' ? `${me.org.district} · ${t('header.districtAll')}` : `${me.org.district} · ${me.org.subdistrict}`}
            {myCommunity && ` · ${myCommunity}`}
          </Typography.Text>
          {me.readOnly && (
            <Tag color="orange" data-testid="read-only-tag">
              {t('header.readOnly')}
            </Tag>
          )}
          <Space size={12} className="app-header-right">
            <span data-testid="header-user">
              <Typography.Text>{me.actor.displayName}</Typography.Text>
              <Tag color="blue" style={{ marginInlineStart: 8 }} data-testid="header-role">
                {t(`role.${me.actor.role}`)}
              </Tag>
            </span>
            <LanguageSwitch />
            {!me.readOnly && (
              <Tooltip title={t('header.changePassword')}>
                <Button icon={<KeyOutlined />} onClick={() => setPwOpen(true)} data-testid="change-password">
                  {t('header.changePassword')}
                </Button>
              </Tooltip>
            )}
            <Button icon={<LogoutOutlined />} onClick={() => void logout()} data-testid="logout">
              {t('header.logout')}
            </Button>
          </Space>
        </Header>
        <Content className="app-content">{page}</Content>
      </Layout>
      <ChangePasswordDialog open={pwOpen} onClose={() => setPwOpen(false)} />
    </Layout>
  );
}

// 设置: tabs for the office and its isolation policy, per-category policies, running parameters, communities, and for
// the admin 备份, 数据清理, and the office server's 设备 and 共享. The open tab is kept in the URL (#/settings?tab=backups).
import { Alert, Spin, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api.ts';
import { useApiQuery } from '../query.ts';
import { useQueryParams } from '../router.tsx';
import { useSession } from '../session.tsx';
import { PolicyTab } from './settings/PolicyTab.tsx';
import { CategoryTab } from './settings/CategoryTab.tsx';
import { OperationsTab } from './settings/OperationsTab.tsx';
import { CommunitiesTab } from './settings/CommunitiesTab.tsx';
import { BackupsTab } from './settings/BackupsTab.tsx';
import { PurgeTab } from './settings/PurgeTab.tsx';
import { DevicesTab } from './settings/DevicesTab.tsx';
import { SharingTab } from './settings/SharingTab.tsx';
import { TemplatesTab } from './notices/TemplatesTab.tsx';
import './settings/settings.css';

export default function SettingsPage() {
  const { t } = useTranslation('admin');
  const { t: to } = useTranslation('office');
  const { t: tn } = useTranslation('notices');
  const { can } = useSession();
  const [params, setParams] = useQueryParams();
  const q = useApiQuery('settings.get', {}, { enabled: can('settings.read') });
  const s = q.data;

  const tabs = [
    s && { key: 'policy', label: t('settings.tab.policy'), children: <PolicyTab settings={s} /> },
    s && { key: 'categories', label: t('settings.tab.categories'), children: <CategoryTab settings={s} /> },
    s && { key: 'ops', label: t('settings.tab.ops'), children: <OperationsTab settings={s} /> },
    can('places.write') && { key: 'communities', label: t('settings.tab.communities'), children: <CommunitiesTab /> },
    can('backup.run') && { key: 'backups', label: t('settings.tab.backups'), children: <BackupsTab /> },
    can('purge.run') && { key: 'purge', label: t('settings.tab.purge'), children: <PurgeTab /> },
    can('devices.manage') && { key: 'devices', label: to('tab.devices'), children: <DevicesTab /> },
    s && can('devices.manage') && { key: 'sharing', label: to('tab.sharing'), children: <SharingTab settings={s} /> },
    s && can('settings.write') && { key: 'templates', label: tn('templates.title'), children: <TemplatesTab settings={s} /> },
  ].filter((x): x is { key: string; label: string; children: React.JSX.Element } => !!x);
  const active = tabs.some((x) => x.key === params.tab) ? params.tab : tabs[0]?.key;

  return (
    <div className="page settings-page">
      <div className="page-head">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('settings.title')}
        </Typography.Title>
        {!can('settings.write') && <Typography.Text type="secondary">{t('settings.readOnly')}</Typography.Text>}
      </div>
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      {q.isLoading ? (
        <Spin className="page-spin" />
      ) : (
        <Tabs activeKey={active} onChange={(k) => setParams({ tab: k })} items={tabs} destroyOnHidden={false} />
      )}
    </div>
  );
}

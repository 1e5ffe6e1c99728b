// The one table of pages: path, nav label, icon, who may open it, and the component.
// A page is one `element:` line: page(() => import('./pages/XPage.tsx')) (the module's default export).
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  AlertOutlined,
  AuditOutlined,
  CarOutlined,
  DashboardOutlined,
  ExperimentOutlined,
  FileExcelOutlined,
  HeartOutlined,
  ImportOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
  UsergroupAddOutlined,
} from '@ant-design/icons';
import type { Permission } from '../../electron/domain/actor.ts';

export interface RouteDef {
  key: string;
  /** Hash path, e.g. '/residents' (filters go in the query string: '/residents?status=due'). */
  path: string;
  /** i18n key of the label (nav and page title). */
  label: string;
  icon: ReactNode;
  /** The page is shown when the user holds ANY of these permissions. */
  permission: Permission | Permission[];
  /** false = reachable by link (dashboard cards) but not listed in the left navigation. */
  nav: boolean;
  element: ComponentType | LazyExoticComponent<ComponentType>;
}

/** A page loaded on first visit (keeps the login screen fast). The module must `export default` the page. */
function page(load: () => Promise<{ default: ComponentType }>): LazyExoticComponent<ComponentType> {
  return lazy(load);
}

export const ROUTES: RouteDef[] = [
  { key: 'dashboard', path: '/', label: 'nav.dashboard', icon: <DashboardOutlined />, permission: 'dashboard.read', nav: true, element: page(() => import('./pages/DashboardPage.tsx')) },
  { key: 'residents', path: '/residents', label: 'nav.residents', icon: <TeamOutlined />, permission: 'residents.read', nav: true, element: page(() => import('./pages/ResidentsPage.tsx')) },
  { key: 'checkins', path: '/checkins', label: 'nav.checkins', icon: <HeartOutlined />, permission: 'residents.read', nav: true, element: page(() => import('./pages/CheckinsPage.tsx')) },
  { key: 'alerts', path: '/alerts', label: 'nav.alerts', icon: <AlertOutlined />, permission: 'residents.read', nav: false, element: page(() => import('./pages/AlertsPage.tsx')) },
  { key: 'supplies', path: '/supplies', label: 'nav.supplies', icon: <CarOutlined />, permission: 'supplies.read', nav: true, element: page(() => import('./pages/SuppliesPage.tsx')) },
  { key: 'cadres', path: '/cadres', label: 'nav.cadres', icon: <UsergroupAddOutlined />, permission: 'cadres.read', nav: true, element: page(() => import('./pages/CadresPage.tsx')) },
  { key: 'rounds', path: '/rounds', label: 'nav.rounds', icon: <ExperimentOutlined />, permission: 'residents.read', nav: true, element: page(() => import('./pages/RoundsPage.tsx')) },
  { key: 'import', path: '/import', label: 'nav.import', icon: <ImportOutlined />, permission: 'import.run', nav: true, element: page(() => import('./pages/ImportPage.tsx')) },
  { key: 'reports', path: '/reports', label: 'nav.reports', icon: <FileExcelOutlined />, permission: 'reports.export', nav: true, element: page(() => import('./pages/ReportsPage.tsx')) },
  // Settings hold the policy and the community list: for those who may change them (admin; clerk edits places).
  { key: 'settings', path: '/settings', label: 'nav.settings', icon: <SettingOutlined />, permission: ['settings.write', 'places.write'], nav: true, element: page(() => import('./pages/SettingsPage.tsx')) },
  { key: 'users', path: '/users', label: 'nav.users', icon: <UserOutlined />, permission: 'users.manage', nav: true, element: page(() => import('./pages/UsersPage.tsx')) },
  { key: 'audit', path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, permission: 'audit.read', nav: true, element: page(() => import('./pages/AuditPage.tsx')) },
];

export function findRoute(path: string): RouteDef | undefined {
  return ROUTES.find((r) => r.path === path);
}

// The person drawer: everything about one resident (details, household, episode timeline, check-ins, tests, supply
// requests, record history) and the actions the user may take on them. Opening it is audited by the server, so
// the detail is fetched once per opening and after each action, not on every window focus.
import { useState } from 'react';
import { useFocusReturn } from '../../components/focusReturn.ts';
import { Alert, Button, Drawer, Skeleton, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { AlertsSection, CheckinsSection, EpisodesSection, HouseholdSection, PersonSection, SuppliesSection, TestsSection } from './DrawerSections.tsx';
import { HistorySection } from './HistorySection.tsx';
import { NeedsSection } from './NeedsSection.tsx';
import { NeedSchedules } from './NeedSchedules.tsx';
import { EndDialog, ExtendDialog, StartEpisodeDialog } from './EpisodeDialogs.tsx';
import { ReleaseDialog } from './ReleaseDialog.tsx';
import type { Detail } from './model.ts';
import { PrintNoticeButton, PrintNoticeError, usePrintNotice } from '../notices/PrintNoticeButton.tsx';

type Action = 'start' | 'extend' | 'release' | 'end';

interface Props {
  id: number | null;
  threshold: number;
  onClose: () => void;
  onOpenOther: (id: number) => void;
  onEdit: (d: Detail) => void;
  /** Something changed (episode action): refresh the list too. */
  onChanged: () => void;
}

export function ResidentDrawer({ id, threshold, onClose, onOpenOther, onEdit, onChanged }: Props) {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const [action, setAction] = useState<Action | null>(null);
  const focusReturn = useFocusReturn(id !== null);
  const q = useApiQuery('residents.get', { id: id ?? 0 }, { enabled: id !== null, staleTime: Infinity, refetchOnWindowFocus: false, gcTime: 0 });
  const d = q.data && q.data.resident.id === id ? q.data : undefined;
  const running = d?.episodes.find((e) => e.status === 'active');
  const mayEpisodes = can('episodes.write');
  const notice = usePrintNotice();

  const done = () => {
    setAction(null);
    void q.refetch();
    onChanged();
  };

  const extra = d && (
    <Space size={6} wrap data-testid="drawer-actions">
      {can('residents.write') && <Button onClick={() => onEdit(d)}>{t('actions.edit')}</Button>}
      {mayEpisodes && !running && (
        <Button type="primary" onClick={() => setAction('start')}>
          {t('actions.start')}
        </Button>
      )}
      {mayEpisodes && running && <Button onClick={() => setAction('extend')}>{t('actions.extend')}</Button>}
      {mayEpisodes && running && (
        <Button type={d.resident.due ? 'primary' : 'default'} onClick={() => setAction('release')} data-testid="action-release">
          {t('actions.release')}
        </Button>
      )}
      {mayEpisodes && running && (
        <Button danger onClick={() => setAction('end')}>
          {t('actions.end')}
        </Button>
      )}
      {notice.allowed && d.episodes.length > 0 && <PrintNoticeButton residentId={d.resident.id} job={notice.job} />}
    </Space>
  );

  return (
    <Drawer
      open={id !== null}
      {...focusReturn}
      onClose={onClose}
      size={780}
      title={
        d ? (
          <span data-testid="drawer-title">
            {d.resident.name}
            <Typography.Text type="secondary" style={{ fontWeight: 400, marginInlineStart: 8, fontSize: 13 }}>
              {d.resident.community} {d.resident.address}
            </Typography.Text>
          </span>
        ) : (
          t('drawer.title')
        )
      }
      extra={extra}
      destroyOnHidden
      data-testid="resident-drawer"
    >
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} data-testid="drawer-error" />}
      <PrintNoticeError job={notice.job} />
      {!d && !q.error && <Skeleton active />}
      {d && (
        <Tabs
          size="small"
          items={[
            {
              key: 'overview',
              label: t('drawer.person'),
              children: (
                <div className="res-drawer-overview">
                  <PersonSection d={d} threshold={threshold} />
                  <NeedsSection d={d} />
                  <AlertsSection d={d} />
                  <h4 className="res-section">{t('drawer.episodes')}</h4>
                  <EpisodesSection d={d} />
                  <h4 className="res-section">{t('drawer.household')}</h4>
                  <HouseholdSection rows={d.household} onOpen={onOpenOther} />
                </div>
              ),
            },
            { key: 'checkins', label: `${t('drawer.checkins')} (${d.checkins.length})`, children: <CheckinsSection d={d} threshold={threshold} /> },
            { key: 'tests', label: `${t('drawer.tests')} (${d.tests.length})`, children: <TestsSection d={d} /> },
            { key: 'supplies', label: `${t('drawer.supplies')} (${d.supplies.length})`, children: <SuppliesSection d={d} /> },
            { key: 'needs', label: t('needs:schedules'), children: <NeedSchedules d={d} /> },
            { key: 'history', label: t('drawer.history'), children: <HistorySection d={d} /> },
          ]}
        />
      )}
      {d && action === 'start' && <StartEpisodeDialog resident={d.resident} onClose={() => setAction(null)} onDone={done} />}
      {d && running && action === 'extend' && <ExtendDialog resident={d.resident} episode={running} onClose={() => setAction(null)} onDone={done} />}
      {d && running && action === 'release' && <ReleaseDialog resident={d.resident} episode={running} onClose={() => setAction(null)} onDone={done} />}
      {d && running && action === 'end' && <EndDialog resident={d.resident} episode={running} onClose={() => setAction(null)} onDone={done} />}
    </Drawer>
  );
}

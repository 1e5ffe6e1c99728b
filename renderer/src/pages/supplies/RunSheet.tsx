// 按小区清单: requests grouped by compound (urgent first, then by address) for a runner to take along — on screen and
// as a clean printed page (window.print with print CSS: no navigation, one table per compound, a signature column).
import { Alert, Button, Empty, Skeleton, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useMe } from '../../session.tsx';
import type { Filters } from './model.ts';
import { codeLabel } from '../../i18n/codes.ts';

export function RunSheet({ filters }: { filters: Filters }) {
  const { t } = useTranslation('supplies');
  const me = useMe();
  const dash = useApiQuery('dashboard.get', {}, { staleTime: 60_000 });
  // Without a date the sheet lists what still waits for delivery; with one, what was logged that day.
  const status = filters.date ? (filters.status === 'open' ? 'all' : filters.status) : filters.status;
  const q = useApiQuery('supplies.runSheet', { communityId: filters.communityId, compoundId: filters.compoundId, buildingId: filters.buildingId, date: filters.date, status });
  const s = q.data;
  const scope = filters.date ? t('sheet.dateScope', { date: filters.date }) : status === 'open' ? t('sheet.openScope') : t(`status.${status}`);

  return (
    <div className="su-sheet" data-testid="run-sheet">
      <div className="su-sheet-tools su-noprint">
        <Typography.Text type="secondary">{s ? t('sheet.total', { n: s.total }) : ''}</Typography.Text>
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} disabled={!s || s.total === 0} data-testid="run-sheet-print">
          {t('actions.print')}
        </Button>
      </div>
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} />}
      {!s && !q.error && <Skeleton active />}
      {s && (
        <div className="su-sheet-page">
          <h2 className="su-sheet-title">{t('sheet.title')}</h2>
          <div className="su-sheet-sub">
            {t('sheet.subtitle', { org: `${me.org.district}${me.org.subdistrict}`, scope, when: dash.data?.date ?? '' })}
          </div>
          {s.truncated && <Alert type="warning" showIcon title={t('sheet.truncated', { n: s.total })} className="su-noprint" />}
          {s.total === 0 && <Empty description={t('empty.sheet')} />}
          {s.groups.map((g) => (
            <section key={g.compoundId} className="su-sheet-group" data-testid={`run-sheet-group-${g.compoundId}`}>
              <h3>
                {t('sheet.group', { compound: g.compound, community: g.community, n: g.rows.length, urgent: g.urgent ? t('sheet.groupUrgent', { n: g.urgent }) : '' })}
              </h3>
              <table className="su-sheet-table">
                <colgroup>
                  <col style={{ width: '5%' }} />
                  <col style={{ width: '19%' }} />
                  <col />
                  <col style={{ width: '8%' }} />
                  <col style={{ width: '6%' }} />
                  <col style={{ width: '9%' }} />
                  <col style={{ width: '9%' }} />
                  <col style={{ width: '8%' }} />
                  <col style={{ width: '10%' }} />
                </colgroup>
                <thead>
                  <tr>
                    {(['no', 'address', 'items', 'category', 'urgency', 'requestedBy', 'cadre', 'status', 'sign'] as const).map((k) => (
                      <th key={k}>{t(`sheet.col.${k}`)}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((r, i) => (
                    <tr key={r.id} className={r.urgency === 'urgent' ? 'su-sheet-urgent' : undefined}>
                      <td>{i + 1}</td>
                      <td>{r.address.startsWith(g.compound) ? r.address.slice(g.compound.length) || r.address : r.address}</td>
                      <td>{r.items}</td>
                      <td>{codeLabel(t, 'supplyCategory', r.category)}</td>
                      <td>{r.urgency === 'urgent' ? t('urgency.urgent') : ''}</td>
                      <td>{r.requestedBy ?? ''}</td>
                      <td>{r.cadreName ?? ''}</td>
                      <td>
                        {t(`status.${r.status}`)}
                        {r.overdue ? ` · ${t('overdue')}` : ''}
                      </td>
                      <td />
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </div>
      )}
    </div>
  );
}

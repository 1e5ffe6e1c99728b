// The counts at the top of 物资需求 (supplies.board): by status, overdue, urgent still open, today's new and delivered.
// Each status count is also a filter; 超时 is red while anything is late.
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import type { Filters } from './model.ts';

export function BoardStrip({ filters, onPick }: { filters: Filters; onPick: (p: Partial<Filters>) => void }) {
  const { t } = useTranslation('supplies');
  // The counts follow the place chosen below (community, compound, building), not the other filters.
  const q = useApiQuery('supplies.board', { communityId: filters.communityId, compoundId: filters.compoundId, buildingId: filters.buildingId }, { refetchInterval: 60_000 });
  const b = q.data;
  if (q.error) return <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} className="su-noprint" />;
  const item = (id: string, label: string, value: number | undefined, opts: { active?: boolean; alarm?: boolean; pick?: Partial<Filters> } = {}) => {
    const cls = ['su-stat', opts.active ? 'su-stat-active' : '', opts.alarm && value ? 'su-stat-alarm' : '', opts.pick ? 'su-stat-link' : ''].filter(Boolean).join(' ');
    const body = (
      <>
        <span className="su-stat-label">{label}</span>
        <span className="su-stat-value" data-testid={`supply-stat-${id}`}>
          {value ?? '—'}
        </span>
      </>
    );
    return opts.pick ? (
      <button key={id} type="button" className={cls} onClick={() => onPick(opts.pick!)} data-testid={`supply-stat-${id}-btn`}>
        {body}
      </button>
    ) : (
      <span key={id} className={cls}>
        {body}
      </span>
    );
  };
  // The board shows every open status at once: only the list and the run sheet follow a status filter.
  const plain = filters.view !== 'board' && !filters.overdue && !filters.urgency;
  return (
    <div className="su-strip su-noprint" data-testid="supply-strip">
      {item('open', t('board.open'), b?.open, { active: plain && filters.status === 'open', pick: { status: 'open', overdue: false, urgency: undefined } })}
      {item('new', t('status.new'), b?.byStatus.new, { active: plain && filters.status === 'new', pick: { status: 'new', overdue: false, urgency: undefined } })}
      {item('assigned', t('status.assigned'), b?.byStatus.assigned, { active: plain && filters.status === 'assigned', pick: { status: 'assigned', overdue: false, urgency: undefined } })}
      {item('delivering', t('status.delivering'), b?.byStatus.delivering, { active: plain && filters.status === 'delivering', pick: { status: 'delivering', overdue: false, urgency: undefined } })}
      {item('overdue', t('board.overdue'), b?.overdue, { alarm: true, active: filters.overdue, pick: { status: 'open', overdue: true, urgency: undefined } })}
      {item('urgentOpen', t('board.urgentOpen'), b?.urgentOpen, { active: filters.urgency === 'urgent' && filters.status === 'open', pick: { status: 'open', urgency: 'urgent', overdue: false } })}
      <span className="su-strip-sep" />
      {item('newToday', t('board.newToday'), b?.newToday)}
      {item('deliveredToday', t('board.deliveredToday'), b?.deliveredToday)}
    </div>
  );
}

// 看板: the open requests by status (待处理 / 已分派 / 配送中, oldest first so the late ones lead) and the latest
// delivered, as cards with their next step. Overdue cards are red. A card opens the detail.
import { Alert, Empty, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { SupplyActions } from './SupplyActions.tsx';
import { STATUS_COLORS, listInput, minutesUntil, serverNowMs, spanText, time, type Filters, type SupplyRow, type SupplyStatus } from './model.ts';
import { codeLabel, pair } from '../../i18n/codes.ts';

const COLUMNS: { status: SupplyStatus; sortDir: 'asc' | 'desc' }[] = [
  { status: 'new', sortDir: 'asc' },
  { status: 'assigned', sortDir: 'asc' },
  { status: 'delivering', sortDir: 'asc' },
  { status: 'delivered', sortDir: 'desc' },
];
const LIMIT = 50;

export function SupplyBoard({ filters, onOpen }: { filters: Filters; onOpen: (r: SupplyRow) => void }) {
  return (
    <div className="su-board" data-testid="supply-board">
      {COLUMNS.map((c) => (
        <BoardColumn key={c.status} status={c.status} sortDir={c.sortDir} filters={filters} onOpen={onOpen} />
      ))}
    </div>
  );
}

function BoardColumn({ status, sortDir, filters, onOpen }: { status: SupplyStatus; sortDir: 'asc' | 'desc'; filters: Filters; onOpen: (r: SupplyRow) => void }) {
  const { t } = useTranslation('supplies');
  const { can } = useSession();
  const q = useApiQuery('supplies.list', { ...listInput(filters), status, sortDir, limit: status === 'delivered' ? 20 : LIMIT, withTotal: true });
  const rows = q.data?.rows ?? [];
  const total = q.data?.total ?? 0;
  return (
    <section className={`su-col su-col-${status}`} data-testid={`board-${status}`}>
      <header className="su-col-head">
        <Tag color={STATUS_COLORS[status]}>{status === 'delivered' ? t('board.recentDelivered') : t(`status.${status}`)}</Tag>
        <span className="su-col-count" data-testid={`board-${status}-count`}>
          {status === 'delivered' ? '' : total}
        </span>
      </header>
      <div className="su-col-body">
        {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} />}
        {q.data && rows.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('empty.board')} />}
        {rows.map((r) => (
          <article
            key={r.id}
            className={`su-card${r.overdue ? ' su-card-overdue' : ''}${r.urgency === 'urgent' ? ' su-card-urgent' : ''}`}
            tabIndex={0}
            onClick={() => onOpen(r)}
            onKeyDown={(e) => e.key === 'Enter' && e.target === e.currentTarget && onOpen(r)}
            data-testid={`supply-card-${r.id}`}
          >
            <div className="su-card-head">
              {r.urgency === 'urgent' && (
                <Tag color="red" variant="solid" className="su-tag">
                  {t('urgency.urgent')}
                </Tag>
              )}
              <Tag className="su-tag">{codeLabel(t, 'supplyCategory', r.category)}</Tag>
              {r.overdue ? (
                <span className="su-overdue-text">{t('overdueBy', { t: spanText(-minutesUntil(r.dueBy, serverNowMs(r)), t) })}</span>
              ) : (
                <span className="su-muted">{time(r.createdAt)}</span>
              )}
            </div>
            <div className="su-card-addr">{r.address}</div>
            <div className="su-card-items">{r.items}</div>
            {(r.cadreName || r.requestedBy) && (
              <Typography.Text type="secondary" className="su-card-who">
                {r.requestedBy ? pair(t, t('col.requestedBy'), r.requestedBy) : ''}
                {r.cadreName ? `  ${pair(t, t('col.cadre'), r.cadreName)}` : ''}
              </Typography.Text>
            )}
            {can('supplies.write') && status !== 'delivered' && (
              <div className="su-card-actions">
                <SupplyActions row={r} />
              </div>
            )}
          </article>
        ))}
        {status !== 'delivered' && total > rows.length && <div className="su-col-more">{t('board.more', { n: total - rows.length })}</div>}
      </div>
    </section>
  );
}

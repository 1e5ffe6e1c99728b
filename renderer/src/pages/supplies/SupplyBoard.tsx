// 看板: the open requests by status (待处理 / 已分派 / 配送中, oldest first so the late ones lead) and the latest
// delivered, as cards with their next step. Overdue cards are red. A card opens the detail. Each lane shows one page of
// PAGE cards, paged in SQL with its count (‹ 1–8 / 43 ›): the board fits the window at any number of requests instead
// of a lane thousands of pixels long.
import { useEffect, useState } from 'react';
import { Alert, Button, Empty, Tag, Typography } from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
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
/** Cards per lane page: about what a lane shows at 1280×800 without scrolling. */
export const PAGE = 6;

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
  const input = listInput(filters);
  const inputKey = JSON.stringify(input);
  const [offset, setOffset] = useState(0);
  // Other filters: back to the first page.
  useEffect(() => setOffset(0), [inputKey]);
  const q = useApiQuery('supplies.list', { ...input, status, sortDir, offset, limit: PAGE, withTotal: true }, { placeholderData: (prev) => prev });
  const rows = q.data?.rows ?? [];
  const total = q.data?.total ?? 0;
  // Requests moved on (delivered, cancelled) and the page is now past the end: step back to the last page.
  useEffect(() => {
    if (q.data && offset > 0 && offset >= total) setOffset(Math.max(0, Math.floor((total - 1) / PAGE) * PAGE));
  }, [q.data, offset, total]);
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
            <div className="su-card-items" title={r.items}>
              {r.items}
            </div>
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
      </div>
      {total > PAGE && (
        <footer className="su-col-pager" data-testid={`board-${status}-pager`}>
          <Button size="small" type="text" icon={<LeftOutlined />} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))} aria-label={t('board.prev')} data-testid={`board-${status}-prev`} />
          <span data-testid={`board-${status}-page`}>{t('board.page', { from: offset + 1, to: Math.min(offset + PAGE, total), total })}</span>
          <Button size="small" type="text" icon={<RightOutlined />} disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)} aria-label={t('board.next')} data-testid={`board-${status}-next`} />
        </footer>
      )}
    </section>
  );
}

// One request: household and members, items, urgency and deadline, cadre, purchase, the whole history (every move
// with its time and user), and the workflow buttons for those who may act.
import { Alert, Descriptions, Drawer, Skeleton, Space, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { useFocusReturn } from '../../components/focusReturn.ts';
import { SupplyActions } from './SupplyActions.tsx';
import { STATUS_COLORS, minutesUntil, serverNowMs, spanText, time, yuan, type SupplyDetail } from './model.ts';
import { codeLabel, paren, punct } from '../../i18n/codes.ts';

export function SupplyDrawer({ id, onClose, onChanged }: { id: number | null; onClose: () => void; onChanged?: (d: SupplyDetail) => void }) {
  const { t } = useTranslation('supplies');
  const { can } = useSession();
  const q = useApiQuery('supplies.get', { id: id ?? 0 }, { enabled: id !== null });
  const d = id !== null ? q.data : undefined;
  const canWrite = can('supplies.write');
  const focusReturn = useFocusReturn(id !== null);
  const finished = d && (d.status === 'delivered' || d.status === 'cancelled');

  return (
    <Drawer
      open={id !== null}
      {...focusReturn}
      onClose={onClose}
      size={600}
      destroyOnHidden
      data-testid="supply-drawer"
      title={
        d ? (
          <Space size={6} wrap>
            <span>{d.address}</span>
            <Tag color={STATUS_COLORS[d.status]} data-testid="supply-drawer-status">
              {t(`status.${d.status}`)}
            </Tag>
            {d.urgency === 'urgent' && (
              <Tag color="red" variant="solid">
                {t('urgency.urgent')}
              </Tag>
            )}
            {d.overdue && <Tag color="red">{t('overdue')}</Tag>}
          </Space>
        ) : (
          t('detail.title')
        )
      }
    >
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} />}
      {!d && !q.error && <Skeleton active />}
      {d && (
        <>
          {canWrite ? (
            <div className="su-drawer-actions">
              <SupplyActions row={d} size="middle" payment onChanged={onChanged} />
            </div>
          ) : (
            <Alert type="info" showIcon title={t('detail.readOnly')} style={{ marginBottom: 12 }} />
          )}
          <Descriptions
            size="small"
            column={1}
            bordered
            items={[
              { key: 'household', label: t('detail.household'), children: `${d.community} · ${d.address}` },
              { key: 'members', label: t('detail.members'), children: d.members.join(punct(t, 'list')) || '—' },
              { key: 'category', label: t('detail.category'), children: codeLabel(t, 'supplyCategory', d.category) },
              {
                key: 'urgency',
                label: t('detail.urgency'),
                children: <span className={d.urgency === 'urgent' ? 'su-urgent-text' : undefined}>{t(`urgency.${d.urgency}`)}</span>,
              },
              {
                key: 'items',
                label: t('detail.items'),
                children: (
                  <ol className="su-items" data-testid="supply-drawer-items">
                    {d.itemLines.map((i) => (
                      <li key={i.id}>
                        {i.name}
                        {i.quantity && <span className="su-qty">{i.quantity}</span>}
                      </li>
                    ))}
                  </ol>
                ),
              },
              { key: 'requestedBy', label: t('detail.requestedBy'), children: d.requestedBy ?? '—' },
              ...(d.notes ? [{ key: 'notes', label: t('detail.notes'), children: d.notes }] : []),
              { key: 'createdAt', label: t('detail.createdAt'), children: `${time(d.createdAt)} · ${d.transitions.find((x) => x.fromStatus === null)?.userDisplayName ?? d.createdBy}` },
              {
                key: 'dueBy',
                label: t('detail.dueBy'),
                children: finished ? (
                  time(d.dueBy)
                ) : (
                  <span className={d.overdue ? 'su-overdue-text' : undefined}>
                    {paren(t, time(d.dueBy), d.overdue ? t('overdueBy', { t: spanText(-minutesUntil(d.dueBy, serverNowMs(d)), t) }) : t('dueIn', { t: spanText(minutesUntil(d.dueBy, serverNowMs(d)), t) }))}
                  </span>
                ),
              },
              { key: 'cadre', label: t('detail.cadre'), children: d.cadreName ?? '—' },
              {
                key: 'payment',
                label: t('detail.payment'),
                children: d.amountCents === null ? '—' : `${yuan(d.amountCents)} · ${d.paid ? t('paid') : t('unpaid')}`,
              },
              ...(d.cancelReason ? [{ key: 'cancel', label: t('detail.cancelReason'), children: d.cancelReason }] : []),
            ]}
          />
          <h4 className="su-section">{t('detail.history')}</h4>
          <Timeline
            items={d.transitions.map((tr) => ({
              key: tr.id,
              color: tr.toStatus === 'cancelled' ? 'gray' : tr.toStatus === 'delivered' ? 'green' : 'blue',
              title: time(tr.at),
              content: (
                <span>
                  <b>{tr.fromStatus ? t('detail.from', { from: t(`status.${tr.fromStatus}`), to: t(`status.${tr.toStatus}`) }) : t('detail.created')}</b>
                  <Typography.Text type="secondary"> · {tr.userDisplayName}</Typography.Text>
                  {tr.note && <div className="su-muted">{tr.note}</div>}
                </span>
              ),
            }))}
          />
          {finished && <Typography.Text type="secondary">{t('detail.finished')}</Typography.Text>}
        </>
      )}
    </Drawer>
  );
}

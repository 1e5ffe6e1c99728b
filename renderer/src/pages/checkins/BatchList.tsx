// The whole-building entries of the date and slot shown (checkins.batches): place, count, who and when, and 撤销 while
// some of its check-ins still stand and the slot is open — for the user who made it or a clerk (the core decides; the
// button is only offered where it can succeed). Check-ins corrected since the batch are kept (said after the undo).
import { Button, Popconfirm, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useSession } from '../../session.tsx';
import type { Slot } from './model.ts';

interface BatchListProps {
  date: string;
  slot: Slot;
  pastCutoff: boolean;
  /** The place's label (小区 + 楼栋 + 单元) when the screen knows it. */
  placeLabel: (placeId: number) => string | undefined;
}

export function BatchList({ date, slot, pastCutoff, placeLabel }: BatchListProps) {
  const { t } = useTranslation('checkins');
  const { me, can } = useSession();
  const qc = useQueryClient();
  const batches = useApiQuery('checkins.batches', { date, slot }, { staleTime: 30_000 });
  const undo = useApiWrite('checkins.undoBatch', {
    toast: true,
    success: (r) => t('batch.undone', { n: r.removed, k: r.kept }),
    // The unit headers and the jump list count again (checkins.groups is not among the write's invalidations).
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['checkins.groups'] }),
  });
  const rows = batches.data ?? [];
  if (rows.length === 0) return null;
  const actor = me?.actor;
  const mayUndo = (createdById: number | null) => can('checkins.write') && !!actor && ((createdById !== null && createdById === actor.userId) || actor.role === 'clerk' || actor.role === 'admin');

  return (
    <section className="ci-batches" aria-label={t('batch.listTitle', { n: rows.length })} data-testid="ci-batches">
      <Typography.Text type="secondary" className="ci-batches-title">
        {t('batch.listTitle', { n: rows.length })}
      </Typography.Text>
      <ul>
        {rows.map((b) => (
          <li key={b.id} className={b.undoneAt ? 'ci-batch-row ci-batch-undone' : 'ci-batch-row'} data-testid={`ci-batch-${b.id}`}>
            <span>{t('batch.row', { place: placeLabel(b.placeId) ?? t('batch.place', { id: b.placeId }), n: b.count, by: b.createdBy, time: b.createdAt.slice(11, 16) })}</span>
            {b.undoneAt ? (
              <Typography.Text type="secondary">{t('batch.undoneBy', { by: b.undoneBy ?? '' })}</Typography.Text>
            ) : b.standing === 0 ? (
              <Typography.Text type="secondary">{t('batch.noneStanding')}</Typography.Text>
            ) : (
              !pastCutoff &&
              mayUndo(b.createdById) && (
                <Popconfirm
                  title={t('batch.undoAsk')}
                  okText={t('batch.undoOk')}
                  cancelText={t('common.cancel', { ns: 'translation' })}
                  okButtonProps={{ danger: true, ...({ 'data-testid': `ci-batch-undo-ok-${b.id}` } as object) }}
                  onConfirm={() => undo.run({ batchId: b.id })}
                >
                  <Button size="small" danger loading={undo.submitting} data-testid={`ci-batch-undo-${b.id}`}>
                    {t('batch.undo')}
                  </Button>
                </Popconfirm>
              )
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

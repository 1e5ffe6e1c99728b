// 整栋正常，除了…: the confirmation of a whole-building (or unit) entry. It reads checkins.batchPreview — who in the
// place is due for the slot and not yet recorded — and lists them all (names and addresses) with the count and how
// many are already recorded (left as they are). 确认 N 人正常 sends exactly the ids shown (checkins.recordBatch); the
// core records only those still unrecorded. When the office requires a temperature on every check-in the dialog
// says so (the core's own message) and the confirm button stays disabled.
import { Alert, App, Button, Modal, Spin, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorMessage, messageText } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { msg } from '../../../../electron/shared/messages/index.ts';
import type { Slot } from './model.ts';

export interface BatchTarget {
  placeId: number;
  /** The place as the screen names it (the dialog shows the core's label once the preview is read). */
  label: string;
}

export function BatchDialog({ target, date, slot, onClose }: { target: BatchTarget | null; date: string; slot: Slot; onClose: () => void }) {
  const { t } = useTranslation('checkins');
  const { message } = App.useApp();
  const qc = useQueryClient();
  // Read fresh each time the dialog opens and not again while it is open: the list confirmed is the list shown.
  const preview = useApiQuery('checkins.batchPreview', target ? { date, slot, placeId: target.placeId } : undefined, {
    enabled: !!target,
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const record = useApiWrite('checkins.recordBatch', {
    onSuccess: (res) => {
      // The unit headers and the jump list count the new 已报 (checkins.groups is not among the write's invalidations).
      void qc.invalidateQueries({ queryKey: ['checkins.groups'] });
      void message.success(res.skipped > 0 ? t('batch.doneSkipped', { n: res.recorded, m: res.skipped }) : t('batch.done', { n: res.recorded }));
      onClose();
    },
  });
  const p = preview.data && target && preview.data.placeId === target.placeId ? preview.data : undefined;
  const n = p?.people.length ?? 0;
  const close = () => {
    record.setError(null);
    onClose();
  };
  const confirm = () => {
    if (!p || p.refused || n === 0) return;
    void record.run({ date: p.date, slot: p.slot, placeId: p.placeId, residentIds: p.people.map((x) => x.residentId) });
  };

  return (
    <Modal
      open={!!target}
      title={t('batch.title', { place: p?.place ?? target?.label ?? '' })}
      onCancel={close}
      destroyOnHidden
      width={560}
      footer={[
        <Button key="cancel" onClick={close}>
          {t('common.cancel', { ns: 'translation' })}
        </Button>,
        <Button key="ok" type="primary" disabled={!p || p.refused || n === 0} loading={record.submitting} onClick={confirm} data-testid="ci-batch-confirm">
          {t('batch.confirm', { n })}
        </Button>,
      ]}
    >
      <div data-testid="ci-batch-dialog">
        <Typography.Paragraph strong className="ci-batch-when">
          {t('batch.when', { date, slot: t(`slot.${slot}`) })}
        </Typography.Paragraph>
        <Alert type="info" showIcon title={t('batch.hint')} className="ci-batch-hint" />
        {preview.error && <Alert type="error" showIcon title={t('batch.loadError', { message: errorMessage(preview.error) })} />}
        {!p && !preview.error && <Spin className="page-spin" />}
        {p?.refused && <Alert type="warning" showIcon title={messageText(msg('checkins.batchNeedsTemperature'))} className="ci-batch-refused" data-testid="ci-batch-refused" />}
        {p && (
          <>
            {n > 0 ? (
              <>
                <Typography.Paragraph className="ci-batch-count" data-testid="ci-batch-count">
                  {t('batch.count', { n })}
                </Typography.Paragraph>
                <ol className="ci-batch-list" data-testid="ci-batch-list" tabIndex={0}>
                  {p.people.map((x) => (
                    <li key={x.residentId}>
                      <span className="ci-batch-name">{x.name}</span>
                      <span className="ci-batch-address">{x.address}</span>
                    </li>
                  ))}
                </ol>
              </>
            ) : (
              <Alert type="success" showIcon title={t('batch.nobody')} data-testid="ci-batch-nobody" />
            )}
            {p.alreadyRecorded > 0 && (
              <Typography.Paragraph type="secondary" className="ci-batch-already" data-testid="ci-batch-already">
                {t('batch.already', { n: p.alreadyRecorded })}
              </Typography.Paragraph>
            )}
          </>
        )}
        {record.error && <Alert type="error" showIcon title={record.error} data-testid="ci-batch-error" />}
      </div>
    </Modal>
  );
}

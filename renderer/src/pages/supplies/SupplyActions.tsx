// The workflow buttons of one request, by status: 待处理 → 分派 / 取消; 已分派 → 改派 / 开始配送 / 已送达 / 取消;
// 配送中 → 已送达 / 取消; any → 代购金额. Writes go through the dialogs; every list that shows requests is refreshed.
import { useState } from 'react';
import { Button, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApiWrite } from '../../write.ts';
import { AssignDialog, CancelDialog, DeliverDialog, PaymentDialog } from './ActionDialogs.tsx';
import type { SupplyDetail, SupplyRow } from './model.ts';

type Dialog = 'assign' | 'deliver' | 'cancel' | 'payment' | null;

export function SupplyActions({ row, size = 'small', onChanged, payment = false }: { row: SupplyRow; size?: 'small' | 'middle'; onChanged?: (d: SupplyDetail) => void; payment?: boolean }) {
  const { t } = useTranslation('supplies');
  const [dialog, setDialog] = useState<Dialog>(null);
  const done = (d: SupplyDetail) => onChanged?.(d);
  const startWrite = useApiWrite('supplies.startDelivery', { toast: true, success: t('done.started'), onSuccess: done });
  const busy = startWrite.submitting;
  const start = () => startWrite.run({ id: row.id, version: row.version });

  const s = row.status;
  const open = s === 'new' || s === 'assigned' || s === 'delivering';
  const stop = (e: { stopPropagation: () => void }) => e.stopPropagation();
  return (
    <span onClick={stop} onDoubleClick={stop} onKeyDown={stop} className="su-actions">
      <Space size={4} wrap>
        {(s === 'new' || s === 'assigned') && (
          <Button size={size} type={s === 'new' ? 'primary' : 'default'} onClick={() => setDialog('assign')} data-testid={`supply-assign-${row.id}`}>
            {s === 'new' ? t('actions.assign') : t('actions.reassign')}
          </Button>
        )}
        {s === 'assigned' && (
          <Button size={size} loading={busy} onClick={() => void start()} data-testid={`supply-start-${row.id}`}>
            {t('actions.start')}
          </Button>
        )}
        {(s === 'assigned' || s === 'delivering') && (
          <Button size={size} type="primary" onClick={() => setDialog('deliver')} data-testid={`supply-deliver-${row.id}`}>
            {t('actions.deliver')}
          </Button>
        )}
        {open && (
          <Button size={size} danger type="text" onClick={() => setDialog('cancel')} data-testid={`supply-cancel-${row.id}`}>
            {size === 'small' ? t('actions.cancelShort') : t('actions.cancel')}
          </Button>
        )}
        {payment && s !== 'cancelled' && (
          <Button size={size} onClick={() => setDialog('payment')}>
            {t('actions.payment')}
          </Button>
        )}
      </Space>
      <AssignDialog row={dialog === 'assign' ? row : null} onCancel={() => setDialog(null)} onDone={done} />
      <DeliverDialog row={dialog === 'deliver' ? row : null} onCancel={() => setDialog(null)} onDone={done} />
      <CancelDialog row={dialog === 'cancel' ? row : null} onCancel={() => setDialog(null)} onDone={done} />
      <PaymentDialog row={dialog === 'payment' ? row : null} onCancel={() => setDialog(null)} onDone={done} />
    </span>
  );
}

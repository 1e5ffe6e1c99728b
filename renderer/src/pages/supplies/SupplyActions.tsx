// The workflow buttons of one request, by status: 待处理 → 分派 / 取消; 已分派 → 改派 / 开始配送 / 已送达 / 取消;
// 配送中 → 已送达 / 取消; any → 代购金额. Writes go through the dialogs; every list that shows requests is refreshed.
import { useState } from 'react';
import { App, Button, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, errorMessage } from '../../api.ts';
import { AssignDialog, CancelDialog, DeliverDialog, PaymentDialog } from './ActionDialogs.tsx';
import type { SupplyDetail, SupplyRow } from './model.ts';

/** Channels whose answers change when a request moves. */
export const SUPPLY_DEPENDENTS = ['supplies.list', 'supplies.board', 'supplies.get', 'supplies.runSheet', 'dashboard.get', 'cadres.list', 'residents.get'] as const;

type Dialog = 'assign' | 'deliver' | 'cancel' | 'payment' | null;

export function SupplyActions({ row, size = 'small', onChanged, payment = false }: { row: SupplyRow; size?: 'small' | 'middle'; onChanged?: (d: SupplyDetail) => void; payment?: boolean }) {
  const { t } = useTranslation('supplies');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState(false);

  const after = async (d: SupplyDetail, text: string) => {
    message.success(text);
    await Promise.all(SUPPLY_DEPENDENTS.map((c) => qc.invalidateQueries({ queryKey: [c] })));
    onChanged?.(d);
  };

  const start = async () => {
    setBusy(true);
    try {
      await after(await api('supplies.startDelivery', { id: row.id, version: row.version }), t('done.started'));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

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
      <AssignDialog
        row={dialog === 'assign' ? row : null}
        onCancel={() => setDialog(null)}
        onSubmit={async (cadreId, name, note) => after(await api('supplies.assign', { id: row.id, version: row.version, cadreId, note }), t('done.assigned', { cadre: name }))}
      />
      <DeliverDialog
        row={dialog === 'deliver' ? row : null}
        onCancel={() => setDialog(null)}
        onSubmit={async (note) => {
          // 已分派 straight to 已送达: the runner reports back once; both steps are recorded, in order.
          let version = row.version;
          if (row.status === 'assigned') version = (await api('supplies.startDelivery', { id: row.id, version, note: null })).version;
          try {
            await after(await api('supplies.deliver', { id: row.id, version, note }), t('done.delivered'));
          } catch (e) {
            // The first step may have gone through: show the request as it is now before the clerk retries.
            await Promise.all(SUPPLY_DEPENDENTS.map((c) => qc.invalidateQueries({ queryKey: [c] })));
            throw e;
          }
        }}
      />
      <CancelDialog row={dialog === 'cancel' ? row : null} onCancel={() => setDialog(null)} onSubmit={async (reason) => after(await api('supplies.cancel', { id: row.id, version: row.version, reason }), t('done.cancelled'))} />
      <PaymentDialog
        row={dialog === 'payment' ? row : null}
        onCancel={() => setDialog(null)}
        onSubmit={async (amountCents, paid) => after(await api('supplies.setPayment', { id: row.id, version: row.version, amountCents, paid }), t('done.payment'))}
      />
    </span>
  );
}

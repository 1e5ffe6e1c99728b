// The conflict dialog: a save was refused because someone else changed the record first (CONFLICT with details
// {by, at}). It says 已被 X 于 HH:mm 修改, lists the fields the user changed — their value and the record's value
// now — and lets them choose: 重新应用我的修改 (save their values on top of the current version) or 放弃我的修改
// (close the form; the current record shows). There is no third way out (no ×, no Esc): what was typed is never
// dropped without the user saying so. useApiWrite (write.ts) asks it through the context below.
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { Alert, Button, Modal, Table, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import i18n from '../i18n/index.ts';

export interface ConflictRow {
  label: string;
  mine: string;
  current: string;
}

export interface ConflictAsk {
  /** Who changed the record last (display name), when known. */
  by?: string;
  /** When (ISO), when known. */
  at?: string;
  rows: ConflictRow[];
  /** The current record could not be read: only 放弃 is offered. */
  loadError?: string;
  canReapply: boolean;
}

export type ConflictChoice = 'reapply' | 'discard';
type Ask = (a: ConflictAsk) => Promise<ConflictChoice>;

const ConflictContext = createContext<Ask | null>(null);

/** The dialog's asker, or null outside the provider (then a conflict is shown as an error text). */
export function useConflictDialog(): Ask | null {
  return useContext(ConflictContext);
}

/** "已被 X 于 HH:mm 修改" (or as much of it as is known), in the interface language. */
export function conflictHeadline(by?: string, at?: string): string {
  const time = at ? dayjs(at).format('HH:mm') : undefined;
  if (by && time) return i18n.t('sync:conflict.byAt', { by, time });
  if (time) return i18n.t('sync:conflict.someoneAt', { time });
  return i18n.t('sync:conflict.someone');
}

export function ConflictProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation('sync');
  const [open, setOpen] = useState<{ ask: ConflictAsk; resolve: (c: ConflictChoice) => void } | null>(null);
  const ask = useCallback<Ask>((a) => new Promise<ConflictChoice>((resolve) => setOpen({ ask: a, resolve })), []);
  const choose = (c: ConflictChoice) => {
    open?.resolve(c);
    setOpen(null);
  };
  const a = open?.ask;
  const empty = t('conflict.empty');
  return (
    <ConflictContext.Provider value={ask}>
      {children}
      <Modal
        open={!!open}
        title={t('conflict.title')}
        width={640}
        closable={false}
        keyboard={false}
        mask={{ closable: false }}
        zIndex={1100}
        destroyOnHidden
        footer={[
          <Button key="discard" onClick={() => choose('discard')} data-testid="conflict-discard">
            {t('conflict.discard')}
          </Button>,
          <Button key="reapply" type="primary" disabled={!a?.canReapply} onClick={() => choose('reapply')} data-testid="conflict-reapply">
            {t('conflict.reapply')}
          </Button>,
        ]}
      >
        {a && (
          <div data-testid="conflict-dialog">
            <Alert type="warning" showIcon title={<span data-testid="conflict-headline">{conflictHeadline(a.by, a.at)}</span>} style={{ marginBottom: 12 }} />
            {a.loadError ? (
              <Alert type="error" showIcon title={t('conflict.loadFailed', { error: a.loadError })} />
            ) : (
              <>
                <Typography.Paragraph>{a.rows.length ? t('conflict.intro') : t('conflict.noFields')}</Typography.Paragraph>
                {a.rows.length > 0 && (
                  <Table<ConflictRow>
                    size="small"
                    pagination={false}
                    rowKey="label"
                    dataSource={a.rows}
                    data-testid="conflict-rows"
                    columns={[
                      { title: t('conflict.field'), dataIndex: 'label', width: 120 },
                      { title: t('conflict.mine'), dataIndex: 'mine', render: (v: string) => <Typography.Text strong>{v || empty}</Typography.Text> },
                      {
                        title: t('conflict.current'),
                        dataIndex: 'current',
                        render: (v: string, r) => <Typography.Text type={v === r.mine ? undefined : 'warning'}>{v || empty}</Typography.Text>,
                      },
                    ]}
                  />
                )}
                <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
                  {t('conflict.reapplyHint')}
                </Typography.Paragraph>
              </>
            )}
          </div>
        )}
      </Modal>
    </ConflictContext.Provider>
  );
}

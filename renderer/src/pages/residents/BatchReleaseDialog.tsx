// 批量解除: lists the people due for release (last day passed, not released) in the current community filter, ticked
// by default (or only those ticked in the grid), and releases them in one step. Each one the server refuses stays
// due and is listed with its reason.
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Modal, Result, Space, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, fieldMessage, type OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { dayText } from './columns.tsx';
import type { Row } from './model.ts';
import { pair, punct } from '../../i18n/codes.ts';

const MAX = 1000;
type Outcome = OutputOf<'episodes.batchRelease'>;

export function BatchReleaseDialog({
  communityId,
  preselected,
  onClose,
  onDone,
}: {
  communityId: number | null;
  /** Rows ticked in the grid; empty = tick everyone due. */
  preselected: Row[];
  onClose: () => void;
  /** Called after a run (something may have changed even when some were blocked). */
  onDone: () => void;
}) {
  const { t } = useTranslation('residents');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [total, setTotal] = useState(0);
  const [selected, setSelected] = useState<number[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const release = useApiWrite('episodes.batchRelease', { onSuccess: (r) => (setOutcome(r), onDone()) });
  const busy = release.submitting;
  const error = loadError ?? release.error;

  useEffect(() => {
    let live = true;
    api('residents.list', { status: 'due', communityId: communityId ?? undefined, sortField: 'lastDay', sortDir: 'asc', limit: MAX, withTotal: true })
      .then((r) => {
        if (!live) return;
        const due = r.rows.filter((x) => x.episodeId !== null && x.episodeVersion !== null);
        setRows(due);
        setTotal(r.total ?? due.length);
        const pre = new Set(preselected.map((p) => p.id));
        setSelected(due.filter((x) => pre.size === 0 || pre.has(x.id)).map((x) => x.id));
      })
      .catch((e: unknown) => live && setLoadError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [communityId, preselected]);

  const chosen = useMemo(() => (rows ?? []).filter((r) => selected.includes(r.id)), [rows, selected]);

  const run = () => release.run({ items: chosen.map((x) => ({ episodeId: x.episodeId!, version: x.episodeVersion! })) });

  if (outcome) {
    return (
      <Modal open title={t('batchDialog.resultTitle')} width={760} onCancel={onClose} footer={<Button type="primary" onClick={onClose} data-testid="batch-close">{t('batchDialog.close')}</Button>}>
        <div data-testid="batch-result">
          <Result
            status={outcome.blocked.length ? 'warning' : 'success'}
            title={t('batchDialog.released', { n: outcome.released.length })}
            subTitle={outcome.blocked.length ? t('batchDialog.blocked', { n: outcome.blocked.length }) : undefined}
            style={{ padding: '8px 0 16px' }}
          />
          {outcome.released.length > 0 && (
            <Typography.Paragraph data-testid="batch-released">
              <Typography.Text strong>{pair(t, t('batchDialog.released', { n: outcome.released.length }), '')}</Typography.Text>
              {outcome.released.map((r) => r.name).join(punct(t, 'list'))}
            </Typography.Paragraph>
          )}
          {outcome.blocked.length > 0 && (
            <Table
              size="small"
              rowKey="episodeId"
              pagination={false}
              scroll={{ y: 320 }}
              dataSource={outcome.blocked}
              data-testid="batch-blocked"
              rowClassName={() => 'res-batch-blocked'}
              columns={[
                { title: t('col.name'), dataIndex: 'name', width: 110 },
                { title: t('batchDialog.reason'), dataIndex: 'reason', render: (_: unknown, b: (typeof outcome.blocked)[number]) => fieldMessage(b) },
              ]}
            />
          )}
        </div>
      </Modal>
    );
  }

  return (
    <Modal
      open
      title={t('batchDialog.title')}
      width={860}
      onCancel={onClose}
      okText={t('batchDialog.submit', { n: chosen.length })}
      okButtonProps={{ disabled: chosen.length === 0, ...({ 'data-testid': 'batch-submit' } as object) }}
      confirmLoading={busy}
      onOk={() => void run()}
    >
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        <Typography.Text type="secondary">{t('batchDialog.intro')}</Typography.Text>
        {preselected.length > 0 && <Typography.Text>{t('batchDialog.fromGrid', { n: preselected.length })}</Typography.Text>}
        {total > MAX && <Alert type="info" showIcon title={t('batchDialog.more', { n: MAX })} />}
        {error && <Alert type="error" showIcon title={error} data-testid="dialog-error" />}
        {busy && <Alert type="info" showIcon title={t('batchDialog.running')} />}
        <Table<Row>
          size="small"
          rowKey="id"
          loading={rows === null && !error}
          dataSource={rows ?? []}
          pagination={false}
          scroll={{ y: 360 }}
          locale={{ emptyText: rows === null ? t('batchDialog.loading') : t('batchDialog.none') }}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]) }}
          data-testid="batch-table"
          columns={[
            { title: t('col.name'), dataIndex: 'name', width: 90 },
            { title: t('col.community'), dataIndex: 'community', width: 110, ellipsis: true },
            { title: t('col.address'), dataIndex: 'address', ellipsis: true },
            { title: t('col.lastDay'), dataIndex: 'lastDay', width: 104 },
            { title: t('col.day'), key: 'day', width: 120, render: (_, r) => dayText(r, t) },
          ]}
        />
      </Space>
    </Modal>
  );
}

// 导入记录: past import batches (paged on the server), what each wrote, and 撤销 where the server allows it (a batch
// that changed people already in the system, or whose people have had anything recorded since, cannot be undone).
import { useState } from 'react';
import { App, Button, Card, Empty, Popconfirm, Table, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined, UndoOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { useApiQuery } from '../../query.ts';
import type { Batch } from './model.ts';

const PAGE = 10;

function countsText(b: Batch, t: TFunction<'excel'>): string {
  const c = b.counts as Record<string, number | string | undefined>;
  if (b.kind === 'tests') return t('import.batches.testCounts', { recorded: c.recorded ?? 0, alerts: c.alerts ?? 0, unmatched: c.unmatched ?? 0 });
  return t('import.batches.residentCounts', { imported: c.imported ?? 0, updated: c.updated ?? 0, households: c.households ?? 0 });
}

/** onUndone: a batch was just undone (the wizard's result for it is then out of date). */
export function BatchesCard({ onUndone }: { onUndone?: (batchId: number) => void } = {}) {
  const { t } = useTranslation('excel');
  const { modal } = App.useApp();
  const [page, setPage] = useState(1);
  const q = useApiQuery('import.batches', { offset: (page - 1) * PAGE, limit: PAGE });
  const [busy, setBusy] = useState<number | null>(null);
  const undoWrite = useApiWrite('import.undo', {
    success: (r, input) => (q.data?.rows.find((b) => b.id === input.batchId)?.kind === 'tests' ? t('import.batches.undoneTests', { n: r.tests }) : t('import.batches.undoneResidents', { n: r.residents })),
    onSuccess: (_r, input) => onUndone?.(input.batchId),
    onError: (e) => modal.warning({ title: t('import.batches.undoRefused'), content: errorMessage(e), okText: t('common.ok') }),
  });

  const undo = async (b: Batch) => {
    setBusy(b.id);
    await undoWrite.run({ batchId: b.id });
    setBusy(null);
  };

  return (
    <Card
      size="small"
      className="import-card"
      title={t('import.batches.title')}
      extra={<Button size="small" icon={<ReloadOutlined />} onClick={() => void q.refetch()} aria-label={t('common.refresh')} />}
      data-testid="import-batches"
    >
      {q.error && <Typography.Text type="danger">{errorMessage(q.error)}</Typography.Text>}
      <Table<Batch>
        rowKey="id"
        size="small"
        loading={q.isLoading}
        dataSource={q.data?.rows ?? []}
        pagination={{ current: page, pageSize: PAGE, total: q.data?.total ?? 0, onChange: setPage, hideOnSinglePage: true, showSizeChanger: false }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('import.batches.empty')} /> }}
        columns={[
          { title: t('import.batches.at'), dataIndex: 'at', width: 150, render: (v: string) => v.slice(0, 16).replace('T', ' ') },
          { title: t('import.batches.kind'), dataIndex: 'kind', width: 90, render: (v: string) => t(`import.kind.${v}`) },
          { title: t('import.batches.file'), dataIndex: 'fileName', ellipsis: true },
          { title: t('import.batches.user'), dataIndex: 'userName', width: 100 },
          { title: t('import.batches.result'), key: 'counts', render: (_: unknown, b) => countsText(b, t) },
          {
            title: t('common.actions'),
            key: 'undo',
            width: 170,
            render: (_: unknown, b) => {
              if (b.undoneAt) return <Tag>{t('import.batches.undoneAt', { at: b.undoneAt.slice(5, 16).replace('T', ' ') })}</Tag>;
              const changed = Number((b.counts as Record<string, unknown>).existingChanged ?? 0);
              if (changed > 0)
                return (
                  <Tooltip title={t('import.batches.cannotUndo', { n: changed })}>
                    <Button size="small" disabled icon={<UndoOutlined />}>
                      {t('import.batches.undo')}
                    </Button>
                  </Tooltip>
                );
              return (
                <Popconfirm title={t('import.batches.undoConfirm')} description={t('import.batches.undoHelp')} okText={t('import.batches.undo')} cancelText={t('common.cancel')} onConfirm={() => undo(b)}>
                  <Button size="small" icon={<UndoOutlined />} loading={busy === b.id} data-testid={`batch-undo-${b.id}`}>
                    {t('import.batches.undo')}
                  </Button>
                </Popconfirm>
              );
            },
          },
        ]}
      />
    </Card>
  );
}

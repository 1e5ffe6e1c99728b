// 备份 (admin): the backup folder, every backup with its verification status, 立即备份, restore from a verified backup
// (the current file is kept aside and the restore can be undone), and 撤销恢复.
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Empty, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { CloudUploadOutlined, HistoryOutlined, RollbackOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import { useApiQuery } from '../../query.ts';
import { paren, punct } from '../../i18n/codes.ts';

type Status = OutputOf<'backups.list'>;
type Backup = Status['backups'][number];

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** After a restore every session has ended: show why, then start again at 登录. */
function reloadToLogin() {
  window.location.hash = '#/';
  window.location.reload();
}

function ConfirmDialog(props: { title: string; body: string[]; ok: string; danger?: boolean; busy: boolean; error: string | null; onOk: () => void; onCancel: () => void; testId: string }) {
  const { t } = useTranslation('admin');
  const [understood, setUnderstood] = useState(false);
  return (
    <Modal
      open
      title={props.title}
      okText={props.ok}
      cancelText={t('common.cancel')}
      okButtonProps={{ danger: props.danger, disabled: !understood, ...({ 'data-testid': `${props.testId}-ok` } as object) }}
      confirmLoading={props.busy}
      onOk={props.onOk}
      onCancel={props.onCancel}
      destroyOnHidden
    >
      {props.error && <Alert type="error" showIcon title={props.error} style={{ marginBottom: 12 }} />}
      {props.body.map((p, i) => (
        <Typography.Paragraph key={i}>{p}</Typography.Paragraph>
      ))}
      <Checkbox checked={understood} onChange={(e) => setUnderstood(e.target.checked)} data-testid={`${props.testId}-understood`}>
        {t('backups.understood')}
      </Checkbox>
    </Modal>
  );
}

export function BackupsTab() {
  const { t } = useTranslation('admin');
  const { message, modal } = App.useApp();
  const q = useApiQuery('backups.list');
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [undoing, setUndoing] = useState(false);
  const s = q.data;
  const create = useApiWrite('backups.create', {
    onSuccess: (r) => (r.ok ? void message.success(t('backups.created', { name: r.name })) : create.setError(t('backups.createdFailed', { problems: r.problems.join(punct(t, 'items')) }))),
  });
  const restoreWrite = useApiWrite('backups.restore', {
    onSuccess: (r) => {
      setRestoring(null);
      modal.success({ title: t('backups.restoredTitle'), content: t('backups.restoredText', { from: r.restoredFrom, aside: r.movedAsideAs ?? '' }), okText: t('backups.relogin'), onOk: reloadToLogin });
    },
  });
  const undoWrite = useApiWrite('backups.undoRestore', {
    onSuccess: (r) => {
      setUndoing(false);
      modal.success({ title: t('backups.undoneTitle'), content: t('backups.undoneText', { from: r.restoredFrom }), okText: t('backups.relogin'), onOk: reloadToLogin });
    },
  });
  const error = create.error;
  const backupNow = () => void create.run();
  const restore = () => void (restoring && restoreWrite.run({ name: restoring.name, confirm: true }));
  const undo = () => void undoWrite.run({ aside: s?.restoreAsides[0], confirm: true });

  const statusTag = (b: Backup) => {
    if (b.status === 'verified') return <Tag color="green">{t('backups.status.verified')}</Tag>;
    if (b.status === 'failed')
      return (
        <Tooltip title={b.verification?.problems.join(punct(t, 'items'))}>
          <Tag color="red">{t('backups.status.failed')}</Tag>
        </Tooltip>
      );
    return <Tag>{t('backups.status.unverified')}</Tag>;
  };

  return (
    <div data-testid="settings-backups">
      <div className="page-subhead">
        <Typography.Text type="secondary">{s?.dir ? t('backups.folder', { dir: s.dir }) : t('backups.noFolder')}</Typography.Text>
        <Space>
          {s && s.restoreAsides.length > 0 && (
            <Button icon={<RollbackOutlined />} onClick={() => (undoWrite.setError(null), setUndoing(true))} data-testid="backup-undo-restore">
              {t('backups.undoRestore')}
            </Button>
          )}
          <Button type="primary" icon={<CloudUploadOutlined />} loading={create.submitting} onClick={backupNow} data-testid="backup-now">
            {t('backups.now')}
          </Button>
        </Space>
      </div>
      {s?.lastFailed && <Alert type="error" showIcon title={t('backups.lastFailed', { name: s.lastFailed.name, problems: s.lastFailed.verification?.problems.join(punct(t, 'items')) ?? '' })} style={{ marginBottom: 12 }} />}
      {s?.dueToday && <Alert type="warning" showIcon title={t('backups.dueToday')} style={{ marginBottom: 12 }} />}
      {s && s.foreign.length > 0 && (
        <Alert
          type="info"
          showIcon
          title={t('backups.foreign', { n: s.foreign.length, names: s.foreign.map((f) => paren(t, f.name, f.why)).join(punct(t, 'list')) })}
          style={{ marginBottom: 12 }}
          data-testid="backups-foreign"
        />
      )}
      {(error || q.error) && <Alert type="error" showIcon title={error ?? errorMessage(q.error)} style={{ marginBottom: 12 }} data-testid="backups-error" />}
      <Table<Backup>
        rowKey="name"
        size="middle"
        loading={q.isLoading}
        dataSource={s?.backups ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('backups.empty')} /> }}
        columns={[
          { title: t('backups.col.takenAt'), dataIndex: 'takenAt', width: 170, render: (v: string) => v.replace('T', ' ') },
          { title: t('backups.col.reason'), dataIndex: 'reason', width: 100, render: (v: string | null) => (v ? t(`backups.reason.${v}`, { defaultValue: v }) : '—') },
          { title: t('backups.col.status'), key: 'status', width: 100, render: (_: unknown, b) => statusTag(b) },
          {
            title: t('backups.col.counts'),
            key: 'counts',
            render: (_: unknown, b) => {
              const c = (b.verification?.counts ?? {}) as Record<string, number>;
              return c.residents !== undefined ? t('backups.counts', { residents: c.residents ?? 0, checkins: c.checkins ?? 0 }) : '—';
            },
          },
          { title: t('backups.col.size'), dataIndex: 'size', width: 100, render: (v: number) => sizeText(v) },
          { title: t('backups.col.name'), dataIndex: 'name', ellipsis: true, render: (v: string) => <Typography.Text type="secondary">{v}</Typography.Text> },
          {
            title: t('common.actions'),
            key: 'actions',
            width: 110,
            render: (_: unknown, b) => (
              <Tooltip title={b.status !== 'verified' ? t('backups.onlyVerified') : undefined}>
                <Button size="small" icon={<HistoryOutlined />} disabled={b.status !== 'verified'} onClick={() => (restoreWrite.setError(null), setRestoring(b))}>
                  {t('backups.restore')}
                </Button>
              </Tooltip>
            ),
          },
        ]}
      />
      {restoring && (
        <ConfirmDialog
          testId="restore"
          title={t('backups.restoreTitle', { at: restoring.takenAt.replace('T', ' ') })}
          body={[t('backups.restoreText1', { at: restoring.takenAt.replace('T', ' ') }), t('backups.restoreText2'), t('backups.restoreText3')]}
          ok={t('backups.restoreOk')}
          danger
          busy={restoreWrite.submitting}
          error={restoreWrite.error}
          onOk={restore}
          onCancel={() => setRestoring(null)}
        />
      )}
      {undoing && s && (
        <ConfirmDialog
          testId="undo-restore"
          title={t('backups.undoTitle')}
          body={[t('backups.undoText', { aside: s.restoreAsides[0] ?? '' }), t('backups.restoreText3')]}
          ok={t('backups.undoOk')}
          busy={undoWrite.submitting}
          error={undoWrite.error}
          onOk={undo}
          onCancel={() => setUndoing(false)}
        />
      )}
    </div>
  );
}

// 解除隔离: first asks the server what blocks the release (due tests without a negative result) and whether it is
// early, and shows that; the reason fields appear only when needed. Forcing past missing tests is the clerk's call.
import { Alert, Form, Input, Modal, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage, fieldMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';
import type { EpisodeView, Resident } from './EpisodeDialogs.tsx';

export function ReleaseDialog({ resident, episode, onClose, onDone }: { resident: Resident; episode: EpisodeView; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const [form] = Form.useForm<{ reason?: string; overrideReason?: string }>();
  const release = useApiWrite('episodes.release', {
    form,
    fields: ['reason', 'overrideReason'],
    success: (r) => (r.followOn ? t('release.followOn', { name: resident.name, lastDay: r.followOn.lastDay }) : t('release.done', { name: resident.name })),
    onSuccess: onDone,
  });
  const { submitting: busy, error } = release;
  const check = useApiQuery('episodes.releaseCheck', { episodeId: episode.id }, { staleTime: 0 });
  const blockers = check.data?.blockers ?? [];
  const mayOverride = can('episodes.release');
  const blocked = blockers.length > 0;
  const stuck = blocked && !mayOverride;

  const submit = async () => {
    let v: { reason?: string; overrideReason?: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    await release.run({
      episodeId: episode.id,
      version: episode.version,
      reason: v.reason?.trim() || undefined,
      overrideReason: v.overrideReason?.trim() || undefined,
    });
  };

  return (
    <Modal
      open
      title={`${t('release.title')} · ${resident.name}`}
      okText={blocked ? t('release.forceSubmit') : t('release.submit')}
      okButtonProps={{ disabled: !check.data || stuck, danger: blocked, ...({ 'data-testid': 'release-submit' } as object) }}
      onOk={() => void submit()}
      confirmLoading={busy}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="dialog-error" />}
      {check.isPending && <Spin description={t('release.checking')} />}
      {check.error && <Alert type="error" showIcon title={errorMessage(check.error)} />}
      {check.data && (
        <>
          {blocked ? (
            <Alert
              type="error"
              showIcon
              title={t('release.blocked')}
              description={
                <ul className="res-blockers" data-testid="release-blockers">
                  {blockers.map((b) => (
                    <li key={b.day}>{fieldMessage(b)}</li>
                  ))}
                </ul>
              }
              style={{ marginBottom: 12 }}
            />
          ) : (
            <Alert type="success" showIcon title={t('release.ready')} style={{ marginBottom: 12 }} data-testid="release-ready" />
          )}
          {stuck && <Alert type="warning" showIcon title={t('release.overrideForbidden')} style={{ marginBottom: 12 }} />}
          <Form form={form} layout="vertical">
            {check.data.early && (
              <Form.Item
                label={t('release.earlyReason')}
                name="reason"
                extra={t('release.early', { date: check.data.releaseDate })}
                rules={[{ required: true, whitespace: true, message: t('form.required') }]}
              >
                <Input.TextArea maxLength={500} rows={3} />
              </Form.Item>
            )}
            {blocked && mayOverride && (
              <Form.Item
                label={t('release.overrideReason')}
                name="overrideReason"
                extra={t('release.overrideHint')}
                rules={[{ required: true, whitespace: true, message: t('form.required') }]}
              >
                <Input.TextArea maxLength={500} rows={3} data-testid="field-overrideReason" />
              </Form.Item>
            )}
          </Form>
        </>
      )}
    </Modal>
  );
}

// 设置 › 文书模板 (admin): each notice's template — the default or an upload — to download, replace (checked on the
// server: unknown placeholders are refused by name) or reset; the office name and phone printed on notices; and the
// table of placeholders a template may use.
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Popconfirm, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, UndoOutlined, UploadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useSession } from '../../session.tsx';
import { useApiWrite } from '../../write.ts';
import { fileToBase64, mimeOf, saveBase64 } from '../reports/download.ts';
import { SettingsForm, type Settings } from '../settings/SettingsForm.tsx';
import { NOTICE_FIELDS, NOTICE_LOOP, type NoticeKind } from '../../../../electron/shared/notices.ts';
import type { NoticeTemplateInfo } from '../../../../electron/api/contract/notices.ts';

type OfficeValues = Pick<Settings, 'noticeOfficeName' | 'noticePhone'>;
const OFFICE_FIELDS = ['noticeOfficeName', 'noticePhone'] as const;

export function TemplatesTab({ settings }: { settings: Settings }) {
  const { t } = useTranslation('notices');
  const { message } = App.useApp();
  const { can } = useSession();
  const q = useApiQuery('notices.templates');
  const [error, setError] = useState<string | null>(null);
  const upload = useApiWrite('notices.uploadTemplate', { onSuccess: (_r, input) => void message.success(t('templates.uploaded', { title: t(`kind.${input.kind}`) })), onError: (e) => setError(errorMessage(e)) });
  const reset = useApiWrite('notices.resetTemplate', { onSuccess: (_r, input) => void message.success(t('templates.resetDone', { title: t(`kind.${input.kind}`) })), onError: (e) => setError(errorMessage(e)) });
  const mayWrite = can('settings.write');

  const download = async (kind: NoticeKind) => {
    try {
      const f = await api('notices.downloadTemplate', { kind });
      saveBase64(f.fileName, f.dataBase64, mimeOf(f.fileName));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const send = async (kind: NoticeKind, file: File) => {
    setError(null);
    if (!/\.docx$/i.test(file.name)) return setError(t('templates.notDocx'));
    await upload.run({ kind, fileName: file.name, dataBase64: await fileToBase64(file) });
  };

  return (
    <div data-testid="settings-templates">
      <Typography.Paragraph type="secondary">{t('templates.intro')}</Typography.Paragraph>
      {(error ?? q.error) && <Alert type="error" showIcon closable onClose={() => setError(null)} title={error ?? errorMessage(q.error)} style={{ marginBottom: 12 }} data-testid="templates-error" />}
      <Card size="small" className="settings-card">
        <Table<NoticeTemplateInfo>
          rowKey="kind"
          size="small"
          loading={q.isLoading}
          dataSource={q.data ?? []}
          pagination={false}
          columns={[
            { title: t('templates.col.kind'), key: 'kind', render: (_: unknown, r) => t(`kind.${r.kind}`) },
            {
              title: t('templates.col.template'),
              key: 'template',
              render: (_: unknown, r) => (r.custom ? <Tag color="blue">{t('templates.custom', { name: r.fileName, kb: Math.ceil((r.bytes ?? 0) / 1024) })}</Tag> : <Tag>{t('templates.default')}</Tag>),
            },
            { title: t('templates.col.uploaded'), key: 'uploaded', render: (_: unknown, r) => (r.custom ? `${r.uploadedBy ?? ''} ${(r.uploadedAt ?? '').slice(0, 16).replace('T', ' ')}` : '') },
            {
              title: t('templates.col.actions'),
              key: 'actions',
              render: (_: unknown, r) => (
                <Space size={4} wrap>
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => void download(r.kind)} data-testid={`template-download-${r.kind}`}>
                    {t('templates.download')}
                  </Button>
                  {mayWrite && (
                    <Upload accept=".docx" showUploadList={false} beforeUpload={(file) => (void send(r.kind, file), Upload.LIST_IGNORE)}>
                      <Button size="small" icon={<UploadOutlined />} loading={upload.submitting} data-testid={`template-upload-${r.kind}`}>
                        {t('templates.upload')}
                      </Button>
                    </Upload>
                  )}
                  {mayWrite && r.custom && (
                    <Popconfirm title={t('templates.resetConfirm')} onConfirm={() => void reset.run({ kind: r.kind })}>
                      <Button size="small" icon={<UndoOutlined />} data-testid={`template-reset-${r.kind}`}>
                        {t('templates.reset')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <SettingsForm<OfficeValues>
        settings={settings}
        fields={OFFICE_FIELDS}
        testId="settings-notice-office"
        toForm={(s) => ({ noticeOfficeName: s.noticeOfficeName, noticePhone: s.noticePhone })}
        toPatch={(v) => ({ noticeOfficeName: (v.noticeOfficeName ?? '').trim(), noticePhone: (v.noticePhone ?? '').trim() })}
      >
        {() => (
          <Card size="small" title={t('templates.office')} className="settings-card">
            <div className="settings-row">
              <Form.Item label={t('templates.officeName')} name="noticeOfficeName" extra={t('templates.officeNameHelp')}>
                <Input maxLength={80} style={{ width: 320 }} />
              </Form.Item>
              <Form.Item label={t('templates.officePhone')} name="noticePhone" extra={t('templates.officePhoneHelp')}>
                <Input maxLength={40} style={{ width: 200 }} />
              </Form.Item>
            </div>
          </Card>
        )}
      </SettingsForm>
      <Card size="small" title={t('templates.placeholders')} className="settings-card">
        <Table
          rowKey="name"
          size="small"
          pagination={false}
          data-testid="templates-placeholders"
          dataSource={[...NOTICE_FIELDS, NOTICE_LOOP].map((name) => ({ name }))}
          columns={[
            { title: t('templates.ph.name'), dataIndex: 'name', width: 180, render: (n: string) => <Typography.Text code>{n === NOTICE_LOOP ? `{#${n}}…{/${n}}` : `{${n}}`}</Typography.Text> },
            { title: t('templates.ph.means'), dataIndex: 'name', key: 'means', render: (n: string) => t(`templates.means.${n}`) },
          ]}
        />
      </Card>
    </div>
  );
}

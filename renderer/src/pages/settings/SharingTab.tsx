// 共享 (admin): whether the office server runs and the address to give to the committee PCs, the certificate fingerprint
// (text in groups of 4 and a QR code) to compare on each PC, and the LAN settings the server starts with (serverLan,
// serverHost, serverPort). 启动/停止 only where the server can be controlled from here (the desktop app); elsewhere a
// line says how it is run. In the desktop app, 服务器的数据库: this PC's data file or a PostgreSQL URL (checked by the
// core before main keeps it, the password wrapped by the OS key store), for the next start.
import { Alert, App, Button, Card, Form, Input, InputNumber, Popconfirm, QRCode, Select, Space, Switch, Tag, Typography } from 'antd';
import { PauseCircleOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { SettingsForm, type Settings } from './SettingsForm.tsx';
import { fingerprintLink, groupFingerprint } from '../../lib/fingerprint.ts';
import '../office.css';

type Status = OutputOf<'server.status'>;
type Values = Pick<Settings, 'serverLan' | 'serverHost' | 'serverPort'>;
const FIELDS = ['serverLan', 'serverHost', 'serverPort'] as const;

/** The addresses a committee PC can use: one per interface when the server listens on all of them. */
function addresses(s: Status): string[] {
  if (!s.running || !s.url) return [];
  if (s.host === '0.0.0.0' && s.interfaces.length > 0) {
    const scheme = s.url.startsWith('https') ? 'https' : 'http';
    return s.interfaces.map((i) => `${scheme}://${i.address}:${s.port}/`);
  }
  return [s.url];
}

const isLoopback = (host: string | null) => host === '127.0.0.1' || host === 'localhost';

function ServerCard({ s }: { s: Status }) {
  const { t } = useTranslation('office');
  const { message } = App.useApp();
  const start = useApiWrite('server.start', { toast: true, success: t('sharing.started') });
  const stop = useApiWrite('server.stop', { toast: true, success: t('sharing.stoppedToast') });
  const urls = addresses(s);
  const browserMode = !s.running && !s.canControl && typeof window !== 'undefined' && !window.api && window.location.protocol === 'http:';
  return (
    <Card size="small" title={t('sharing.statusTitle')} className="settings-card" data-testid="sharing-server">
      <Space orientation="vertical" size={10} style={{ width: '100%' }}>
        <Space wrap>
          {s.running ? (
            <Tag color="green" data-testid="sharing-running">
              {t('sharing.running')}
            </Tag>
          ) : (
            <Tag data-testid="sharing-stopped">{t('sharing.stopped')}</Tag>
          )}
          {s.canControl &&
            (s.running ? (
              <Popconfirm title={t('sharing.stopTitle')} description={t('sharing.stopText')} okButtonProps={{ danger: true }} onConfirm={() => stop.run()}>
                <Button danger icon={<PauseCircleOutlined />} loading={stop.submitting} data-testid="sharing-stop">
                  {t('sharing.stop')}
                </Button>
              </Popconfirm>
            ) : (
              <Button type="primary" icon={<PlayCircleOutlined />} loading={start.submitting} onClick={() => void start.run()} data-testid="sharing-start">
                {t('sharing.start')}
              </Button>
            ))}
        </Space>
        {urls.length > 0 && (
          <div>
            <Typography.Text strong>{t('sharing.url')}</Typography.Text>
            {urls.map((u) => (
              <div key={u}>
                <Typography.Text className="sharing-url" copyable={{ text: u, onCopy: () => void message.success(t('devices.copied')) }} data-testid="sharing-url">
                  {u}
                </Typography.Text>
              </div>
            ))}
            <Typography.Text type="secondary" className="settings-note">
              {t('sharing.urlHelp')}
            </Typography.Text>
          </div>
        )}
        {s.running && isLoopback(s.host) && <Alert type="warning" showIcon title={t('sharing.urlLocalOnly')} data-testid="sharing-local-only" />}
        {!s.running && !browserMode && <Typography.Text type="secondary">{t('sharing.notRunningHelp')}</Typography.Text>}
        {browserMode && <Alert type="info" showIcon title={t('sharing.browserMode')} data-testid="sharing-browser-mode" />}
        {s.canControl ? (
          <Typography.Text type="secondary" className="settings-note">
            {t('sharing.controlHelp')}
          </Typography.Text>
        ) : (
          <Typography.Paragraph type="secondary" className="settings-note" style={{ marginBottom: 0 }} data-testid="sharing-serve-help">
            {t('sharing.serveHelp')} <Typography.Text code>{t('sharing.serveCommand')}</Typography.Text> {t('sharing.serveHelp2')}
          </Typography.Paragraph>
        )}
      </Space>
    </Card>
  );
}

function FingerprintCard({ s }: { s: Status }) {
  const { t } = useTranslation('office');
  const { message } = App.useApp();
  const grouped = s.fingerprint ? groupFingerprint(s.fingerprint) : null;
  return (
    <Card size="small" title={t('sharing.fingerprintTitle')} className="settings-card" data-testid="sharing-fingerprint">
      {s.fingerprint && grouped ? (
        <>
          <Typography.Paragraph type="secondary" className="settings-note">
            {t('sharing.fingerprintIntro')}
          </Typography.Paragraph>
          <div className="sharing-fingerprint">
            {/* Four groups a line: 16 groups of 4 hex digits, compared line by line. */}
            <Typography.Paragraph
              className="fingerprint-text"
              copyable={{ text: grouped, tooltips: [t('sharing.copyFingerprint'), t('devices.copied')], onCopy: () => void message.success(t('devices.copied')) }}
              data-testid="sharing-fingerprint-text"
            >
              {(grouped.match(/(?:\S+ ?){1,4}/g) ?? []).map((line, i) => (
                <span key={i}>
                  {i > 0 && <br />}
                  {line.trim()}
                </span>
              ))}
            </Typography.Paragraph>
            <div aria-label={t('sharing.qrLabel')} data-testid="sharing-qr">
              <QRCode value={fingerprintLink(addresses(s)[0] ?? s.url, s.fingerprint)} size={168} errorLevel="M" bordered={false} />
            </div>
          </div>
        </>
      ) : (
        <Typography.Text type="secondary">{t('sharing.fingerprintNone')}</Typography.Text>
      )}
    </Card>
  );
}

function LanForm({ settings, s }: { settings: Settings; s: Status | undefined }) {
  const { t } = useTranslation('office');
  const interfaces = s?.interfaces ?? [];
  const known = (host: string) => host === '' || interfaces.some((i) => i.address === host);
  return (
    <SettingsForm<Values>
      settings={settings}
      fields={FIELDS}
      testId="settings-sharing"
      toForm={(x) => ({ serverLan: x.serverLan, serverHost: x.serverHost, serverPort: x.serverPort })}
      toPatch={(v) => ({ serverLan: v.serverLan, serverHost: v.serverHost ?? '', serverPort: v.serverPort })}
    >
      {() => (
        <Card size="small" title={t('sharing.lanTitle')} className="settings-card">
          <Form.Item label={t('sharing.serverLan')} name="serverLan" valuePropName="checked" style={{ marginBottom: 8 }}>
            <Switch checkedChildren={t('sharing.lanOn')} unCheckedChildren={t('sharing.lanOff')} data-testid="sharing-lan" />
          </Form.Item>
          <Form.Item noStyle shouldUpdate={(a: Values, b: Values) => a.serverLan !== b.serverLan || a.serverHost !== b.serverHost}>
            {({ getFieldValue }) => {
              const lan = getFieldValue('serverLan') as boolean;
              const host = (getFieldValue('serverHost') as string | undefined) ?? '';
              return (
                <>
                  {lan ? (
                    <Alert type="warning" showIcon title={t('sharing.lanWarning')} style={{ marginBottom: 16, maxWidth: 720 }} data-testid="sharing-lan-warning" />
                  ) : (
                    <Typography.Paragraph type="secondary" className="settings-note">
                      {t('sharing.lanOffNote')}
                    </Typography.Paragraph>
                  )}
                  <div className="settings-row">
                    <Form.Item label={t('sharing.serverHost')} name="serverHost" extra={t('sharing.hostHelp')}>
                      <Select
                        disabled={!lan}
                        style={{ width: 300 }}
                        data-testid="sharing-host"
                        options={[
                          { value: '', label: t('sharing.allInterfaces') },
                          ...interfaces.map((i) => ({ value: i.address, label: `${i.name} · ${i.address}` })),
                          ...(known(host) ? [] : [{ value: host, label: t('sharing.hostGone', { address: host }) }]),
                        ]}
                      />
                    </Form.Item>
                    <Form.Item
                      label={t('sharing.serverPort')}
                      name="serverPort"
                      extra={t('sharing.portHelp')}
                      rules={[{ required: true, type: 'integer', min: 1024, max: 65535, message: t('admin:settings.range', { min: 1024, max: 65535 }) }]}
                    >
                      <InputNumber min={1024} max={65535} precision={0} style={{ width: 140 }} data-testid="sharing-port" />
                    </Form.Item>
                  </div>
                </>
              );
            }}
          </Form.Item>
        </Card>
      )}
    </SettingsForm>
  );
}

function DatabaseCard({ d }: { d: OutputOf<'server.database'> }) {
  const { t } = useTranslation('office');
  const [form] = Form.useForm<{ url: string }>();
  const save = useApiWrite('server.setDatabase', { form, fields: ['url'], success: t('sharing.dbSaved'), onSuccess: () => form.resetFields() });
  const next = d.next === null ? null : d.next === 'file' ? t('sharing.dbFile') : `${t('sharing.dbPostgres')} ${d.next}`;
  const onPg = d.engine === 'postgres' || (d.next !== null && d.next !== 'file');
  return (
    <Card size="small" title={t('sharing.dbTitle')} className="settings-card" data-testid="sharing-database">
      <Typography.Paragraph type="secondary" className="settings-note">
        {t('sharing.dbIntro')}
      </Typography.Paragraph>
      <Typography.Paragraph data-testid="sharing-db-current">
        <Typography.Text strong>{t('sharing.dbCurrent')}</Typography.Text> {d.engine === 'postgres' ? t('sharing.dbPostgres') : t('sharing.dbFile')}{' '}
        <Typography.Text code>{d.current}</Typography.Text>
      </Typography.Paragraph>
      {next && <Alert type="info" showIcon title={t('sharing.dbNext', { what: next })} style={{ marginBottom: 12, maxWidth: 720 }} data-testid="sharing-db-next" />}
      {save.error && <Alert type="error" showIcon title={save.error} style={{ marginBottom: 12, maxWidth: 720 }} data-testid="sharing-db-error" />}
      <Form form={form} layout="vertical" onFinish={(v) => void save.run({ url: v.url })} style={{ maxWidth: 720 }}>
        <Form.Item label={t('sharing.dbUrl')} name="url" extra={t('sharing.dbUrlHelp')} rules={[{ required: true, message: t('sharing.dbUrlPlaceholder') }]}>
          <Input placeholder={t('sharing.dbUrlPlaceholder')} autoComplete="off" spellCheck={false} data-testid="sharing-db-url" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={save.submitting} data-testid="sharing-db-save">
            {t('sharing.dbSave')}
          </Button>
          {onPg && (
            <Button onClick={() => void save.run({ url: null })} disabled={save.submitting} data-testid="sharing-db-file">
              {t('sharing.dbUseFile')}
            </Button>
          )}
        </Space>
      </Form>
    </Card>
  );
}

export function SharingTab({ settings }: { settings: Settings }) {
  const q = useApiQuery('server.status');
  const s = q.data;
  const db = useApiQuery('server.database');
  return (
    <div data-testid="settings-sharing-tab">
      {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
      {s && (
        <div className="sharing-grid">
          <ServerCard s={s} />
          <FingerprintCard s={s} />
        </div>
      )}
      <LanForm settings={settings} s={s} />
      {db.data?.canChoose && <DatabaseCard d={db.data} />}
    </div>
  );
}

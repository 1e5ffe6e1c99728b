// The desktop app's first start (electron/main/modes.ts opens it with window.desk and no window.api): 本机数据库 or
// 连接到街道服务器. The client path: the server's address → its certificate fingerprint in groups of four, compared
// by eye with the server's 设置 › 共享 → the pairing code and this PC's name. The main process does the network work
// (pinned to the fingerprint confirmed here), keeps the credential and restarts the app in the chosen mode.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { CloudServerOutlined, DesktopOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  DEVICE_NAME_MAX,
  PAIRING_CODE_RE,
  groupFingerprint,
  normalizePairingCode,
  type ConnectionResult,
  type DeskBridge,
  type ProbeAnswer,
} from '../../../electron/shared/connection.ts';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';

declare global {
  interface Window {
    /** Only on the desktop app's first-start choice page (electron/preload, bridge 'connect'). */
    desk?: DeskBridge;
  }
}

/** True when the preload opened the first-start choice instead of the app (App.tsx shows ConnectPage). */
export function isConnectChoice(): boolean {
  return typeof window !== 'undefined' && Boolean(window.desk?.connection);
}

type Step = 'choose' | 'address' | 'fingerprint' | 'pair' | 'done';

export function ConnectPage() {
  const { t } = useTranslation('connect');
  const bridge = window.desk!.connection;
  const [step, setStep] = useState<Step>('choose');
  const [server, setServer] = useState<ProbeAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs one step; a refusal becomes the Alert (the main process's or the server's own words), never a crash. */
  async function run<T>(call: () => Promise<ConnectionResult<T>>, then: (data: T) => void): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const r = await call();
      if (r.ok) then(r.data);
      else setError(t(`error.${r.error.code}`, { message: r.error.message }));
    } catch {
      setError(t('error.thrown'));
    } finally {
      setBusy(false);
    }
  }

  const back = (to: Step) => () => {
    setError(null);
    setStep(to);
  };

  let body;
  if (step === 'choose') {
    body = (
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Paragraph>{t('intro')}</Typography.Paragraph>
        <Card size="small" title={<Space><DesktopOutlined />{t('local.title')}</Space>}>
          <Typography.Paragraph type="secondary">{t('local.desc')}</Typography.Paragraph>
          <Button
            block
            loading={busy}
            data-testid="connect-local"
            onClick={() => void run(() => bridge.chooseLocal(), () => { setDone(t('localDone')); setStep('done'); })}
          >
            {t('local.button')}
          </Button>
        </Card>
        <Card size="small" title={<Space><CloudServerOutlined />{t('client.title')}</Space>}>
          <Typography.Paragraph type="secondary">{t('client.desc')}</Typography.Paragraph>
          <Button type="primary" block data-testid="connect-client" onClick={back('address')}>
            {t('client.button')}
          </Button>
        </Card>
      </Space>
    );
  } else if (step === 'address') {
    body = (
      <Form layout="vertical" requiredMark={false} initialValues={{ url: server?.url ?? '' }} onFinish={(v: { url: string }) => void run(() => bridge.probe(v.url), (answer) => { setServer(answer); setStep('fingerprint'); })}>
        <Typography.Title level={5}>{t('address.title')}</Typography.Title>
        <Form.Item name="url" label={t('address.label')} extra={t('address.help')} rules={[{ required: true, whitespace: true, message: t('address.required') }]}>
          <Input autoFocus placeholder={t('address.placeholder')} data-testid="connect-url" />
        </Form.Item>
        <Space>
          <Button onClick={back('choose')}>{t('back')}</Button>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="connect-probe">
            {t('address.next')}
          </Button>
        </Space>
      </Form>
    );
  } else if (step === 'fingerprint' && server) {
    body = (
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Title level={5}>{t('fingerprint.title')}</Typography.Title>
        <Typography.Text>{t('fingerprint.server', { url: server.url })}</Typography.Text>
        <Typography.Paragraph>{t('fingerprint.help')}</Typography.Paragraph>
        <pre className="connect-fingerprint" data-testid="connect-fingerprint" style={{ fontSize: 16, lineHeight: 1.8, whiteSpace: 'pre-wrap', margin: 0 }}>
          {groupFingerprint(server.fingerprint)}
        </pre>
        <Typography.Text type="secondary">{t('fingerprint.differentHelp')}</Typography.Text>
        <Space>
          <Button onClick={back('address')} data-testid="connect-fingerprint-differs">
            {t('fingerprint.different')}
          </Button>
          <Button type="primary" icon={<SafetyCertificateOutlined />} onClick={back('pair')} data-testid="connect-fingerprint-same">
            {t('fingerprint.same')}
          </Button>
        </Space>
      </Space>
    );
  } else if (step === 'pair' && server) {
    body = (
      <Form
        layout="vertical"
        requiredMark={false}
        autoComplete="off"
        onFinish={(v: { code: string; name: string }) =>
          void run(
            () => bridge.pair({ url: server.url, fingerprint: server.fingerprint, code: normalizePairingCode(v.code), name: v.name.trim() }),
            (paired) => {
              setDone(t('done', { url: server.url, name: paired.name }));
              setStep('done');
            },
          )
        }
      >
        <Typography.Title level={5}>{t('pair.title')}</Typography.Title>
        <Form.Item
          name="code"
          label={t('pair.code')}
          extra={t('pair.codeHelp')}
          rules={[{ validator: (_r, value: string | undefined) => (PAIRING_CODE_RE.test(normalizePairingCode(value ?? '')) ? Promise.resolve() : Promise.reject(new Error(t('pair.codeInvalid')))) }]}
        >
          <Input autoFocus inputMode="numeric" maxLength={12} placeholder={t('pair.codePlaceholder')} data-testid="connect-code" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('pair.name')}
          extra={t('pair.nameHelp')}
          rules={[
            { required: true, whitespace: true, message: t('pair.nameRequired') },
            { max: DEVICE_NAME_MAX, message: t('pair.nameTooLong', { n: DEVICE_NAME_MAX }) },
          ]}
        >
          <Input placeholder={t('pair.namePlaceholder')} data-testid="connect-name" />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t('pair.credentialNote')}</Typography.Paragraph>
        <Space>
          <Button onClick={back('fingerprint')}>{t('back')}</Button>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="connect-pair">
            {t('pair.submit')}
          </Button>
        </Space>
      </Form>
    );
  } else {
    body = <Alert type="success" showIcon title={done} data-testid="connect-done" />;
  }

  return (
    <div className="auth-screen">
      <div className="auth-lang">
        <LanguageSwitch />
      </div>
      <Card className="auth-card" style={{ width: 560 }} title={t('title')}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16, whiteSpace: 'pre-wrap' }} data-testid="connect-error" />}
        {body}
      </Card>
    </div>
  );
}

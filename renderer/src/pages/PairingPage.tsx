// 配对: shown instead of 登录 when the office server answers DEVICE_UNPAIRED (this browser was never paired, or its
// pairing was revoked). The clerk enters a pairing code from the administrator and names the computer once; the server
// sets the device cookie (POST /api/devices.pair, the server's own route, not a contract channel), then 登录 follows.
// The browser cannot read the server's certificate, so the fingerprint check stays a hint (with the fingerprint from
// the administrator's link or QR code, #/?fp=…, when there is one).
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Typography } from 'antd';
import { KeyOutlined, LaptopOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { messageText } from '../api.ts';
import { msg, type MessageKey, type Params } from '../../../electron/shared/messages/index.ts';
import { PAIRING } from '../../../electron/shared/limits.ts';
import { useSession } from '../session.tsx';
import { useQueryParams } from '../router.tsx';
import { AuthFrame } from '../components/AuthFrame.tsx';
import { groupFingerprint } from '../lib/fingerprint.ts';
import './office.css';

interface Values {
  code: string;
  name: string;
}

const NAME_KEY = 'isolation-desk.deviceName';

function savedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

type PairAnswer = { ok: true; data: { deviceId: number; name: string } } | { ok: false; error: { code: string; key: MessageKey; params?: Params } };

/** Pairs this browser; the error message in the interface language, or null when paired. */
async function pair(code: string, name: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch('/api/devices.pair', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, name }),
      credentials: 'same-origin',
    });
  } catch {
    return messageText(msg('network.unreachable'));
  }
  const body = (await res.json().catch(() => null)) as PairAnswer | null;
  if (!body || typeof body !== 'object' || !('ok' in body)) return messageText(msg('network.badAnswer', { status: res.status }));
  if (body.ok) return null;
  return messageText({ key: body.error.key, params: body.error.params });
}

export function PairingPage() {
  const { t } = useTranslation('office');
  const { paired, notice } = useSession();
  const { message } = App.useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Values>();
  // Followed as the URL changes: a #/?fp=… link opened in a tab already on this screen shows its fingerprint too.
  const [query] = useQueryParams();
  const fp = query.fp ?? '';
  const given = /^[0-9a-f]{64}$/i.test(fp) ? fp : null;

  const submit = async (v: Values) => {
    const name = v.name.trim();
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      // No storage (private window): the name is only not remembered.
    }
    setBusy(true);
    setError(null);
    const problem = await pair(v.code, name);
    setBusy(false);
    if (problem) {
      setError(problem);
      form.setFieldValue('code', '');
      form.getFieldInstance('code')?.focus?.();
      return;
    }
    void message.success(t('pair.done'));
    paired();
  };

  return (
    <AuthFrame title={t('pair.title')}>
      <div data-testid="pair-page">
        {notice && !error && <Alert type="warning" showIcon title={notice} style={{ marginBottom: 12 }} data-testid="pair-notice" />}
        <Typography.Paragraph>{t('pair.intro')}</Typography.Paragraph>
        <Typography.Paragraph type="secondary" className="pair-where">
          {t('pair.where')}
          <br />
          <Typography.Text code>isolation-desk devices pair-code</Typography.Text>
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="pair-error" />}
        <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark={false} autoComplete="off" initialValues={{ code: '', name: savedName() }}>
          <Form.Item
            label={t('pair.code')}
            name="code"
            extra={t('pair.codeRules')}
            // Digits only (a code read out as "1234 5678" may be typed with its space).
            normalize={(v: string) => v.replace(/\D/g, '').slice(0, PAIRING.digits)}
            rules={[{ pattern: new RegExp(`^\\d{${PAIRING.digits}}$`), required: true, message: messageText(msg('device.codeFormat')) }]}
          >
            <Input
              prefix={<KeyOutlined />}
              autoFocus
              inputMode="numeric"
              autoComplete="one-time-code"
              size="large"
              placeholder={t('pair.codePlaceholder')}
              className="pair-code-input"
              data-testid="pair-code"
            />
          </Form.Item>
          <Form.Item
            label={t('pair.name')}
            name="name"
            extra={t('pair.nameHelp')}
            rules={[{ required: true, whitespace: true, max: PAIRING.nameMax, message: messageText(msg('device.nameRequired')) }]}
          >
            <Input prefix={<LaptopOutlined />} maxLength={PAIRING.nameMax} placeholder={t('pair.namePlaceholder')} data-testid="pair-name" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy} data-testid="pair-submit">
            {t('pair.submit')}
          </Button>
        </Form>
        <Alert
          type="info"
          showIcon
          icon={<SafetyCertificateOutlined />}
          className="pair-fingerprint"
          title={<span data-testid="pair-fingerprint-hint">{t('pair.fingerprintHint')}</span>}
          description={
            <>
              <div className="settings-note">{t('pair.fingerprintHow')}</div>
              {given && (
                <div className="pair-fingerprint-given">
                  {t('pair.fingerprintGiven')}
                  <div className="fingerprint-text" data-testid="pair-fingerprint-given">
                    {groupFingerprint(given)}
                  </div>
                </div>
              )}
            </>
          }
        />
      </div>
    </AuthFrame>
  );
}

// A masked phone (138****5678) with 显示号码 for users allowed to reveal it; the reveal goes through the server,
// which writes it to the audit log, and the full number becomes a tel: link to call.
import { useState } from 'react';
import { App, Button, Space, Tooltip, Typography } from 'antd';
import { EyeOutlined, PhoneOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api.ts';
import { useSession } from '../../session.tsx';

export function PhoneReveal({ residentId, masked }: { residentId: number; masked: string | null }) {
  const { t } = useTranslation('residents');
  const { can } = useSession();
  const { message } = App.useApp();
  const [full, setFull] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!masked) return <Typography.Text type="secondary">{t('phone.none')}</Typography.Text>;
  if (full) {
    return (
      <Space size={8}>
        <Typography.Text copyable data-testid="phone-full">
          {full}
        </Typography.Text>
        <a href={`tel:${full}`}>
          <PhoneOutlined /> {t('phone.call')}
        </a>
      </Space>
    );
  }
  const reveal = async () => {
    setBusy(true);
    try {
      const r = await api('residents.reveal', { id: residentId, field: 'phone' });
      setFull(r.value ?? '');
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space size={8}>
      <Typography.Text data-testid="phone-masked">{masked}</Typography.Text>
      {can('residents.reveal') && (
        <Tooltip title={t('phone.revealTip')}>
          <Button size="small" type="link" icon={<EyeOutlined />} loading={busy} onClick={() => void reveal()} data-testid="phone-reveal">
            {t('phone.reveal')}
          </Button>
        </Tooltip>
      )}
    </Space>
  );
}

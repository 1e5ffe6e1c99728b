// A masked phone (138****5678) with 显示号码 for users allowed to reveal it — a resident's in the person drawer, a
// cadre's in the 下沉干部 roster. The reveal goes through the server, which checks the permission and the community
// and writes it to the audit log; the full number then becomes a tel: link to call.
import { useState } from 'react';
import { App, Button, Space, Tooltip, Typography } from 'antd';
import { EyeOutlined, PhoneOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api.ts';

interface Props {
  masked: string | null;
  /** Calls the audited reveal channel; resolves with the full number. */
  reveal: () => Promise<string | null>;
  allowed: boolean;
  /** An icon-only button (a table cell). */
  compact?: boolean;
  testId?: string;
}

export function PhoneReveal({ masked, reveal, allowed, compact, testId = 'phone' }: Props) {
  const { t } = useTranslation('residents');
  const { message } = App.useApp();
  const [full, setFull] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!masked) return <Typography.Text type="secondary">{t('phone.none')}</Typography.Text>;
  if (full) {
    return (
      <Space size={compact ? 4 : 8}>
        <Typography.Text copyable={!compact} data-testid={`${testId}-full`}>
          {full}
        </Typography.Text>
        <a href={`tel:${full}`} title={t('phone.call')}>
          <PhoneOutlined /> {!compact && t('phone.call')}
        </a>
      </Space>
    );
  }
  const show = async () => {
    setBusy(true);
    try {
      setFull((await reveal()) ?? '');
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space size={compact ? 0 : 8}>
      <Typography.Text data-testid={`${testId}-masked`}>{masked}</Typography.Text>
      {allowed && (
        <Tooltip title={t('phone.revealTip')}>
          <Button
            size="small"
            type="link"
            icon={<EyeOutlined />}
            loading={busy}
            onClick={() => void show()}
            aria-label={t('phone.reveal')}
            data-testid={`${testId}-reveal`}
          >
            {!compact && t('phone.reveal')}
          </Button>
        </Tooltip>
      )}
    </Space>
  );
}

// 审计链: when the audit trail's hash chain was last checked and with what result; an admin can check it now (the
// check runs in the core, is recorded and audited). A failed check names the first row that does not verify.
import { Alert, App, Button, Space, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { useSession } from '../../session.tsx';
import { atText } from './format.ts';

export function ChainStatus({ onChecked }: { onChecked?: () => void }) {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const { can } = useSession();
  const status = useApiQuery('audit.chainStatus', {});
  const check = useApiWrite('audit.verifyChain', {
    toast: true,
    onSuccess: (r) => {
      if (r.ok) void message.success(t('audit.chain.passed', { n: r.rows.toLocaleString() }));
      else void message.error(t('audit.chain.failedShort'));
      onChecked?.();
    },
  });
  const last = status.data ?? null;
  const button = can('audit.verify') && (
    <Button size="small" icon={<SafetyCertificateOutlined />} loading={check.submitting} onClick={() => void check.run({})} data-testid="audit-chain-check">
      {t('audit.chain.check')}
    </Button>
  );
  if (status.isLoading) return null;
  if (!last) {
    return (
      <Space size={8} className="audit-chain" data-testid="audit-chain" data-state="never">
        <Typography.Text type="secondary">{t('audit.chain.never')}</Typography.Text>
        {button}
      </Space>
    );
  }
  const when = t('audit.chain.when', { at: atText(last.at), user: last.userName });
  if (last.ok) {
    return (
      <Space size={8} className="audit-chain" data-testid="audit-chain" data-state="ok">
        <Typography.Text type="success">{t('audit.chain.ok', { n: last.rows.toLocaleString() })}</Typography.Text>
        <Typography.Text type="secondary">{when}</Typography.Text>
        {button}
      </Space>
    );
  }
  return (
    <Alert
      type="error"
      showIcon
      data-testid="audit-chain"
      data-state="failed"
      title={last.brokenId !== null ? t('audit.chain.brokenAt', { id: last.brokenId }) : t('audit.chain.failed')}
      description={
        <Space orientation="vertical" size={2}>
          {last.problems.slice(0, 5).map((p) => (
            <Typography.Text key={p}>{p}</Typography.Text>
          ))}
          <Typography.Text type="secondary">
            {when} {t('audit.chain.advice')}
          </Typography.Text>
        </Space>
      }
      action={button}
      style={{ marginBottom: 8 }}
    />
  );
}

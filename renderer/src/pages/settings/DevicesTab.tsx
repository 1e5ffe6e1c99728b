// 设备 (admin): single-use pairing codes for new computers (big, monospaced, with their expiry and a countdown), and
// the devices paired with the office server — name, who paired it, when, last seen, address — with 撤销 (the device is
// refused at once, even with the right password). Revoked devices stay in the list, greyed.
import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Empty, InputNumber, Popconfirm, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { CopyOutlined, KeyOutlined, StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage, type OutputOf } from '../../api.ts';
import { useApiQuery } from '../../query.ts';
import { useApiWrite } from '../../write.ts';
import { PAIRING } from '../../../../electron/shared/limits.ts';
import '../office.css';

type Device = OutputOf<'devices.list'>[number];
type Codes = OutputOf<'devices.pairCodes'>;

/** '2026-12-07T10:45:12+08:00' → '2026-12-07 10:45' (the office's local time as stored). */
const when = (v: string | null): string => (v ? v.slice(0, 16).replace('T', ' ') : '—');
const hhmm = (d: Date): string => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
const mmss = (ms: number): string => {
  // Clamped: the browser's clock may run a moment behind the server that set the expiry.
  const s = Math.min(PAIRING.minutes * 60, Math.max(0, Math.ceil(ms / 1000)));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
/** '12345678' → '1234 5678' to read out; copied and typed without the space. */
const spaced = (code: string): string => `${code.slice(0, 4)} ${code.slice(4)}`;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function PairCodes() {
  const { t } = useTranslation('office');
  const { message } = App.useApp();
  const [count, setCount] = useState(1);
  const [made, setMade] = useState<Codes | null>(null);
  const make = useApiWrite('devices.pairCodes', { onSuccess: (r) => setMade(r), success: (r) => t('devices.madeN', { n: r.codes.length }) });
  const expires = made ? new Date(made.expiresAt) : null;
  const now = useNow(!!made);
  const left = expires ? expires.getTime() - now : 0;
  const expired = !!made && left <= 0;

  const copyAll = async () => {
    if (!made) return;
    try {
      await navigator.clipboard.writeText(made.codes.join('\n'));
      void message.success(t('devices.copied'));
    } catch {
      void message.error(errorMessage(null));
    }
  };

  return (
    <Card size="small" title={t('devices.codesTitle')} className="settings-card" data-testid="pair-codes-card">
      <Typography.Paragraph type="secondary" className="settings-note">
        {t('devices.codesIntro')} <Typography.Text code>isolation-desk devices pair-code</Typography.Text>
      </Typography.Paragraph>
      <Space wrap>
        <span>{t('devices.count')}</span>
        <InputNumber min={1} max={PAIRING.maxAtOnce} precision={0} value={count} onChange={(v) => setCount(v ?? 1)} style={{ width: 90 }} data-testid="pair-codes-count" />
        <Button type="primary" icon={<KeyOutlined />} loading={make.submitting} onClick={() => void make.run({ count })} data-testid="pair-codes-make">
          {t('devices.make')}
        </Button>
      </Space>
      {make.error && <Alert type="error" showIcon title={make.error} style={{ marginTop: 12 }} data-testid="pair-codes-error" />}
      {made && expires && (
        <>
          <div className="pair-codes" data-testid="pair-codes">
            {made.codes.map((c) => (
              <div key={c} className={`pair-code-card${expired ? ' is-expired' : ''}`}>
                <Typography.Text className="pair-code-big" copyable={{ text: c, tooltips: [t('devices.copy'), t('devices.copied')] }} delete={expired} data-testid="pair-code-value" data-code={c}>
                  {spaced(c)}
                </Typography.Text>
              </div>
            ))}
          </div>
          <Space wrap style={{ marginTop: 10 }}>
            <Typography.Text type={expired ? 'danger' : 'secondary'} data-testid="pair-codes-expiry">
              {expired ? t('devices.expired') : `${t('devices.validUntil', { time: hhmm(expires) })} · ${t('devices.left', { time: mmss(left) })}`}
            </Typography.Text>
            {made.codes.length > 1 && !expired && (
              <Button size="small" icon={<CopyOutlined />} onClick={() => void copyAll()}>
                {t('devices.copyAll')}
              </Button>
            )}
          </Space>
        </>
      )}
    </Card>
  );
}

export function DevicesTab() {
  const { t } = useTranslation('office');
  const { t: ta } = useTranslation('admin');
  const q = useApiQuery('devices.list');
  const status = useApiQuery('server.status');
  const mine = status.data?.deviceId ?? null;
  const revoke = useApiWrite('devices.revoke', { toast: true, success: (d) => t('devices.revokedToast', { name: d.name }) });

  return (
    <div data-testid="settings-devices">
      <PairCodes />
      <Card size="small" title={t('devices.listTitle')} className="settings-card">
        <Typography.Paragraph type="secondary" className="settings-note">
          {t('devices.listIntro')}
        </Typography.Paragraph>
        {q.error && <Alert type="error" showIcon title={errorMessage(q.error)} style={{ marginBottom: 12 }} />}
        <Table<Device>
          rowKey="id"
          size="middle"
          className="devices-table"
          data-testid="devices-table"
          loading={q.isLoading}
          dataSource={q.data ?? []}
          rowClassName={(d) => (d.revokedAt ? 'device-revoked' : '')}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description={t('devices.empty')} /> }}
          columns={[
            {
              title: t('devices.col.name'),
              dataIndex: 'name',
              ellipsis: true,
              render: (v: string, d) => (
                <Space size={6}>
                  <span>{v}</span>
                  {d.id === mine && <Tag color="blue">{t('devices.thisDevice')}</Tag>}
                </Space>
              ),
            },
            { title: t('devices.col.pairedBy'), dataIndex: 'pairedBy', width: 110 },
            { title: t('devices.col.pairedAt'), dataIndex: 'pairedAt', width: 150, render: when },
            { title: t('devices.col.lastSeenAt'), dataIndex: 'lastSeenAt', width: 150, render: when },
            { title: t('devices.col.address'), key: 'address', width: 140, render: (_: unknown, d) => d.lastAddress ?? d.pairedAddress ?? '—' },
            {
              title: t('devices.col.status'),
              key: 'status',
              width: 100,
              render: (_: unknown, d) =>
                d.revokedAt ? (
                  <Tooltip title={t('devices.revokedBy', { by: d.revokedBy ?? '', at: when(d.revokedAt) })}>
                    <Tag data-testid={`device-revoked-${d.id}`}>{t('devices.revoked')}</Tag>
                  </Tooltip>
                ) : (
                  <Tag color="green">{t('devices.active')}</Tag>
                ),
            },
            {
              title: ta('common.actions'),
              key: 'actions',
              width: 100,
              render: (_: unknown, d) =>
                d.revokedAt ? null : (
                  <Popconfirm
                    title={t('devices.revokeTitle', { name: d.name })}
                    description={<div style={{ maxWidth: 320 }}>{d.id === mine ? `${t('devices.revokeText')} ${t('devices.revokeSelf')}` : t('devices.revokeText')}</div>}
                    okText={t('devices.revokeOk')}
                    cancelText={ta('common.cancel')}
                    okButtonProps={{ danger: true, ...({ 'data-testid': `device-revoke-ok-${d.id}` } as object) }}
                    onConfirm={() => revoke.run({ id: d.id })}
                  >
                    <Button size="small" danger icon={<StopOutlined />} data-testid={`device-revoke-${d.id}`}>
                      {t('devices.revoke')}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
    </div>
  );
}

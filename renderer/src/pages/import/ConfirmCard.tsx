// 导入前请确认: what a resident list may only do with the clerk's explicit choice (electron/excel/import/confirm.ts) —
// a title naming another subdistrict, people whose isolation is already over, communities the system lacks — each
// with its consequence. Every choice reads the list again (the counts follow it); the commit is refused by the core
// while a choice is missing, and the 导入 button waits for them too.
import { Alert, Card, Checkbox, Radio, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Confirm, Confirmations } from './model.ts';
import { paren, punct } from '../../i18n/codes.ts';

interface Props {
  confirmations: Confirmations;
  confirm: Confirm | undefined;
  busy: boolean;
  onConfirm: (next: Confirm) => void;
}

export function needsConfirmCard(c: Confirmations): boolean {
  return !!c.otherSubdistrict || !!c.stale || c.newCommunities.length > 0;
}

export function ConfirmCard({ confirmations: c, confirm = {}, busy, onConfirm }: Props) {
  const { t } = useTranslation('excel');
  const created = Array.isArray(confirm.createCommunities) ? confirm.createCommunities : [];
  const setCommunity = (name: string, on: boolean) => {
    const next = on ? [...created.filter((n) => n !== name), name] : created.filter((n) => n !== name);
    onConfirm({ ...confirm, createCommunities: next.length ? next : undefined });
  };
  return (
    <Card size="small" className="import-card import-confirm" title={t('import.confirm.title')} data-testid="import-confirm">
      <Typography.Paragraph>{t('import.confirm.intro')}</Typography.Paragraph>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {c.otherSubdistrict && (
          <div data-testid="confirm-other">
            <Alert type="warning" showIcon title={t('import.confirm.otherTitle', c.otherSubdistrict)} style={{ marginBottom: 8 }} />
            <Checkbox checked={!!confirm.otherSubdistrict} disabled={busy} onChange={(e) => onConfirm({ ...confirm, otherSubdistrict: e.target.checked || undefined })} data-testid="confirm-other-check">
              {t('import.confirm.otherCheck')}
            </Checkbox>
          </div>
        )}
        {c.newCommunities.length > 0 && (
          <div data-testid="confirm-communities">
            <Typography.Text strong>{t('import.confirm.communitiesTitle')}</Typography.Text>
            {c.newCommunities.map((n) => (
              <div key={n.name} className="import-confirm-item">
                <Checkbox checked={n.confirmed} disabled={busy} onChange={(e) => setCommunity(n.name, e.target.checked)} data-testid={`confirm-community-${n.name}`}>
                  {t('import.confirm.community', { name: n.name, n: n.rows })}
                </Checkbox>
                <div className="import-help">{n.nearest.length ? t('import.confirm.nearest', { names: n.nearest.join(punct(t, 'list')) }) : t('import.confirm.noNearest')}</div>
              </div>
            ))}
            <div className="import-help">{t('import.confirm.unchecked')}</div>
          </div>
        )}
        {c.stale && (
          <div data-testid="confirm-stale">
            <Typography.Text strong>{t('import.confirm.staleTitle', { n: c.stale.count })}</Typography.Text>
            <div>{t('import.confirm.staleText', { start: c.stale.earliestStart, last: c.stale.latestLastDay })}</div>
            <div className="import-help">
              {t('import.confirm.staleRows', {
                rows: c.stale.rows
                  .slice(0, 3)
                  .map((r) => paren(t, r.name, `${r.startDate} – ${r.lastDay}`))
                  .join(punct(t, 'list')),
              })}
            </div>
            <Radio.Group value={confirm.stale} disabled={busy} onChange={(e) => onConfirm({ ...confirm, stale: e.target.value as Confirm['stale'] })} className="import-confirm-stale">
              <Radio value="import-ended" data-testid="confirm-stale-ended">
                <Typography.Text strong>{t('import.confirm.staleEnded')}</Typography.Text>
                <span className="import-help-inline">{t('import.confirm.staleEndedHelp')}</span>
              </Radio>
              <Radio value="import-active" data-testid="confirm-stale-active">
                <Typography.Text strong>{t('import.confirm.staleActive')}</Typography.Text>
                <span className="import-help-inline">{t('import.confirm.staleActiveHelp', { n: c.stale.count })}</span>
              </Radio>
            </Radio.Group>
          </div>
        )}
      </Space>
    </Card>
  );
}

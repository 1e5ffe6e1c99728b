// The 工作台's 特殊人群 card: per need, the people under isolation or monitoring carrying it (dashboard.get's needs,
// the same numbers as the daily report's sheet); each opens 隔离人员 filtered by that need.
import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../api.ts';
import './needs.css';

export function NeedsCard({ needs }: { needs: OutputOf<'dashboard.get'>['needs'] | undefined }) {
  const { t } = useTranslation('needs');
  if (!needs) return null;
  return (
    <Card size="small" title={t('dashboard')} className="chart-card need-card" data-testid="dashboard-needs">
      <div className="need-counts">
        {needs.totals.map((n) => (
          <a key={n.need} className="need-count" href={`#/residents?status=active&needs=${encodeURIComponent(n.need)}`} data-need={n.need}>
            <span>{t(`enums:need.${n.need}`)}</span>
            <strong>{n.underControl}</strong>
          </a>
        ))}
      </div>
      <Typography.Text type="secondary" className="dashboard-note">
        {t('dashboardHint')}
      </Typography.Text>
    </Card>
  );
}

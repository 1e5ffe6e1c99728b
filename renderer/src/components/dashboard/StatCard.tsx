// One big number of the 工作台: label, value, optional second line; red when it needs attention; opens its list.
import type { ReactNode } from 'react';
import { Card } from 'antd';
import { navigate } from '../../router.tsx';

export interface StatCardProps {
  id: string;
  label: string;
  value: number | null | undefined;
  unit?: string;
  /** Red when the value is not zero (abnormal, overdue, missing). */
  alarm?: boolean;
  extra?: ReactNode;
  to: string;
  icon?: ReactNode;
}

export function StatCard({ id, label, value, unit, alarm, extra, to, icon }: StatCardProps) {
  const hot = !!alarm && !!value;
  return (
    <Card
      hoverable
      size="small"
      className={`stat-card${hot ? ' stat-card-alarm' : ''}`}
      data-testid={`stat-${id}`}
      role="link"
      tabIndex={0}
      onClick={() => navigate(to)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          navigate(to);
        }
      }}
    >
      <div className="stat-label">
        {icon}
        <span>{label}</span>
      </div>
      <div className="stat-value">
        <span data-testid={`stat-${id}-value`}>{value ?? '—'}</span>
        {unit && value != null && <span className="stat-unit">{unit}</span>}
      </div>
      <div className="stat-extra">{extra ?? '\u00a0'}</div>
    </Card>
  );
}

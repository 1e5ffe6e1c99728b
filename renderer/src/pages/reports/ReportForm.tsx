// The export form: which of the five reports, its date (or date range / status), the community (committee members:
// their own), and 脱敏 — on by default; turning it off is for admins and clerks only and is written to the audit log.
import { Alert, Card, DatePicker, Form, Radio, Select, Switch, Tooltip, Typography } from 'antd';
import { EyeInvisibleOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useMe, useSession } from '../../session.tsx';

export const REPORTS = ['daily-report', 'roster', 'checkins', 'supplies', 'cadres', 'cadre-work'] as const;
export type ReportName = (typeof REPORTS)[number];
/** The reports over a date range (the others are of one day). */
export const isRanged = (r: ReportName | undefined) => r === 'checkins' || r === 'cadre-work';
export const SUPPLY_STATUSES = ['open', 'new', 'assigned', 'delivering', 'delivered', 'cancelled'] as const;

export interface ReportValues {
  report: ReportName;
  date: Dayjs;
  range: [Dayjs, Dayjs];
  status?: (typeof SUPPLY_STATUSES)[number];
  communityId?: number;
  masked: boolean;
}

export function ReportFields() {
  const { t } = useTranslation('excel');
  const me = useMe();
  const { can } = useSession();
  const report = Form.useWatch('report') as ReportName | undefined;
  const masked = Form.useWatch('masked') as boolean | undefined;
  const communities = useApiQuery('places.communities');
  const committee = me.actor.role === 'committee';
  const mayUnmask = can('reports.exportUnmasked');
  const future = (d: Dayjs) => d.format('YYYY-MM-DD') > me.today;

  return (
    <>
      <Form.Item name="report" label={t('reports.which')} rules={[{ required: true, message: t('reports.pick') }]}>
        <Radio.Group className="report-choices">
          {REPORTS.map((r) => (
            <Radio key={r} value={r} className="report-choice" data-testid={`report-${r}`}>
              <Card size="small" className={report === r ? 'report-card report-card-on' : 'report-card'}>
                <Typography.Text strong>{t(`reports.name.${r}`)}</Typography.Text>
                <div className="report-desc">{t(`reports.desc.${r}`)}</div>
              </Card>
            </Radio>
          ))}
        </Radio.Group>
      </Form.Item>
      <div className="report-params">
        {isRanged(report) ? (
          <Form.Item name="range" label={t('reports.range')} rules={[{ required: true, message: t('reports.rangeRequired') }]}>
            <DatePicker.RangePicker disabledDate={future} allowClear={false} data-testid="report-range" />
          </Form.Item>
        ) : (
          <Form.Item name="date" label={report === 'roster' ? t('reports.rosterDate') : t('reports.date')} rules={[{ required: true, message: t('reports.dateRequired') }]}>
            <DatePicker disabledDate={future} allowClear={false} data-testid="report-date" />
          </Form.Item>
        )}
        {report === 'supplies' && (
          <Form.Item name="status" label={t('reports.status')}>
            <Select allowClear placeholder={t('reports.statusAll')} options={SUPPLY_STATUSES.map((s) => ({ value: s, label: t(`reports.supplyStatus.${s}`) }))} style={{ width: 180 }} />
          </Form.Item>
        )}
        <Form.Item name="communityId" label={t('reports.community')} extra={committee ? t('reports.ownCommunity') : undefined}>
          <Select
            allowClear={!committee}
            disabled={committee}
            placeholder={t('reports.wholeSubdistrict')}
            options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            style={{ width: 200 }}
            data-testid="report-community"
          />
        </Form.Item>
        <Form.Item name="masked" label={t('reports.masking')} valuePropName="checked">
          <Switch
            disabled={!mayUnmask}
            checkedChildren={
              <>
                <EyeInvisibleOutlined /> {t('reports.masked')}
              </>
            }
            unCheckedChildren={t('reports.unmasked')}
            data-testid="report-masked"
          />
        </Form.Item>
        {!mayUnmask && (
          <Tooltip title={t('reports.unmaskNotAllowed')}>
            <Typography.Text type="secondary" className="report-note">
              {t('reports.maskedOnly')}
            </Typography.Text>
          </Tooltip>
        )}
      </div>
      {masked === false && <Alert type="warning" showIcon title={t('reports.unmaskedWarning')} style={{ marginBottom: 16 }} data-testid="unmasked-warning" />}
    </>
  );
}

// The export form: which of the five reports, its date (or date range / status), the community (committee members:
// their own), a compound and building (人员台账, 健康监测记录, 物资需求清单), and 脱敏 — on by default; turning it off is for admins and clerks only and is written to the audit log.
import { Alert, Card, DatePicker, Form, Radio, Select, Switch, Tooltip, Typography } from 'antd';
import { EyeInvisibleOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../query.ts';
import { useMe, useSession } from '../../session.tsx';
import { BuildingSelect, CompoundSelect } from '../../components/PlacePicker.tsx';

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
  /** 人员台账, 健康监测记录 and 物资需求清单 only: one compound, and one of its buildings. */
  compoundId?: number | null;
  buildingId?: number | null;
  masked: boolean;
  /** 隔离人员台账 only: 'print' = the 打印版. */
  layout?: 'table' | 'print';
}

/** The reports that can be narrowed to a compound or building. */
export const PLACE_REPORTS: readonly ReportName[] = ['roster', 'checkins', 'supplies'];

export function ReportFields() {
  const { t } = useTranslation('excel');
  const { t: tp } = useTranslation('places');
  const { t: tpr } = useTranslation('print');
  const me = useMe();
  const { can } = useSession();
  const report = Form.useWatch('report') as ReportName | undefined;
  const masked = Form.useWatch('masked') as boolean | undefined;
  const communityId = Form.useWatch('communityId') as number | undefined;
  const compoundId = Form.useWatch('compoundId') as number | null | undefined;
  const form = Form.useFormInstance<ReportValues>();
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
        {report === 'roster' && (
          <Form.Item name="layout" label={tpr('layout')} tooltip={tpr('printHint')}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'table', label: tpr('table') },
                { value: 'print', label: tpr('print') },
              ]}
              data-testid="report-layout"
            />
          </Form.Item>
        )}
        <Form.Item name="communityId" label={t('reports.community')} extra={committee ? t('reports.ownCommunity') : undefined}>
          <Select
            allowClear={!committee}
            disabled={committee}
            placeholder={t('reports.wholeSubdistrict')}
            options={(communities.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            style={{ width: 200 }}
            onChange={() => form.setFieldsValue({ compoundId: null, buildingId: null })}
            data-testid="report-community"
          />
        </Form.Item>
        {report && PLACE_REPORTS.includes(report) && (
          <>
            <Form.Item name="compoundId" label={tp('compound')}>
              <CompoundSelect communities={communities.data ?? []} communityId={communityId} value={compoundId} onChange={() => form.setFieldValue('buildingId', null)} testId="report-compound" />
            </Form.Item>
            <Form.Item name="buildingId" label={tp('building')}>
              <BuildingSelect compoundId={compoundId} value={null} onChange={() => undefined} testId="report-building" />
            </Form.Item>
          </>
        )}
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

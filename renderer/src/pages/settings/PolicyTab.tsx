// 单位与防控政策: the office's name and place (区, 街道), the default isolation policy, the fever threshold, the daily
// check-in cutoff times, the time zone and whether every check-in needs a temperature (then no whole-building entry).
// A policy change applies to new episodes only — said next to the fields.
import { Alert, Card, Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { SettingsForm, type Settings } from './SettingsForm.tsx';
import { normaliseTestDays, PolicyFields, type TestDay } from './policyFields.tsx';
import { HHMM } from '../../../../electron/shared/formats.ts';

interface Values {
  district: string;
  subdistrict: string;
  policy: { isolationDays: number; monitoringDays: number; testDays: TestDay[] };
  feverThreshold: number;
  cutoffAm: string;
  cutoffPm: string;
  timeZone: string;
  requireTemperature: boolean;
}

const FIELDS = ['district', 'subdistrict', 'policy', 'feverThreshold', 'cutoffAm', 'cutoffPm', 'timeZone', 'requireTemperature'] as const;

function timeZones(current: string): string[] {
  let all: string[];
  try {
    all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    all = [];
  }
  // China first; the rest for offices that keep another zone.
  const first = ['Asia/Shanghai', 'Asia/Urumqi', 'Asia/Hong_Kong', 'Asia/Macau', 'Asia/Taipei'];
  return [...new Set([current, ...first, ...all])].filter(Boolean);
}

export function PolicyTab({ settings }: { settings: Settings }) {
  const { t } = useTranslation('admin');
  const { signedIn } = useSession();
  const timeRule = { pattern: HHMM, message: t('settings.hhmm') };
  return (
    <SettingsForm<Values>
      settings={settings}
      fields={FIELDS}
      testId="settings-policy"
      toForm={(s) => ({
        district: s.district,
        subdistrict: s.subdistrict,
        policy: { ...s.policy, testDays: normaliseTestDays(s.policy.testDays) },
        feverThreshold: s.feverThreshold,
        cutoffAm: s.cutoffAm,
        cutoffPm: s.cutoffPm,
        timeZone: s.timeZone,
        requireTemperature: s.requireTemperature,
      })}
      toPatch={(v) => ({
        district: v.district.trim(),
        subdistrict: v.subdistrict.trim(),
        policy: { isolationDays: v.policy.isolationDays, monitoringDays: v.policy.monitoringDays, testDays: normaliseTestDays(v.policy.testDays) },
        feverThreshold: Math.round(v.feverThreshold * 10) / 10,
        cutoffAm: v.cutoffAm.trim(),
        cutoffPm: v.cutoffPm.trim(),
        timeZone: v.timeZone,
        requireTemperature: v.requireTemperature,
      })}
      onSaved={(_s, patch) => {
        // The header shows the office's name from the session: refresh it when the name changed.
        if (patch.district !== settings.district || patch.subdistrict !== settings.subdistrict) void api('auth.me').then(signedIn, () => undefined);
      }}
    >
      {() => (
        <>
          <Card size="small" title={t('settings.org.title')} className="settings-card">
            <Typography.Paragraph type="secondary" className="settings-note">
              {t('settings.org.note')}
            </Typography.Paragraph>
            <div className="settings-row">
              <Form.Item label={t('settings.org.district')} name="district" rules={[{ required: true, whitespace: true, message: t('settings.required') }, { max: 40, message: t('settings.max', { n: 40 }) }]}>
                <Input maxLength={40} style={{ width: 220 }} />
              </Form.Item>
              <Form.Item label={t('settings.org.subdistrict')} name="subdistrict" rules={[{ required: true, whitespace: true, message: t('settings.required') }, { max: 40, message: t('settings.max', { n: 40 }) }]}>
                <Input maxLength={40} style={{ width: 220 }} />
              </Form.Item>
            </div>
          </Card>
          <Card size="small" title={t('settings.policy.title')} className="settings-card">
            <Alert type="info" showIcon title={t('settings.policy.newEpisodesOnly')} className="settings-policy-note" data-testid="policy-note" />
            <PolicyFields prefix={['policy']} />
            <div className="settings-row">
              <Form.Item
                label={t('settings.policy.fever')}
                name="feverThreshold"
                extra={t('settings.policy.feverHelp')}
                rules={[
                  { required: true, message: t('settings.required') },
                  { type: 'number', min: 36, max: 39, message: t('settings.rangeDecimal', { min: 36, max: 39 }) },
                ]}
              >
                <InputNumber min={36} max={39} step={0.1} precision={1} suffix="℃" style={{ width: 130 }} data-testid="fever-threshold" />
              </Form.Item>
              <Form.Item label={t('settings.policy.cutoffAm')} name="cutoffAm" extra={t('settings.policy.cutoffHelp')} rules={[{ required: true, message: t('settings.required') }, timeRule]}>
                <Input placeholder="10:00" maxLength={5} style={{ width: 110 }} />
              </Form.Item>
              <Form.Item label={t('settings.policy.cutoffPm')} name="cutoffPm" rules={[{ required: true, message: t('settings.required') }, timeRule]}>
                <Input placeholder="18:00" maxLength={5} style={{ width: 110 }} />
              </Form.Item>
              <Form.Item label={t('settings.policy.timeZone')} name="timeZone" rules={[{ required: true, message: t('settings.required') }]}>
                <Select showSearch={{ optionFilterProp: 'label' }} style={{ width: 220 }} options={timeZones(settings.timeZone).map((z) => ({ value: z, label: z }))} />
              </Form.Item>
            </div>
            <Form.Item name="requireTemperature" valuePropName="checked" label={t('settings.policy.requireTemperature')} extra={t('settings.policy.requireTemperatureHelp')}>
              <Switch data-testid="require-temperature" />
            </Form.Item>
          </Card>
        </>
      )}
    </SettingsForm>
  );
}

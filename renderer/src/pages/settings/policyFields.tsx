// The three fields of an isolation policy (隔离天数, 健康监测天数, 核酸检测日), used for the default policy and for
// each category's own policy. Test days are chosen from 第1天…第N天 and 最后一天.
import { Form, InputNumber, Select } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';

export type TestDay = number | 'last';

export function testDayOptions(days: number | null | undefined, t: TFunction<'admin'>) {
  const n = Math.min(Math.max(Number(days) || 7, 1), 60);
  return [
    ...Array.from({ length: n }, (_, i) => ({ value: i + 1, label: t('settings.policy.dayN', { n: i + 1 }) })),
    { value: 'last' as const, label: t('settings.policy.lastDay') },
  ];
}

/** Sorted: day numbers ascending, 'last' at the end; no duplicates. */
export function normaliseTestDays(v: TestDay[] | undefined): TestDay[] {
  const nums = [...new Set((v ?? []).filter((d): d is number => typeof d === 'number'))].sort((a, b) => a - b);
  return (v ?? []).includes('last') ? [...nums, 'last'] : nums;
}

export function PolicyFields({ prefix, compact }: { prefix: (string | number)[]; compact?: boolean }) {
  const { t } = useTranslation('admin');
  const days = Form.useWatch([...prefix, 'isolationDays']) as number | undefined;
  const intRule = (min: number, max: number) => ({
    type: 'integer' as const,
    min,
    max,
    message: t('settings.range', { min, max }),
  });
  const cls = compact ? 'policy-fields policy-fields-compact' : 'policy-fields';
  return (
    <div className={cls}>
      <Form.Item
        label={t('settings.policy.isolationDays')}
        name={[...prefix, 'isolationDays']}
        rules={[{ required: true, message: t('settings.required') }, intRule(1, 60)]}
      >
        <InputNumber min={1} max={60} precision={0} suffix={t('settings.unit.day')} style={{ width: 120 }} />
      </Form.Item>
      <Form.Item
        label={t('settings.policy.monitoringDays')}
        name={[...prefix, 'monitoringDays']}
        tooltip={compact ? undefined : t('settings.policy.monitoringHelp')}
        rules={[{ required: true, message: t('settings.required') }, intRule(0, 60)]}
      >
        <InputNumber min={0} max={60} precision={0} suffix={t('settings.unit.day')} style={{ width: 120 }} />
      </Form.Item>
      <Form.Item label={t('settings.policy.testDays')} name={[...prefix, 'testDays']} className="policy-testdays">
        <Select mode="multiple" allowClear options={testDayOptions(days, t)} placeholder={t('settings.policy.testDaysNone')} style={{ minWidth: 240 }} />
      </Form.Item>
    </div>
  );
}

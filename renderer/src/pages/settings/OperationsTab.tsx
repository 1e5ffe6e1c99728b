// 运行参数: supply overdue hours, how long personal data is kept, idle logout, the backup folder and how many backups
// are kept, and the import size limit.
import { Card, Form, Input, InputNumber, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { SettingsForm, type Settings } from './SettingsForm.tsx';
import { maxText } from '../../lib/formRules.ts';

type Values = Pick<
  Settings,
  | 'supplyOverdueUrgentHours'
  | 'supplyOverdueNormalHours'
  | 'retentionDays'
  | 'sessionIdleMinutes'
  | 'backupDir'
  | 'backupKeepDaily'
  | 'backupKeepWeekly'
  | 'importMaxFileMb'
>;

const FIELDS = [
  'supplyOverdueUrgentHours',
  'supplyOverdueNormalHours',
  'retentionDays',
  'sessionIdleMinutes',
  'backupDir',
  'backupKeepDaily',
  'backupKeepWeekly',
  'importMaxFileMb',
] as const;

export function OperationsTab({ settings }: { settings: Settings }) {
  const { t } = useTranslation('admin');
  const num = (name: keyof Values, min: number, max: number, unit: string, opts: { int?: boolean; step?: number; extra?: string; testId?: string } = {}) => (
    <Form.Item
      label={t(`settings.ops.${name}`)}
      name={name}
      extra={opts.extra}
      rules={[
        { required: true, message: t('settings.required') },
        { type: opts.int ? 'integer' : 'number', min, max, message: t(opts.int ? 'settings.range' : 'settings.rangeDecimal', { min, max }) },
      ]}
    >
      <InputNumber min={min} max={max} step={opts.step ?? 1} precision={opts.int ? 0 : undefined} suffix={unit} style={{ width: 140 }} data-testid={opts.testId} />
    </Form.Item>
  );
  return (
    <SettingsForm<Values>
      settings={settings}
      fields={FIELDS}
      testId="settings-ops"
      toForm={(s) => Object.fromEntries(FIELDS.map((k) => [k, s[k]])) as unknown as Values}
      toPatch={(v) => ({ ...v, backupDir: (v.backupDir ?? '').trim() })}
    >
      {() => (
        <>
          <Card size="small" title={t('settings.ops.supplies')} className="settings-card">
            <div className="settings-row">
              {num('supplyOverdueUrgentHours', 0.5, 72, t('settings.unit.hour'), { step: 0.5 })}
              {num('supplyOverdueNormalHours', 1, 240, t('settings.unit.hour'))}
            </div>
          </Card>
          <Card size="small" title={t('settings.ops.privacy')} className="settings-card">
            <div className="settings-row">
              {num('retentionDays', 1, 3650, t('settings.unit.day'), { int: true, extra: t('settings.ops.retentionHelp') })}
              {num('sessionIdleMinutes', 1, 720, t('settings.unit.minute'), { int: true, extra: t('settings.ops.idleHelp') })}
            </div>
          </Card>
          <Card size="small" title={t('settings.ops.backups')} className="settings-card">
            <Form.Item label={t('settings.ops.backupDir')} name="backupDir" extra={t('settings.ops.backupDirHelp')} rules={[maxText('path', (n) => t('settings.max', { n }))]}>
              <Input placeholder={t('settings.ops.backupDirDefault')} style={{ maxWidth: 520 }} />
            </Form.Item>
            <div className="settings-row">
              {num('backupKeepDaily', 1, 60, t('settings.unit.copies'), { int: true })}
              {num('backupKeepWeekly', 0, 52, t('settings.unit.copies'), { int: true })}
            </div>
            <Typography.Text type="secondary" className="settings-note">
              {t('settings.ops.keepHelp')}
            </Typography.Text>
          </Card>
          <Card size="small" title={t('settings.ops.import')} className="settings-card">
            {num('importMaxFileMb', 1, 500, 'MB', { extra: t('settings.ops.importHelp') })}
          </Card>
        </>
      )}
    </SettingsForm>
  );
}

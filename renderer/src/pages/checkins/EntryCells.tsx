// Small cells of the check-in entry row: symptom tags with a picker for the mouse, and the click-to-cycle chips for
// the test result, health code and contact method (the keyboard does the same with single keys).
import { Button, Checkbox, Popover, Tag, Tooltip } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { SYMPTOM_KEYS, SYMPTOM_ORDER, type Symptom } from './model.ts';
import { paren } from '../../i18n/codes.ts';

const keyOf = (s: Symptom) => SYMPTOM_KEYS.find((k) => k.symptom === s)?.key ?? '';

export function SymptomTags({ symptoms, onToggle, disabled }: { symptoms: string[]; onToggle?: (s: Symptom) => void; disabled?: boolean }) {
  const { t } = useTranslation('checkins');
  const { t: te } = useTranslation('enums');
  return (
    <span className="ci-symptoms" data-testid="ci-symptoms">
      {symptoms.map((s) => (
        <Tag
          key={s}
          color="red"
          className="ci-tag"
          onClick={onToggle && !disabled ? () => onToggle(s as Symptom) : undefined}
          title={onToggle ? t('legendKeys.escCancel', { key: keyOf(s as Symptom) }) : undefined}
        >
          {te(`symptom.${s}`, { defaultValue: s })}
        </Tag>
      ))}
      {onToggle && !disabled && (
        <Popover
          trigger="click"
          title={t('row.symptomsPick')}
          content={
            <Checkbox.Group
              className="ci-symptom-pick"
              value={symptoms}
              onChange={(next) => {
                const now = new Set(next as string[]);
                for (const s of SYMPTOM_ORDER) if (now.has(s) !== symptoms.includes(s)) onToggle(s);
              }}
              options={SYMPTOM_ORDER.map((s) => ({ value: s, label: paren(t, te(`symptom.${s}`), keyOf(s)) }))}
            />
          }
        >
          <Button size="small" type="text" icon={<PlusOutlined />} tabIndex={-1} className="ci-add" aria-label={t('row.symptomsPick')} />
        </Popover>
      )}
    </span>
  );
}

/** A chip that moves to the next value on click. */
export function CycleChip({ text, tone, title, onClick, disabled, testId }: { text: string; tone?: 'good' | 'bad' | 'warn' | 'muted'; title?: string; onClick?: () => void; disabled?: boolean; testId?: string }) {
  const chip = (
    <button type="button" tabIndex={-1} className={`ci-chip ci-chip-${tone ?? 'plain'}`} onClick={onClick} disabled={disabled || !onClick} data-testid={testId}>
      {text}
    </button>
  );
  return title ? <Tooltip title={title}>{chip}</Tooltip> : chip;
}

export function testTone(result: string | null | undefined): 'good' | 'bad' | 'warn' | 'muted' {
  if (result === '阴性') return 'good';
  if (result === '阳性') return 'bad';
  if (result === '待出结果') return 'warn';
  return 'muted';
}

export function codeTone(code: string | null | undefined): 'good' | 'bad' | 'warn' | 'muted' {
  if (code === '绿') return 'good';
  if (code === '红') return 'bad';
  if (code === '黄') return 'warn';
  return 'muted';
}

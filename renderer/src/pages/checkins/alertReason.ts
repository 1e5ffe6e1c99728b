// An alert's reason in the interface language, from the parts the core sends with it (reasonParts); text the core
// could not read back into parts (an alert written by another program) is shown as stored.
import type { TFunction } from 'i18next';
import type { OutputOf } from '../../api.ts';
import { codeLabel } from '../../i18n/codes.ts';

type Parts = OutputOf<'alerts.list'>['rows'][number]['reasonParts'];
type Finding = NonNullable<Parts>['findings'][number];

function findingText(f: Finding, t: TFunction): string {
  switch (f.code) {
    case 'temperature':
      return t('checkins:reasonText.temperature', { value: f.value, threshold: f.threshold });
    case 'symptoms': {
      const list = f.symptoms.map((s) => (s === '其他' && f.other ? t('checkins:reasonText.other', { text: f.other }) : codeLabel(t, 'symptom', s)));
      return t('checkins:reasonText.symptoms', { list: list.join(t('checkins:reasonText.listSep')) });
    }
    case 'testPositive': {
      const type = codeLabel(t, 'testType', f.testType);
      return f.sampleDate ? t('checkins:reasonText.testPositiveOn', { type, date: f.sampleDate }) : t('checkins:reasonText.testPositive', { type });
    }
    case 'healthCode':
      return t('checkins:reasonText.healthCode', { color: codeLabel(t, 'healthCodeShort', f.color) });
    case 'pooledPositive':
      return t('checkins:reasonText.pooledPositive', { tube: f.tubeNo, date: f.sampleDate });
    case 'roundPositive':
      return t('checkins:reasonText.roundPositive', { type: codeLabel(t, 'testType', f.testType), date: f.sampleDate });
  }
}

export function alertReasonText(a: { reason: string; reasonParts: Parts }, t: TFunction): string {
  const p = a.reasonParts;
  if (!p) return a.reason;
  const items = p.findings.map((f) => findingText(f, t)).join(t('checkins:reasonText.sep'));
  if (!p.slot) return items;
  const slot = t(`checkins:reasonText.slot.${p.slot}`);
  return t(p.corrected ? 'checkins:reasonText.headCorrected' : 'checkins:reasonText.head', { slot, items });
}

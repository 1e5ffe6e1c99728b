// The on-screen key legend of the check-in entry, so nobody has to remember the single keys.
import { useTranslation } from 'react-i18next';
import { SYMPTOM_KEYS } from './model.ts';
import { codeLabel } from '../../i18n/codes.ts';

const Kbd = ({ k, label }: { k: string; label: string }) => (
  <span className="ci-key">
    <kbd>{k}</kbd>
    {label}
  </span>
);

export function KeyLegend({ threshold }: { threshold: number }) {
  const { t } = useTranslation('checkins');
  return (
    <div className="ci-legend" data-testid="ci-legend">
      <span className="ci-legend-group">
        <b>{t('legend.title')}</b>
        <Kbd k="0–9" label={t('legend.digits')} />
        <Kbd k="Enter" label={t('legend.enter')} />
        <Kbd k="↑↓" label={t('legend.move')} />
        <Kbd k="Esc" label={t('legend.esc')} />
      </span>
      <span className="ci-legend-group">
        <b>{t('legend.symptoms')}</b>
        {SYMPTOM_KEYS.map((s) => (
          <Kbd key={s.code} k={s.key} label={codeLabel(t, 'symptom', s.symptom)} />
        ))}
      </span>
      <span className="ci-legend-group">
        <b>{t('legend.test')}</b>
        <Kbd k="N" label={t('legend.neg')} />
        <Kbd k="P" label={t('legend.pos')} />
        <Kbd k="T" label={t('legend.type')} />
        <Kbd k="G" label={t('legend.code')} />
        <Kbd k="C" label={t('legend.contact')} />
      </span>
      <span className="ci-legend-note">
        {t('legend.rule', { t: threshold })} · {t('legend.ime')}
      </span>
    </div>
  );
}

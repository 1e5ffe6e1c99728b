// The slot's counter: 已报 / 应报, and 未报 — red once the cutoff has passed, grey (待报) before it.
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../api.ts';

export function Counter({ counts: list, slotLabel }: { counts: OutputOf<'checkins.counts'>; slotLabel: string }) {
  const { t } = useTranslation('checkins');
  const { due, done, overdue } = list;
  const missing = due - done;
  const pct = due ? Math.round((done / due) * 100) : 0;
  return (
    <div className="ci-counter" data-testid="ci-counter">
      <span className="ci-counter-slot">{slotLabel}</span>
      <span className="ci-counter-main">
        <span className="ci-counter-label">{t('counter.done')}</span>
        <b data-testid="ci-done">{done}</b>
        <span className="ci-counter-sep">/</span>
        <span className="ci-counter-label">{t('counter.due')}</span>
        <b data-testid="ci-due">{due}</b>
      </span>
      <span className="ci-counter-bar" aria-hidden>
        <span style={{ width: `${pct}%` }} />
      </span>
      <span className={list.pastCutoff && overdue > 0 ? 'ci-counter-missing ci-counter-alarm' : 'ci-counter-missing'}>
        <span className="ci-counter-label">{list.pastCutoff ? t('counter.missing') : t('counter.waiting')}</span>
        <b data-testid="ci-missing">{list.pastCutoff ? overdue : missing}</b>
      </span>
      <Typography.Text type={list.pastCutoff ? 'danger' : 'secondary'}>
        {list.pastCutoff ? t('counter.pastCutoff', { time: list.cutoff }) : t('counter.cutoff', { time: list.cutoff })}
      </Typography.Text>
    </div>
  );
}

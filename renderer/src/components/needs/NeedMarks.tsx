// The marks of a person's special needs (特殊需求) in the lists (隔离人员, 今日监测) and the drawer: one short word per
// need in a small tag, the full words and notes in the tooltip. Plain spans (needs.css), cheap per grid row.
import { useTranslation } from 'react-i18next';
import type { OutputOf } from '../../api.ts';
import './needs.css';

export type NeedFlag = OutputOf<'residents.get'>['resident']['needs'][number];

type T = (k: string, o?: Record<string, unknown>) => string;

/** 独居老人、其他（需要轮椅）: the needs in words, with their notes. */
export function needWords(needs: readonly NeedFlag[], t: T): string {
  return needs.map((n) => (n.note ? t('needs:withNote', { need: t(`enums:need.${n.need}`), note: n.note }) : t(`enums:need.${n.need}`))).join(t('needs:listSep'));
}

export function NeedMarks({ needs, full }: { needs: readonly NeedFlag[] | undefined; full?: boolean }) {
  const { t } = useTranslation('needs');
  if (!needs?.length) return null;
  const tt = t as unknown as T;
  return (
    <span className="need-marks" title={t('marksTitle', { list: needWords(needs, tt) })} data-testid="need-marks">
      {needs.map((n) => (
        <span key={n.need} className={`need-mark need-mark-${n.need === '其他' ? 'other' : 'flag'}`} data-need={n.need}>
          {full ? needWords([n], tt) : tt(`short.${n.need}`)}
        </span>
      ))}
    </span>
  );
}

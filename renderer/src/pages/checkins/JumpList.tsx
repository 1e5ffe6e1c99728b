// The jump list of 今日监测: the compounds in the list's order with their progress, and the buildings of the open
// compound (the one shown, or clicked) — click one and the list goes to the page where it starts. A compound list,
// not every building of the subdistrict at once: a whole subdistrict has hundreds of buildings. Beside a building with
// someone not yet recorded: 整栋正常… (the whole-building entry, BatchDialog).
import { useTranslation } from 'react-i18next';
import type { BuildingCounts, CompoundCounts, ListMode } from './model.ts';

interface JumpListProps {
  compounds: CompoundCounts[];
  /** The compound whose buildings are listed. */
  openCompoundId: number | null;
  /** The building the list is at now (highlighted). */
  currentBuildingId: number | null;
  mode: ListMode;
  pastCutoff: boolean;
  onCompound: (c: CompoundCounts) => void;
  onBuilding: (b: BuildingCounts) => void;
  /** 整栋正常…: opens the whole-building entry (absent: the user cannot write check-ins). */
  onBatch?: (b: BuildingCounts) => void;
}

function Progress({ c, pastCutoff }: { c: { due: number; done: number; abnormal: number }; pastCutoff: boolean }) {
  const { t } = useTranslation('checkins');
  const missing = c.due - c.done;
  const pct = c.due ? Math.round((c.done / c.due) * 100) : 0;
  return (
    <span className="ci-jump-progress">
      <span className="ci-jump-bar" aria-hidden>
        <span style={{ width: `${pct}%` }} />
      </span>
      <span className="ci-jump-nums">{t('group', { done: c.done, n: c.due })}</span>
      {missing > 0 && <span className={pastCutoff ? 'ci-jump-missing ci-overdue' : 'ci-jump-missing'}>{t(pastCutoff ? 'groupMissing' : 'groupWaiting', { n: missing })}</span>}
      {c.abnormal > 0 && <span className="ci-jump-abnormal">{t('groupAbnormal', { n: c.abnormal })}</span>}
    </span>
  );
}

/** Whether the list in this mode shows any row of a place (a building with nobody missing has no rows under 只看未报). */
const hasRows = (c: { due: number; done: number; abnormal: number }, mode: ListMode) => (mode === 'missing' ? c.due > c.done : mode === 'abnormal' ? c.abnormal > 0 : c.due > 0);

export function JumpList({ compounds, openCompoundId, currentBuildingId, mode, pastCutoff, onCompound, onBuilding, onBatch }: JumpListProps) {
  const { t } = useTranslation('checkins');
  return (
    <nav className="ci-jump" aria-label={t('jump.title')} data-testid="ci-jump">
      <div className="ci-jump-title">{t('jump.title')}</div>
      {compounds.map((c) => (
        <div key={c.compoundId} className="ci-jump-compound">
          <button type="button" className="ci-jump-item ci-jump-compound-name" disabled={!hasRows(c, mode)} onClick={() => onCompound(c)} data-testid={`ci-jump-compound-${c.compoundId}`} title={c.community}>
            <span className="ci-jump-name">{c.compound}</span>
            <Progress c={c} pastCutoff={pastCutoff} />
          </button>
          {c.compoundId === openCompoundId &&
            c.buildings.map((b) => (
              <div key={b.buildingId} className="ci-jump-row">
                <button
                  type="button"
                  className={b.buildingId === currentBuildingId ? 'ci-jump-item ci-jump-building ci-jump-current' : 'ci-jump-item ci-jump-building'}
                  disabled={!hasRows(b, mode)}
                  onClick={() => onBuilding(b)}
                  aria-current={b.buildingId === currentBuildingId ? 'location' : undefined}
                  data-testid={`ci-jump-building-${b.buildingId}`}
                >
                  <span className="ci-jump-name">{b.building || t('jump.noBuilding')}</span>
                  <Progress c={b} pastCutoff={pastCutoff} />
                </button>
                {onBatch && b.due > b.done && (
                  <button
                    type="button"
                    className="ci-batch-action"
                    onClick={() => onBatch(b)}
                    aria-label={t('batch.buildingLabel', { place: b.compound + (b.building || t('jump.noBuilding')) })}
                    data-testid={`ci-batch-building-${b.buildingId}`}
                  >
                    {t('batch.building')}
                  </button>
                )}
              </div>
            ))}
        </div>
      ))}
    </nav>
  );
}

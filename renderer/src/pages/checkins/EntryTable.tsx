// The keyboard-first check-in table: one page (100 people) of the slot's due list, grouped 小区 › 楼栋 › 单元 with each
// unit's progress from checkins.groups. Digits type the temperature, single keys toggle symptoms / test / code /
// contact, Enter saves and jumps to the next person not yet recorded — across a group boundary, and past the page's
// last person onto the next page (the page decides: onPastEnd). A save that comes back abnormal turns the row red at
// once. The focused person keeps the focus when the list is read again (a live refresh from another PC). Each unit
// header offers 本单元正常… (the whole-building entry for the unit) while someone in it is not yet recorded.
// One row: EntryRow.tsx.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage, fieldMessage } from '../../api.ts';
import { useApiWrite } from '../../write.ts';
import {
  CONTACT_METHODS,
  EMPTY_DRAFT,
  HEALTH_CODES,
  SYMPTOM_KEYS,
  SYMPTOM_ORDER,
  cycle,
  draftToInput,
  groupRows,
  nextOpenAfter,
  withSavedGroup,
  toggle,
  withSavedCheckin,
  type Draft,
  type DueRow,
  type Slot,
  type Symptom,
  type TestResult,
  type CheckinView,
  type RecordResult,
  type UnitCounts,
} from './model.ts';
import { EntryRow, type RowActions } from './EntryRow.tsx';
import { pair } from '../../i18n/codes.ts';

export interface EntryTableProps {
  rows: DueRow[];
  date: string;
  slot: Slot;
  threshold: number;
  canWrite: boolean;
  /** Where the focus goes when a new list (or page) is shown: `pick` chooses the row, once per key; null: nobody fits. */
  focusTarget: { key: string; pick: (rows: DueRow[]) => DueRow | null };
  /** The focus target found nobody on this page (the page may move on). */
  onNoTarget: (key: string) => void;
  /** Each unit's counts for the group headers (checkins.groups). */
  unitCounts: ReadonlyMap<number, UnitCounts>;
  pastCutoff: boolean;
  /** Full check-ins saved in this session (the due list only carries temperature and symptoms). */
  saved: ReadonlyMap<number, CheckinView>;
  onSaved: (row: DueRow, result: RecordResult) => void;
  onCorrect: (row: DueRow) => void;
  /** Enter on the page's last open person: the next ones are on another page (or there are none). */
  onPastEnd: (lastSave: Promise<unknown>) => void;
  /** 本单元正常…: opens the whole-building entry for a unit (absent: the user cannot write check-ins). */
  onBatchUnit?: (unit: { unitId: number; label: string }) => void;
}

/** Rows drawn in the first frame of a new page: a screenful. */
const FIRST_DRAW = 24;

export function EntryTable(p: EntryTableProps) {
  const { t } = useTranslation('checkins');
  const { message } = App.useApp();
  const [drafts, setDrafts] = useState<Record<number, Draft>>({});
  const [saving, setSaving] = useState<Set<number>>(new Set());
  const [focused, setFocused] = useState<number | null>(null);
  const inputs = useRef(new Map<number, HTMLInputElement>());
  const others = useRef(new Map<number, HTMLInputElement>());
  const focusedKey = useRef<string | null>(null);
  const focusedId = useRef<number | null>(null);
  const tableRef = useRef<HTMLTableElement | null>(null);
  const latest = useRef(p);
  latest.current = p;
  // The row handlers below are created once (rows are memoised: a keystroke re-renders one row, not hundreds); they
  // read the current drafts and saves through these refs.
  const draftsRef = useRef(drafts);
  draftsRef.current = drafts;
  const savingRef = useRef(saving);
  savingRef.current = saving;

  // A save refreshes what the contract says a check-in makes stale (the slot's counts…) except the due list itself,
  // whose one row is updated from the answer.
  const record = useApiWrite('checkins.record', {
    patch: {
      'checkins.due': withSavedCheckin,
      'checkins.groups': (old, res, input) => withSavedGroup(old, res, input, latest.current.rows.find((r) => r.residentId === input.residentId)),
    },
    onError: (e, input) => {
      const row = latest.current.rows.find((r) => r.residentId === input.residentId);
      const err = e instanceof ApiError ? e : null;
      const field = err?.fields.find((f) => f.field === 'temperature' || f.field === 'symptomOther');
      const msg = field ? fieldMessage(field) : errorMessage(e);
      setDraft(input.residentId, (x) => ({ ...x, error: { field: (field?.field as 'temperature' | 'symptomOther' | undefined) ?? 'row', message: msg } }));
      message.error(row ? pair(t, row.name, errorMessage(e)) : errorMessage(e));
    },
  });

  const draftOf = (id: number) => draftsRef.current[id] ?? EMPTY_DRAFT;
  const setDraft = (id: number, fn: (d: Draft) => Draft) => setDrafts((all) => ({ ...all, [id]: fn(all[id] ?? EMPTY_DRAFT) }));

  const focusRow = useCallback((id: number, which: 'temp' | 'other' = 'temp', tries = 20) => {
    // After React has rendered the row's inputs (a toggled 其他 adds one; a row below the first screenful comes a
    // frame later).
    setTimeout(() => {
      const el = (which === 'other' ? others.current : inputs.current).get(id);
      if (!el) {
        if (tries > 0) requestAnimationFrame(() => focusRow(id, which, tries - 1));
        return;
      }
      el.focus();
      el.select();
      el.scrollIntoView({ block: 'nearest' });
    }, 0);
  }, []);

  // A new page draws its first screenful at once and the rest of its rows a frame later, so the first people show
  // without waiting for all hundred (the page stays at most a hundred rows).
  const [limit, setLimit] = useState(FIRST_DRAW);
  useEffect(() => {
    if (limit >= p.rows.length) return;
    const frame = requestAnimationFrame(() => setLimit(p.rows.length));
    return () => cancelAnimationFrame(frame);
  }, [limit, p.rows.length]);

  // Focus goes where the page asks, once per newly shown list (its first open row, a building jumped to…).
  const { focusTarget, onNoTarget } = p;
  useEffect(() => {
    if (p.rows.length === 0 || focusedKey.current === focusTarget.key) return;
    focusedKey.current = focusTarget.key;
    const target = focusTarget.pick(p.rows);
    if (target) {
      // A jump shows the unit's header above the person (the header's scroll-margin clears the sticky column heads).
      tableRef.current?.querySelector(`[data-testid="ci-group-${target.unitId}"]`)?.scrollIntoView({ block: 'start' });
      if (p.canWrite) focusRow(target.residentId);
    } else if (p.canWrite) onNoTarget(focusTarget.key);
  }, [focusTarget, onNoTarget, p.rows, p.canWrite, focusRow]);

  // A list read again (another PC's entry, a refetch) may remount the focused row: its person keeps the focus, or,
  // recorded meanwhile elsewhere, the next open person after them does. Focus the clerk moved elsewhere stays there.
  useEffect(() => {
    const id = focusedId.current;
    if (id === null || !p.canWrite) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const row = p.rows.find((r) => r.residentId === id);
    if (!row) return;
    if (!row.recorded && !savingRef.current.has(id)) focusRow(id);
    else {
      const next = nextOpenAfter(p.rows, id, (r) => r.recorded || savingRef.current.has(r.residentId));
      if (next) focusRow(next.residentId);
    }
  }, [p.rows, p.canWrite, focusRow]);

  const isDone = (r: DueRow, busy: Set<number>) => r.recorded || busy.has(r.residentId);

  const save = async (row: DueRow) => {
    const d = draftOf(row.residentId);
    const checked = draftToInput(d, row, latest.current.date, latest.current.slot, (k, p) => t(k, p ?? {}));
    if ('error' in checked) {
      setDraft(row.residentId, (x) => ({ ...x, error: checked.error }));
      focusRow(row.residentId, checked.error.field === 'symptomOther' ? 'other' : 'temp');
      return;
    }
    // Move on at once; the save runs meanwhile and reports back on its own row if it fails.
    if (savingRef.current.has(row.residentId)) return;
    const busy = new Set(savingRef.current).add(row.residentId);
    savingRef.current = busy;
    setSaving(busy);
    const next = nextOpenAfter(latest.current.rows, row.residentId, (r) => isDone(r, busy));
    const pending = record.run(checked.input);
    if (next) focusRow(next.residentId);
    else latest.current.onPastEnd(pending);
    const res = await pending;
    if (res) {
      setDrafts((all) => {
        const { [row.residentId]: _gone, ...rest } = all;
        return rest;
      });
      latest.current.onSaved(row, res);
    }
    setSaving((s) => {
      const n = new Set(s);
      n.delete(row.residentId);
      savingRef.current = n;
      return n;
    });
  };

  const move = (row: DueRow, dir: 1 | -1) => {
    const open = latest.current.rows.filter((r) => !r.recorded && !savingRef.current.has(r.residentId));
    const i = open.findIndex((r) => r.residentId === row.residentId);
    const target = open[i + dir];
    if (target) focusRow(target.residentId);
  };

  const toggleSymptom = (row: DueRow, s: Symptom) => {
    const had = draftOf(row.residentId).symptoms.includes(s);
    setDraft(row.residentId, (x) => ({ ...x, symptoms: toggle(x.symptoms, s, SYMPTOM_ORDER), error: null }));
    if (s === '其他' && !had) focusRow(row.residentId, 'other');
  };
  const setTest = (row: DueRow, r: TestResult | null) => setDraft(row.residentId, (x) => ({ ...x, testResult: x.testResult === r ? null : r, error: null }));

  const onTempKey = (e: KeyboardEvent<HTMLInputElement>, row: DueRow) => {
    if (e.nativeEvent.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
    const id = row.residentId;
    switch (e.key) {
      case 'Enter':
        e.preventDefault();
        void save(row);
        return;
      case 'ArrowDown':
      case 'ArrowUp':
        e.preventDefault();
        move(row, e.key === 'ArrowDown' ? 1 : -1);
        return;
      case 'Escape':
        e.preventDefault();
        setDraft(id, () => EMPTY_DRAFT);
        return;
    }
    if (!/^Key[A-Z]$/.test(e.code)) return;
    e.preventDefault();
    const sym = SYMPTOM_KEYS.find((k) => k.code === e.code);
    if (sym) return toggleSymptom(row, sym.symptom);
    if (e.code === 'KeyN') return setTest(row, '阴性');
    if (e.code === 'KeyP') return setTest(row, '阳性');
    if (e.code === 'KeyT') return setDraft(id, (x) => ({ ...x, testType: x.testType === '核酸' ? '抗原' : '核酸' }));
    if (e.code === 'KeyG') return setDraft(id, (x) => ({ ...x, healthCode: cycle(HEALTH_CODES, x.healthCode), error: null }));
    if (e.code === 'KeyC') return setDraft(id, (x) => ({ ...x, contactMethod: cycle(CONTACT_METHODS, x.contactMethod) }));
  };

  const onOtherKey = (e: KeyboardEvent<HTMLInputElement>, row: DueRow) => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      void save(row);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      focusRow(row.residentId);
    }
  };

  // Stable handlers for the memoised rows (each reads the latest state through refs).
  const h = { save, toggleSymptom, onTempKey, onOtherKey, setDraft, setFocused };
  const cur = useRef(h);
  cur.current = h;
  const actions = useRef<RowActions | null>(null);
  if (!actions.current) {
    actions.current = {
      save: (row) => void cur.current.save(row),
      onTempKey: (e, row) => cur.current.onTempKey(e, row),
      onOtherKey: (e, row) => cur.current.onOtherKey(e, row),
      toggleSymptom: (row, sym) => cur.current.toggleSymptom(row, sym),
      setDraft: (id, fn) => cur.current.setDraft(id, fn),
      setFocused: (id) => {
        focusedId.current = id;
        cur.current.setFocused(id);
      },
      onCorrect: (row) => latest.current.onCorrect(row),
      registerInput: (id, el) => {
        if (el) inputs.current.set(id, el);
        else inputs.current.delete(id);
      },
      registerOther: (id, el) => {
        if (el) others.current.set(id, el);
        else others.current.delete(id);
      },
    };
  }
  const groups = groupRows(limit < p.rows.length ? p.rows.slice(0, limit) : p.rows);

  return (
    <table className="ci-table" data-testid="ci-table" ref={tableRef}>
      <colgroup>
        <col className="ci-c-name" />
        <col className="ci-c-room" />
        <col className="ci-c-temp" />
        <col className="ci-c-sym" />
        <col className="ci-c-test" />
        <col className="ci-c-code" />
        <col className="ci-c-contact" />
        <col className="ci-c-status" />
      </colgroup>
      <thead>
        <tr>
          <th>{t('col.name')}</th>
          <th>{t('col.room')}</th>
          <th>{t('col.temperature')}</th>
          <th>{t('col.symptoms')}</th>
          <th>{t('col.test')}</th>
          <th>{t('col.code')}</th>
          <th>{t('col.contact')}</th>
          <th>{t('col.status')}</th>
        </tr>
      </thead>
      {groups.map((g) => (
        <tbody key={g.key}>
          <tr className="ci-group" data-testid={`ci-group-${g.unitId}`} data-building={g.buildingId}>
            <th colSpan={8}>
              <span className="ci-group-name">{[g.compound, g.building, g.unit].filter(Boolean).join(' › ')}</span>
              <span className="ci-group-community">{g.community}</span>
              <GroupCount counts={p.unitCounts.get(g.unitId)} rows={g.rows} pastCutoff={p.pastCutoff} />
              {p.onBatchUnit && unitOpen(p.unitCounts.get(g.unitId), g.rows) && (
                <button
                  type="button"
                  className="ci-batch-action"
                  onClick={() => p.onBatchUnit!({ unitId: g.unitId, label: [g.compound, g.building, g.unit].filter(Boolean).join('') })}
                  aria-label={t('batch.unitLabel', { place: [g.compound, g.building, g.unit].filter(Boolean).join('') })}
                  data-testid={`ci-batch-unit-${g.unitId}`}
                >
                  {t('batch.unit')}
                </button>
              )}
            </th>
          </tr>
          {g.rows.map((row) => (
            <EntryRow
              key={row.residentId}
              row={row}
              draft={drafts[row.residentId] ?? EMPTY_DRAFT}
              full={p.saved.get(row.residentId)}
              busy={saving.has(row.residentId)}
              focused={focused === row.residentId}
              threshold={p.threshold}
              canWrite={p.canWrite}
              actions={actions.current!}
            />
          ))}
        </tbody>
      ))}
    </table>
  );
}

/** Someone in the unit is not yet recorded (its counts, else this page's rows of it). */
const unitOpen = (counts: UnitCounts | undefined, rows: DueRow[]) => (counts ? counts.due > counts.done : rows.some((r) => !r.recorded));

/** A unit's progress in its header: 已报 done/due, then 未报 (待报 before the cutoff) and 异常 when there are any. */
function GroupCount({ counts, rows, pastCutoff }: { counts: UnitCounts | undefined; rows: DueRow[]; pastCutoff: boolean }) {
  const { t } = useTranslation('checkins');
  // Before the groups arrive: what this page shows of the unit.
  const c = counts ?? { due: rows.length, done: rows.filter((r) => r.recorded).length, abnormal: rows.filter((r) => r.checkin?.abnormal).length };
  const missing = c.due - c.done;
  return (
    <span className="ci-group-count" data-testid="ci-group-count">
      {t('group', { done: c.done, n: c.due })}
      {missing > 0 && <span className={pastCutoff ? 'ci-group-missing ci-overdue' : 'ci-group-missing'}>{t(pastCutoff ? 'groupMissing' : 'groupWaiting', { n: missing })}</span>}
      {c.abnormal > 0 && <span className="ci-group-abnormal">{t('groupAbnormal', { n: c.abnormal })}</span>}
    </span>
  );
}

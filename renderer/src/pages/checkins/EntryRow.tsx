// One person's row of the check-in table (EntryTable.tsx): the cells, the single-key chips and the status cell with save /
// correct. Memoised; every handler comes in through RowActions, so typing in one row does not re-render the others.
import { memo, type KeyboardEvent } from 'react';
import { Button, Input, Tag, Tooltip } from 'antd';
import { EditOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  CONTACT_METHODS,
  HEALTH_CODES,
  cycle,
  draftLooksAbnormal,
  isFever,
  shapeTemperature,
  type Draft,
  type DueRow,
  type Symptom,
  type TestResult,
  type CheckinView,
} from './model.ts';
import { CycleChip, SymptomTags, codeTone, testTone } from './EntryCells.tsx';
import { NeedMarks } from '../../components/needs/NeedMarks.tsx';
import { codeLabel, dayLabel } from '../../i18n/codes.ts';

const TEST_CYCLE: (TestResult | null)[] = [null, '阴性', '阳性', '待出结果'];

export interface RowActions {
  save: (row: DueRow) => void;
  onTempKey: (e: KeyboardEvent<HTMLInputElement>, row: DueRow) => void;
  onOtherKey: (e: KeyboardEvent<HTMLInputElement>, row: DueRow) => void;
  toggleSymptom: (row: DueRow, s: Symptom) => void;
  setDraft: (id: number, fn: (d: Draft) => Draft) => void;
  setFocused: (id: number) => void;
  onCorrect: (row: DueRow) => void;
  registerInput: (id: number, el: HTMLInputElement | null) => void;
  registerOther: (id: number, el: HTMLInputElement | null) => void;
}

interface EntryRowProps {
  row: DueRow;
  draft: Draft;
  full: CheckinView | undefined;
  busy: boolean;
  focused: boolean;
  threshold: number;
  canWrite: boolean;
  actions: RowActions;
}

/** One person's row; memoised, so typing in one row does not re-render the others. */
export const EntryRow = memo(function EntryRow({ row, draft, full, busy, focused, threshold, canWrite, actions: a }: EntryRowProps) {
  const { t } = useTranslation('checkins');
  const id = row.residentId;
  const d = draft;
  const recorded = row.recorded;
  const abnormal = recorded ? !!row.checkin?.abnormal : false;
  const warn = !recorded && draftLooksAbnormal(d, threshold);
  const cls = ['ci-row', abnormal ? 'ci-row-abnormal' : '', warn ? 'ci-row-warn' : '', focused && !recorded ? 'ci-row-focus' : '', recorded ? 'ci-row-done' : ''].filter(Boolean).join(' ');
  const temp = row.checkin?.temperature;
  const editable = canWrite && !recorded && !busy;
  return (
    <tr key={id} className={cls} data-testid={`ci-row-${id}`} data-name={row.name} data-recorded={recorded ? '1' : '0'} data-abnormal={abnormal ? '1' : '0'}>
      <td className="ci-name">
        <span className="ci-name-text">{row.name}</span>
        <NeedMarks needs={row.needs} />
        {row.kind === 'health_monitoring' && (
          <Tag color="cyan" className="ci-tag">
            {t('kind.health_monitoring')}
          </Tag>
        )}
        <div className="ci-sub">{dayLabel(t, row)}</div>
      </td>
      <td className="ci-room">
        {row.room || row.address}
        <div className="ci-sub">{row.phone ?? ''}</div>
      </td>
      <td className="ci-temp">
        {recorded ? (
          <span className={isFever(temp, threshold) ? 'ci-fever' : undefined} data-testid="ci-temp-value">
            {typeof temp === 'number' ? temp.toFixed(1) : t('row.none')}
          </span>
        ) : (
          <Input
              ref={(el) => a.registerInput(id, el?.input ?? null)}
              size="small"
              value={d.temp}
              disabled={!editable}
              status={d.error?.field === 'temperature' ? 'error' : isFever(Number(d.temp), threshold) ? 'warning' : undefined}
              className={isFever(Number(d.temp), threshold) ? 'ci-input-fever' : undefined}
              inputMode="decimal"
              autoComplete="off"
              aria-label={`${row.name} ${t('col.temperature')}`}
              data-testid={`ci-temp-${id}`}
              onFocus={() => a.setFocused(id)}
              onChange={(e) => {
                const v = shapeTemperature(e.target.value);
                a.setDraft(id, (x) => ({ ...x, temp: v, error: x.error?.field === 'temperature' || x.error?.field === 'row' ? null : x.error }));
              }}
              onKeyDown={(e) => a.onTempKey(e, row)}
            />
        )}
        {!recorded && d.error?.field === 'temperature' && <div className="ci-field-error">{d.error.message}</div>}
      </td>
      <td className="ci-sym">
        <SymptomTags symptoms={recorded ? (row.checkin?.symptoms ?? []) : d.symptoms} onToggle={editable ? (s) => a.toggleSymptom(row, s) : undefined} />
        {!recorded && d.symptoms.includes('其他') && (
          <Input
            ref={(el) => a.registerOther(id, el?.input ?? null)}
            size="small"
            className="ci-other"
            value={d.symptomOther}
            status={d.error?.field === 'symptomOther' ? 'error' : undefined}
            placeholder={t('row.otherPlaceholder')}
            disabled={!editable}
            maxLength={100}
            onChange={(e) => a.setDraft(id, (x) => ({ ...x, symptomOther: e.target.value, error: null }))}
            onKeyDown={(e) => a.onOtherKey(e, row)}
          />
        )}
        {!recorded && d.error?.field === 'symptomOther' && <div className="ci-field-error">{d.error.message}</div>}
      </td>
      <td>
        {recorded ? (
          full?.testResult ? <CycleChip text={t('testChip', { type: codeLabel(t, 'testType', full.testType), result: codeLabel(t, 'testResult', full.testResult) })} tone={testTone(full.testResult)} /> : null
        ) : (
          <CycleChip
            text={d.testResult ? t('testChip', { type: codeLabel(t, 'testType', d.testType), result: codeLabel(t, 'testResult', d.testResult) }) : t('testNone')}
            tone={testTone(d.testResult)}
            title={`${t('legendKeys.neg')} · ${t('legendKeys.pos')} · ${t('legendKeys.type')}`}
            disabled={!editable}
            onClick={() => a.setDraft(id, (x) => ({ ...x, testResult: cycle(TEST_CYCLE, x.testResult), error: null }))}
            testId={`ci-test-${id}`}
          />
        )}
      </td>
      <td>
        {recorded ? (
          full?.healthCode ? <CycleChip text={codeLabel(t, 'healthCode', full.healthCode)} tone={codeTone(full.healthCode)} /> : null
        ) : (
          <CycleChip
            text={d.healthCode ? codeLabel(t, 'healthCode', d.healthCode) : t('codeNone')}
            tone={codeTone(d.healthCode)}
            title={t('legendKeys.code')}
            disabled={!editable}
            onClick={() => a.setDraft(id, (x) => ({ ...x, healthCode: cycle(HEALTH_CODES, x.healthCode), error: null }))}
          />
        )}
      </td>
      <td>
        {recorded ? (
          <span className="ci-muted">{codeLabel(t, 'contact', full?.contactMethod)}</span>
        ) : (
          <CycleChip
            text={codeLabel(t, 'contact', d.contactMethod)}
            title={t('legendKeys.contact')}
            disabled={!editable}
            onClick={() => a.setDraft(id, (x) => ({ ...x, contactMethod: cycle(CONTACT_METHODS, x.contactMethod) }))}
          />
        )}
      </td>
      <td className="ci-status">
        <StatusCell row={row} busy={busy} warn={warn} draft={d} canWrite={canWrite} onSave={() => a.save(row)} onCorrect={() => a.onCorrect(row)} alertOpened={!!full && abnormal} />
      </td>
    </tr>
  );
});

function StatusCell({ row, busy, warn, draft, canWrite, onSave, onCorrect, alertOpened }: { row: DueRow; busy: boolean; warn: boolean; draft: Draft; canWrite: boolean; onSave: () => void; onCorrect: () => void; alertOpened: boolean }) {
  const { t } = useTranslation('checkins');
  if (row.recorded) {
    const abnormal = !!row.checkin?.abnormal;
    return (
      <span className="ci-status-inner">
        {abnormal ? (
          <Tag color="red" variant="solid" className="ci-tag" data-testid="ci-abnormal">
            {alertOpened ? `${t('row.abnormal')}·${t('row.alertOpened')}` : t('row.abnormal')}
          </Tag>
        ) : (
          <Tag color="green" className="ci-tag">
            {t('row.recorded')}
          </Tag>
        )}
        <span className="ci-sub ci-by">{t('row.by', { name: row.checkin?.recordedBy ?? '' })}</span>
        {canWrite && (
          <Tooltip title={t('row.correct')}>
            <Button size="small" type="text" icon={<EditOutlined />} tabIndex={-1} onClick={onCorrect} aria-label={t('row.correct')} data-testid={`ci-correct-${row.residentId}`} />
          </Tooltip>
        )}
      </span>
    );
  }
  return (
    <span className="ci-status-inner">
      {busy ? (
        <span className="ci-muted">{t('row.saving')}</span>
      ) : (
        <>
          <span className={row.overdue ? 'ci-overdue' : 'ci-muted'}>{row.overdue ? t('row.missing') : t('row.waiting')}</span>
          {warn && <span className="ci-will-alert">{t('row.willAlert')}</span>}
          {canWrite && (draft.temp || draft.symptoms.length > 0 || draft.testResult || draft.healthCode) && (
            <Button size="small" type="link" tabIndex={-1} onClick={onSave}>
              {t('row.save')}
            </Button>
          )}
        </>
      )}
      {draft.error?.field === 'row' && <div className="ci-field-error">{draft.error.message}</div>}
    </span>
  );
}

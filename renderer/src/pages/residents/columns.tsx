// Columns of the 隔离人员 grid and their cells. ID numbers and phones arrive masked from the server; status cells carry
// the 待解除 / 异常 tags so those rows cannot be missed even without colour.
import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import type { TFunction } from 'i18next';
import { isAbnormal, type Row } from './model.ts';
import { byLang, dayLabel } from '../../i18n/codes.ts';
import { NeedMarks } from '../../components/needs/NeedMarks.tsx';

export const STATUS_COLORS: Record<Row['status'], string> = {
  none: 'default',
  isolating: 'blue',
  monitoring: 'cyan',
  released: 'green',
  transferred: 'purple',
  ended_other: 'default',
};

/** Why a row is marked 异常: its open alerts, or the fever reading. */
const abnormalTitle = (row: Row, t: TFunction<'residents'>) => (row.openAlerts > 0 ? t('tag.alerts', { n: row.openAlerts }) : t('tag.fever', { t: row.latestTemperature?.toFixed(1) }));

/**
 * The status and 待解除 / 异常 tags of a person, in the grid and the drawer: plain spans styled like antd's Tag
 * (residents.css .res-tag) — an antd Tag per cell (theme hooks, wave effect) is paid again for every row drawn when
 * the clerk jumps through a million rows.
 */
export function StatusTags({ row, threshold, t }: { row: Row; threshold: number; t: TFunction<'residents'> }) {
  const abnormal = isAbnormal(row, threshold);
  return (
    <span className="res-status-tags">
      <span className={`res-tag res-tag-${STATUS_COLORS[row.status]}`}>{t(`status.${row.status}`)}</span>
      {row.due && (
        <span className="res-tag res-tag-solid-orange" data-testid="tag-due">
          {t('tag.due')}
        </span>
      )}
      {abnormal && (
        <span
          className="res-tag res-tag-solid-red"
          data-testid="tag-abnormal"
          title={abnormalTitle(row, t)}
        >
          {t('tag.abnormal')}
        </span>
      )}
    </span>
  );
}

export function dayText(r: Pick<Row, 'dayN' | 'totalDays'>, t: TFunction<'residents'>, opts: { short?: boolean } = {}): string {
  return dayLabel(t, r, opts);
}

/** 2022-01-17 → 01-17 within the current year (the full date is in the tooltip and the drawer): keeps every column on screen. */
function shortDate(v: unknown, year: string): string {
  if (typeof v !== 'string' || !v) return '';
  return v.startsWith(`${year}-`) ? v.slice(5) : v;
}

/**
 * Most important first: who, state (tags), day N of M and temperature stay visible on a narrow screen; FIT_ORDER is
 * what gives way when the window is too narrow for every column (the drawer still shows it). A committee member
 * works in one community: no 社区 column.
 */
export const FIT_ORDER = ['releaseDate', 'age', 'sex', 'community', 'docNumber'];

export function residentColumns(t: TFunction<'residents'>, threshold: number, today: string, opts: { community?: boolean } = {}): ColDef<Row>[] {
  const blank = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const year = today.slice(0, 4);
  const date = (colId: 'startDate' | 'lastDay' | 'releaseDate', extra: Partial<ColDef<Row>> = {}): ColDef<Row> => ({
    colId,
    field: colId,
    headerName: t(`col.${colId}`),
    // MM-DD within the year; 最后一天, the list's default order, also holds its header's sort arrow.
    width: colId === 'lastDay' ? byLang(t, 108, 116) : byLang(t, 92, 100),
    sortable: true,
    tooltipField: colId,
    valueFormatter: (p) => shortDate(p.value, year),
    ...extra,
  });
  return [
    { colId: 'name', field: 'name', headerName: t('col.name'), width: 80, sortable: true, cellClass: 'res-name', tooltipField: 'name' },
    {
      colId: 'status',
      headerName: t('col.status'),
      width: byLang(t, 172, 220),
      cellRenderer: (p: ICellRendererParams<Row>) => (p.data ? <StatusTags row={p.data} threshold={threshold} t={t} /> : null),
    },
    {
      colId: 'needs',
      headerName: t('needs:col'),
      // Room for one or two short marks (独居, 孕产); every need with its note in the marks' title. Narrow enough that 社区 still fits at 1440 px.
      width: byLang(t, 72, 96),
      cellRenderer: (p: ICellRendererParams<Row>) => (p.data ? <NeedMarks needs={p.data.needs} /> : null),
    },
    {
      colId: 'day',
      headerName: t('col.day'),
      width: byLang(t, 112, 150),
      // The 待解除 tag stands in the status column: here 超期 N 天 alone, the whole label in the tooltip.
      valueGetter: (p) => (p.data ? dayText(p.data, t, { short: true }) : ''),
      tooltipValueGetter: (p) => (p.data ? dayText(p.data, t) : ''),
    },
    {
      colId: 'latestTemperature',
      field: 'latestTemperature',
      headerName: t('col.temperature'),
      width: byLang(t, 84, 110),
      sortable: true,
      valueFormatter: (p) => (typeof p.value === 'number' ? `${p.value.toFixed(1)}℃` : ''),
      cellClassRules: { 'res-cell-fever': (p) => typeof p.value === 'number' && p.value >= threshold },
    },
    { colId: 'sex', field: 'sex', headerName: t('col.sex'), width: 50, valueFormatter: (p) => (p.value ? t(`sex.${p.value as 'M' | 'F'}`) : '') },
    { colId: 'age', field: 'age', headerName: t('col.age'), width: 52, valueFormatter: (p) => blank(p.value) },
    { colId: 'docNumber', field: 'docNumber', headerName: t('col.docNumber'), width: 156, cellClass: 'res-mono' },
    { colId: 'phone', field: 'phone', headerName: t('col.phone'), width: 106, cellClass: 'res-mono' },
    { colId: 'community', field: 'community', headerName: t('col.community'), width: 96, tooltipField: 'community', hide: opts.community === false },
    { colId: 'address', field: 'address', headerName: t('col.address'), flex: 1, minWidth: 110, tooltipField: 'address' },
    date('startDate'),
    date('lastDay', { cellClassRules: { 'res-cell-due': (p) => !!p.data?.due } }),
    date('releaseDate'),
  ];
}

// AG Grid set-up shared by every list: only the community modules our lists use (smaller bundle, no warnings about
// unused features), the zh-CN / en locale texts, and one theme in the app's colours and fonts.
import {
  CellStyleModule,
  ColumnApiModule,
  InfiniteRowModelModule,
  LocaleModule,
  ModuleRegistry,
  RowApiModule,
  RowSelectionModule,
  RowStyleModule,
  ScrollApiModule,
  TooltipModule,
  themeQuartz,
} from 'ag-grid-community';
import { AG_GRID_LOCALE_CN, AG_GRID_LOCALE_EN } from '@ag-grid-community/locale';

let registered = false;

export function registerGridModules(): void {
  if (registered) return;
  registered = true;
  ModuleRegistry.registerModules([
    InfiniteRowModelModule, // rows come from SQL one block at a time
    RowSelectionModule, // checkboxes for batch actions
    RowStyleModule, // rowClassRules: abnormal / due rows coloured
    CellStyleModule, // cellClass / cellClassRules
    LocaleModule, // localeText
    ScrollApiModule, // ensureIndexVisible
    ColumnApiModule, // getAllDisplayedColumns (focusing the first row from the search box)
    RowApiModule, // getDisplayedRowAtIndex
    TooltipModule, // full text of truncated cells
  ]);
}

export function gridLocale(lang: string): Record<string, string> {
  return lang === 'en' ? AG_GRID_LOCALE_EN : AG_GRID_LOCALE_CN;
}

/** Compact Quartz theme: Chinese UI fonts first, the app's blue, dense rows for long lists. */
export const gridTheme = themeQuartz.withParams({
  fontFamily: ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans SC', 'sans-serif'],
  fontSize: 13,
  headerFontSize: 13,
  headerFontWeight: 600,
  rowHeight: 36,
  headerHeight: 38,
  accentColor: '#1f5fbf',
  headerBackgroundColor: '#fafafa',
  selectedRowBackgroundColor: '#e6efff',
  rowHoverColor: '#f5f8ff',
  borderRadius: 4,
  wrapperBorderRadius: 4,
  cellHorizontalPadding: 8,
});

// A long list backed by SQL paging: AG Grid's infinite row model asks `fetchPage({offset, limit, sort})` one block at
// a time, so the renderer never holds the whole table. Generic: residents, check-ins, supplies, audit lists reuse it.
// A click selects a row and opens it (Enter too, from the keyboard); an empty result shows `empty` (what to do next)
// instead of a blank grid.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type ForwardedRef, type ReactNode, type Ref } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type {
  CellClickedEvent,
  CellKeyDownEvent,
  ColDef,
  GetRowIdParams,
  GridApi,
  GridReadyEvent,
  GridSizeChangedEvent,
  IDatasource,
  IGetRowsParams,
  RowClassRules,
  SelectionChangedEvent,
  SortChangedEvent,
} from 'ag-grid-community';
import { useTranslation } from 'react-i18next';
import { cspNonce } from '../../csp.ts';
import { gridLocale, gridTheme, registerGridModules } from './setup.ts';
import './grid.css';

registerGridModules();

export type SortDir = 'asc' | 'desc';
export interface GridSort {
  colId: string;
  dir: SortDir;
}

export interface PageRequest {
  offset: number;
  limit: number;
  sort: GridSort | null;
  /** True for the first block of a (re)load: the server should count the matching rows too. */
  withTotal: boolean;
}

export interface PageResult<T> {
  rows: T[];
  /** Number of matching rows, or null when not counted (withTotal false). */
  total: number | null;
}

export interface GridHandle<T> {
  /** Reloads the loaded blocks in place (after a write), keeping the scroll position and selection. */
  refresh: () => void;
  api: () => GridApi<T> | null;
  focusFirstRow: () => void;
  clearSelection: () => void;
}

export interface InfiniteGridProps<T> {
  columnDefs: ColDef<T>[];
  fetchPage: (req: PageRequest) => Promise<PageResult<T>>;
  /** Anything that changes the result set (filters, search): a new key starts again from the first row. */
  queryKey: string;
  getRowId: (row: T) => string;
  rowClassRules?: RowClassRules<T>;
  initialSort?: GridSort;
  /** A click on a row (it is focused too), or Enter on the focused row. */
  onOpen?: (row: T) => void;
  /** Row checkboxes for batch actions; only rows passing `isSelectable` can be ticked. */
  selection?: { isSelectable: (row: T) => boolean; onChange: (rows: T[]) => void };
  /** Shown over the grid when nothing matches: say what to do next. */
  empty?: ReactNode;
  onTotal?: (total: number | null) => void;
  onError?: (e: unknown) => void;
  blockSize?: number;
  testId?: string;
  /**
   * Column ids to hide, first to last, while the grid is too narrow to show every column at its width (a flex column
   * at its minWidth): the columns that stay are never cut off at the right edge. They come back when there is room.
   */
  fitColumns?: string[];
}

/** Room a column needs: its width, or for a flex column its minWidth. */
const needs = <T,>(c: ColDef<T>) => (c.flex ? (c.minWidth ?? 60) : (c.width ?? 200));
/** AG Grid's checkbox column and the vertical scrollbar. */
const SELECTION_WIDTH = 50;
const SCROLLBAR = 16;

/** The ids of `order` to hide so that the other columns fit in `width` px. */
export function columnsToHide<T>(defs: ColDef<T>[], order: string[], width: number, selection: boolean): string[] {
  let need = defs.filter((c) => !c.hide).reduce((n, c) => n + needs(c), SCROLLBAR + (selection ? SELECTION_WIDTH : 0));
  const hide: string[] = [];
  for (const id of order) {
    if (need <= width) break;
    const c = defs.find((d) => d.colId === id && !d.hide);
    if (!c) continue;
    hide.push(id);
    need -= needs(c);
  }
  return hide;
}

function GridInner<T>(props: InfiniteGridProps<T>, ref: ForwardedRef<GridHandle<T>>) {
  const { i18n } = useTranslation();
  const apiRef = useRef<GridApi<T> | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [loadedOnce, setLoadedOnce] = useState(false);
  /** The query key whose rows are shown: until the first block for a new key arrives, the grid is busy. */
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const container = useRef<HTMLDivElement>(null);
  // Latest callbacks without rebuilding the datasource (which would reload the grid).
  const latest = useRef(props);
  latest.current = props;
  const knownTotal = useRef<number | null>(null);
  const blockSize = props.blockSize ?? 100;
  /** The sort of the latest block asked for: what a prefetch must use to match the grid's own request. */
  const lastSort = useRef<GridSort | null>(null);
  /** A block asked for ahead of AG Grid (Ctrl+End), taken by the grid's own request for it if it comes soon. */
  const prefetched = useRef<{ key: string; at: number; promise: Promise<PageResult<T>> } | null>(null);
  const pageKey = (req: PageRequest) => `${latest.current.queryKey}|${req.offset}|${req.limit}|${req.sort?.colId ?? ''}|${req.sort?.dir ?? ''}`;
  // Reads only refs, so one function serves every render (the datasource below is rebuilt only for a new key).
  const fetchBlock = useCallback((req: PageRequest): Promise<PageResult<T>> => {
    const pre = prefetched.current;
    if (pre && performance.now() - pre.at > 2000) prefetched.current = null;
    else if (pre && !req.withTotal && pre.key === pageKey(req)) {
      prefetched.current = null;
      return pre.promise;
    }
    return latest.current.fetchPage(req);
  }, []);

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (p: IGetRowsParams) => {
        const key = props.queryKey;
        const s = p.sortModel[0];
        const sort: GridSort | null = s ? { colId: s.colId, dir: s.sort === 'desc' ? 'desc' : 'asc' } : (latest.current.initialSort ?? null);
        const withTotal = p.startRow === 0 || knownTotal.current === null;
        const limit = p.endRow - p.startRow;
        lastSort.current = sort;
        fetchBlock({ offset: p.startRow, limit, sort, withTotal })
          .then((res) => {
            // A block for an earlier search that answers after the new one (a slow count) is not this list's: AG Grid
            // drops its rows (the callback only frees its request slot), and its total must not show either.
            if (key !== latest.current.queryKey) {
              p.successCallback(res.rows);
              return;
            }
            if (res.total !== null) {
              knownTotal.current = res.total;
              setTotal(res.total);
              latest.current.onTotal?.(res.total);
            }
            // Without a count, a short block marks the end.
            const last = knownTotal.current ?? (res.rows.length < limit ? p.startRow + res.rows.length : undefined);
            p.successCallback(res.rows, last);
            setLoadedOnce(true);
            setLoadedKey(key);
          })
          .catch((e: unknown) => {
            p.failCallback();
            if (key === latest.current.queryKey) latest.current.onError?.(e);
          });
      },
    }),
    // A new key = a new datasource = AG Grid drops its cache and starts from the top.
    [props.queryKey, fetchBlock],
  );

  useEffect(() => {
    knownTotal.current = null;
    setLoadedOnce(false);
    const api = apiRef.current;
    if (!api) return;
    api.deselectAll();
    api.ensureIndexVisible(0, 'top');
    // The focused row belongs to the old result. If the keyboard is in the list, it stays there, on the first row;
    // otherwise (typing a search) it is forgotten, so ↓ from the search box starts at the new first row, not at the
    // old row's index (AG Grid remembers the focused cell by index across a new datasource).
    const cell = api.getFocusedCell();
    if (!cell) return;
    if (container.current?.contains(document.activeElement)) api.setFocusedCell(0, cell.column);
    else api.clearFocusedCell();
  }, [props.queryKey]);

  useImperativeHandle(
    ref,
    () => ({
      refresh: () => {
        prefetched.current = null;
        apiRef.current?.refreshInfiniteCache();
      },
      api: () => apiRef.current,
      clearSelection: () => apiRef.current?.deselectAll(),
      focusFirstRow: () => {
        const api = apiRef.current;
        const col = api?.getAllDisplayedColumns().find((c) => c.getColId() !== 'ag-Grid-SelectionColumn');
        if (!api || !col) return;
        const cell = api.getFocusedCell();
        const index = Math.max(0, Math.min(cell?.rowIndex ?? 0, api.getDisplayedRowCount() - 1));
        api.ensureIndexVisible(index);
        api.setFocusedCell(index, col);
      },
    }),
    [],
  );

  // Hides the fitColumns that do not fit the grid's width (and shows them again when they do).
  const fit = useCallback(() => {
    const api = apiRef.current;
    const order = latest.current.fitColumns;
    const width = container.current?.clientWidth ?? 0;
    if (!api || !order?.length || width === 0) return;
    const defs = latest.current.columnDefs;
    const hide = columnsToHide(defs, order, width, !!latest.current.selection);
    // A column its definition hides (e.g. 社区 for a committee member) stays hidden.
    api.setColumnsVisible(order.filter((id) => !hide.includes(id) && defs.some((d) => d.colId === id && !d.hide)), true);
    api.setColumnsVisible(hide, false);
  }, []);

  const onGridReady = useCallback(
    (e: GridReadyEvent<T>) => {
      apiRef.current = e.api;
      fit();
    },
    [fit],
  );

  const onGridSizeChanged = useCallback((_e: GridSizeChangedEvent<T>) => fit(), [fit]);

  const onCellKeyDown = useCallback((e: CellKeyDownEvent<T>) => {
    const ev = e.event as KeyboardEvent | undefined;
    // Ctrl+End / Ctrl+Home: AG Grid leaves these to the browser, whose smooth scroll of the viewport passes through
    // several positions on the way (each drawn, some fetching a block the clerk never sees) and leaves the focus on the
    // old row. Instead: one jump straight to the last (first) row, one block fetched, the focus moved with it.
    if (ev && (ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && (ev.key === 'End' || ev.key === 'Home')) {
      const count = e.api.getDisplayedRowCount();
      if (count > 0) {
        ev.preventDefault();
        const index = ev.key === 'End' ? count - 1 : 0;
        // Ask the server for the target row's block now, while AG Grid draws the placeholder rows (~100 ms), instead of
        // after that and its block-load debounce; the grid's request for that block then takes this one.
        const offset = Math.floor(index / blockSize) * blockSize;
        if (knownTotal.current !== null && !e.api.getDisplayedRowAtIndex(index)?.data) {
          const req: PageRequest = { offset, limit: blockSize, sort: lastSort.current, withTotal: false };
          const promise = latest.current.fetchPage(req);
          promise.catch(() => {}); // a failure is reported when the grid's own request takes it
          prefetched.current = { key: pageKey(req), at: performance.now(), promise };
        }
        // Focus first: AG Grid keeps the focused row drawn, so moving the focus after the jump would leave the old row
        // in the DOM; a focused cell not yet drawn takes the browser focus when its row is drawn.
        e.api.setFocusedCell(index, e.column);
        e.api.ensureIndexVisible(index, ev.key === 'End' ? 'bottom' : 'top');
      }
      return;
    }
    if (ev?.key === 'Enter' && e.data) {
      ev.preventDefault();
      latest.current.onOpen?.(e.data);
    }
  }, [blockSize]);

  // One click opens, as on the 物资需求 board and everywhere else a clerk clicks a person or a request; the checkbox
  // column of a batch only ticks.
  const onCellClicked = useCallback((e: CellClickedEvent<T>) => {
    if (e.data && e.column.getColId() !== 'ag-Grid-SelectionColumn') latest.current.onOpen?.(e.data);
  }, []);

  const onSelectionChanged = useCallback((e: SelectionChangedEvent<T>) => {
    latest.current.selection?.onChange(e.api.getSelectedRows());
  }, []);

  const onSortChanged = useCallback((_e: SortChangedEvent<T>) => {
    // The infinite model reloads itself on a sort change; its first block recounts.
    knownTotal.current = null;
  }, []);

  const getRowId = useCallback((p: GetRowIdParams<T>) => latest.current.getRowId(p.data), []);

  const defaultColDef = useMemo<ColDef<T>>(() => ({ sortable: false, resizable: true, suppressHeaderMenuButton: true, minWidth: 60 }), []);
  // Keyed by the sort's values, not the object: a caller's inline `initialSort={{…}}` must not hand AG Grid new column
  // definitions on every render (it rebuilds every column and cell, ~110 ms on a search).
  const sortCol = props.initialSort?.colId;
  const sortDir = props.initialSort?.dir;
  const columnDefs = useMemo(() => {
    if (!sortCol) return props.columnDefs;
    return props.columnDefs.map((c) => (c.colId === sortCol ? { ...c, initialSort: sortDir } : c));
  }, [props.columnDefs, sortCol, sortDir]);
  const hasEmpty = !!props.empty;
  const suppressOverlays = useMemo(() => (hasEmpty ? (['noRows', 'noMatchingRows'] as const) : undefined), [hasEmpty]);

  const selectable = !!props.selection;
  // New columns (another language: other widths) or the checkbox column coming and going: fit again.
  useEffect(fit, [fit, columnDefs, selectable]);
  const rowSelection = useMemo(
    () =>
      selectable
        ? {
            mode: 'multiRow' as const,
            // The infinite model cannot "select all" rows it has not loaded.
            headerCheckbox: false,
            checkboxes: true,
            hideDisabledCheckboxes: true,
            enableClickSelection: false,
            isRowSelectable: (node: { data?: T }) => !!node.data && latest.current.selection!.isSelectable(node.data),
          }
        : undefined,
    [selectable],
  );

  const showEmpty = loadedOnce && total === 0 && props.empty;

  return (
    // aria-busy until the rows of the current query have arrived (screen readers; tests wait on it with data-loaded-key).
    <div ref={container} className={props.onOpen ? 'infinite-grid infinite-grid-opens' : 'infinite-grid'} data-testid={props.testId} aria-busy={loadedKey !== props.queryKey} data-loaded-key={loadedKey ?? ''}>
      <AgGridReact<T>
        theme={gridTheme}
        styleNonce={cspNonce}
        localeText={gridLocale(i18n.language)}
        rowModelType="infinite"
        datasource={datasource}
        cacheBlockSize={blockSize}
        // A few screens' worth of blocks: the rest are dropped and fetched again when scrolled back to.
        maxBlocksInCache={20}
        infiniteInitialRowCount={1}
        maxConcurrentDatasourceRequests={2}
        // Short: a jump (Ctrl+End, a click on the scrollbar) waits this long before asking for its block.
        blockLoadDebounceMillis={20}
        // Rows drawn beyond the viewport (default 10 each side): every row drawn on a jump costs cells, checkboxes and
        // tooltips, so fewer spare rows make Ctrl+End and searches faster; 4 still hides the redraw while scrolling.
        rowBuffer={4}
        columnDefs={columnDefs}
        defaultColDef={defaultColDef}
        getRowId={getRowId}
        rowClassRules={props.rowClassRules}
        rowSelection={rowSelection}
        onGridReady={onGridReady}
        onGridSizeChanged={onGridSizeChanged}
        onCellKeyDown={onCellKeyDown}
        onCellClicked={onCellClicked}
        onSelectionChanged={onSelectionChanged}
        onSortChanged={onSortChanged}
        // The full text of a truncated cell as the browser's own title: AG Grid's tooltip component costs a listener
        // set-up per cell, paid again for every row drawn on a jump.
        enableBrowserTooltips
        // Our own empty state says what to do next; AG Grid's bare 无显示行 would sit on top of it.
        suppressOverlays={suppressOverlays as ('noRows' | 'noMatchingRows')[] | undefined}
        suppressDragLeaveHidesColumns
        animateRows={false}
      />
      {showEmpty && (
        <div className="infinite-grid-empty" data-testid={props.testId ? `${props.testId}-empty` : undefined}>
          {props.empty}
        </div>
      )}
    </div>
  );
}

/** forwardRef that keeps the row type parameter. */
export const InfiniteGrid = forwardRef(GridInner) as <T>(p: InfiniteGridProps<T> & { ref?: Ref<GridHandle<T>> }) => ReturnType<typeof GridInner>;

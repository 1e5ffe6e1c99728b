// Problems found in an import, as values the clerk can act on: row as Excel shows it, column, cell, value, reason.
import type { CellValue } from '../cell.ts';
import { columnLetter } from './columns.ts';
import { cellText } from './normalise.ts';

export interface RowIssue {
  /** Row number as Excel shows it; null for a problem of the whole file (an ignored column…). */
  row: number | null;
  /** The column's header text, e.g. 身份证号 ('' for the whole row or file). */
  column: string;
  /** Cell reference, e.g. C23 ('' when not one cell). */
  cell: string;
  value: string;
  /** What is wrong and what to do, in Chinese. */
  reason: string;
  /** Stable code for programs and tests, e.g. 'id-checksum'. */
  code: string;
}

/** Collects errors and warnings with the header texts of the mapped columns at hand. */
export class IssueList {
  readonly errors: RowIssue[] = [];
  readonly warnings: RowIssue[] = [];
  private readonly headers: CellValue[];
  constructor(headers: CellValue[]) {
    this.headers = headers;
  }

  private make(row: number | null, col: number | undefined, value: CellValue | undefined, code: string, reason: string): RowIssue {
    const header = col === undefined ? '' : cellText(this.headers[col]);
    return { row, column: header, cell: col === undefined || row === null ? '' : `${columnLetter(col)}${row}`, value: cellText(value), reason, code };
  }

  error(row: number, col: number | undefined, value: CellValue | undefined, code: string, reason: string): void {
    this.errors.push(this.make(row, col, value, code, reason));
  }

  warn(row: number | null, col: number | undefined, value: CellValue | undefined, code: string, reason: string): void {
    this.warnings.push(this.make(row, col, value, code, reason));
  }
}

// The value of one cell, whichever reader gave it (xlsx-read.ts for .xlsx, read.ts for CSV) and whichever step of the
// import looks at it.

/** A cell as the import sees it: text, a number (kept as a number: an ID number in a number cell has lost digits), a date, a boolean, or empty. */
export type CellValue = string | number | boolean | Date | null;

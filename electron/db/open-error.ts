// Why a database file could not be opened, for every opener (sqlite.ts, keys.ts, open.ts) and their callers. Its own
// file so that the key parser (keys.ts) and the connection maker (sqlite.ts, which takes a key) do not import each other.
export class DatabaseOpenError extends Error {
  readonly code: 'damaged' | 'too_new' | 'unreadable' | 'missing' | 'key';
  constructor(code: DatabaseOpenError['code'], message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
    this.code = code;
  }
}

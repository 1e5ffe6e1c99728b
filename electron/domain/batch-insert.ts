// Bulk writes for the import batch path: rows in chunks, and prepared INSERTs of many rows per statement (insertEach).
import type { Ctx } from './context.ts';
import { CompiledQuery, sql, type Insertable } from 'kysely';
import { isPostgres } from '../db/engine.ts';
import type { Database } from '../db/schema.ts';

const CHUNK = 500;

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Rows per multi-row INSERT in SQLite. Each statement call costs its own crossing into SQLite and its own bindings:
 * 50 rows a call wrote 50,000 rows of each table the import fills 20–45% faster than one row a call (residents
 * 0.29 → 0.23 s, episodes 0.22 → 0.15 s, households 0.14 → 0.08 s without their indexes), while 500-row statements
 * with RETURNING, prepared anew each time, were slower than single rows (1.37 s vs 2.30 s on residents).
 */
const SQLITE_ROWS = 50;

interface Shape {
  /** The single-row INSERT, and the columns in its parameters' order. */
  sql: string;
  keys: string[];
  /** Where the id is among the keys (-1: SQLite gives it). */
  idAt: number;
  /** The SQLITE_ROWS-row INSERT of these columns, compiled when first needed. */
  many?: string;
  /** Through bulkInsert: the SQLITE_ROWS-row INSERTs whose shared columns (by their indexes in keys) are `@` parameters. */
  sharedMany?: Map<string, string>;
}

/** A value that is the same parameter in every row when `===` says so (what bindings take as they are). */
const isPlain = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';

/** A run's full statements with the columns their rows share bound once: the SQL, the columns each row still binds, the shared values. */
interface SharedStatement {
  text: string;
  own: string[];
  named: Record<string, unknown>;
}

/**
 * The statement for the rows rows[from, to) of shape c (a run going out SQLITE_ROWS at a time through bulkInsert) when
 * some columns (never the id) have the same value in every one of them: each is bound once per statement, as a named
 * parameter, instead of once per row (the import's rows share their batch, times, status and most dates: 50,000
 * people's residents and episodes went in ~0.15 s faster — binding a value costs more than SQLite's writing of it).
 * Null when no column is shared.
 */
function sharedStatement(c: Shape, rows: Record<string, unknown>[], from: number, to: number): SharedStatement | null {
  const shared: number[] = [];
  const own: string[] = [];
  const named: Record<string, unknown> = {};
  for (let k = 0; k < c.keys.length; k++) {
    const key = c.keys[k];
    const v = rows[from][key];
    let same = k !== c.idAt && isPlain(v);
    for (let r = from + 1; same && r < to; r++) same = rows[r][key] === v;
    if (same) {
      shared.push(k);
      named[`s${k}`] = v;
    } else own.push(key);
  }
  return shared.length ? { text: sharedManySql(c, shared), own, named } : null;
}

/** The SQLITE_ROWS-row INSERT of shape c with the shared columns as `@sK` parameters (K: the column's index in keys). */
function sharedManySql(c: Shape, shared: number[]): string {
  const sig = shared.join(',');
  c.sharedMany ??= new Map();
  let text = c.sharedMany.get(sig);
  if (!text) {
    // Kysely's single-row INSERT ends in ` values (?, ?, …)`: its head is kept, the tuple repeated with the marks.
    const at = c.sql.lastIndexOf(' values (');
    if (at < 0 || c.sql.slice(at + ' values '.length) !== `(${c.keys.map(() => '?').join(', ')})`) throw new Error(`insertEach: unexpected INSERT ${c.sql}`);
    const set = new Set(shared);
    const tuple = `(${c.keys.map((_, k) => (set.has(k) ? `@s${k}` : '?')).join(', ')})`;
    text = c.sql.slice(0, at + ' values '.length) + new Array(SQLITE_ROWS).fill(tuple).join(', ');
    c.sharedMany.set(sig, text);
  }
  return text;
}

/**
 * Inserts rows with prepared INSERTs, one per set of columns, and returns the new ids in input order. In SQLite,
 * consecutive rows of the same columns go SQLITE_ROWS at a time into one multi-row `INSERT … VALUES (…), (…)`
 * prepared once (the rest one at a time); no Kysely query is built per row, and the ids need no RETURNING: rows
 * that carry their id have it, the others get consecutive ids ending at the statement's last insert id (SQLite
 * writes a statement's rows in order, and no trigger of these tables inserts into the same table). On a job's
 * connection the statements run through ctx.bulkInsert, without Kysely's promises per statement; elsewhere through
 * Kysely. A row may point at an earlier row of the same statement (a guardian): foreign keys are checked at the
 * statement's end. Through bulkInsert, the columns that have one value in every row of a run of full statements (the
 * import's batch, times, status, most dates) are bound once per statement (sharedStatement).
 */
export async function insertEach<T extends keyof Database & string>(ctx: Pick<Ctx, 'db' | 'bulkInsert'>, table: T, input: Insertable<Database[T]>[]): Promise<number[]> {
  const { db, bulkInsert } = ctx;
  // PostgreSQL: one round trip per row would cost far more than the server's work; multi-row statements instead.
  if (isPostgres(db)) return input.length > 1 ? insertManyPg(db, table, input) : insertOnePg(db, table, input);
  const rows = input as Record<string, unknown>[];
  const compiled = new Map<string, Shape>();
  const shapes: Shape[] = new Array(rows.length);
  let last: Shape | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    // Rows usually share their shape: check against the last one without building a key list.
    let n = 0;
    let same = last !== undefined;
    for (const k in row) {
      if (row[k] === undefined) continue;
      if (same && last!.keys[n] !== k) same = false;
      n++;
    }
    let c = same && n === last!.keys.length ? last : undefined;
    if (!c) {
      const keys = Object.keys(row).filter((k) => row[k] !== undefined);
      const sig = keys.join(',');
      c = compiled.get(sig);
      if (!c) {
        const q = db.insertInto(table).values(row as never).compile();
        // Kysely binds plain values as they are; anything else (an expression) would need its own compile.
        if (q.parameters.length !== keys.length || q.parameters.some((v, j) => v !== row[keys[j]])) throw new Error(`insertEach: ${table} row is not plain values`);
        compiled.set(sig, (c = { sql: q.sql, keys, idAt: keys.indexOf('id') }));
      }
    }
    shapes[i] = last = c;
  }
  const run = async (text: string, params: unknown[]): Promise<number> => (bulkInsert ? bulkInsert(text, params) : Number((await db.executeQuery(CompiledQuery.raw(text, params))).insertId));
  const ids: number[] = new Array(rows.length);
  // Through bulkInsert: where the full statements of the current run of one shape end, and their shared statement.
  let runEnd = 0;
  let together: SharedStatement | null = null;
  let i = 0;
  while (i < rows.length) {
    const c = shapes[i];
    const width = c.keys.length;
    let j = i + 1;
    while (j < rows.length && j - i < SQLITE_ROWS && shapes[j] === c) j++;
    if (j - i === SQLITE_ROWS) {
      if (bulkInsert && i >= runEnd) {
        let e = j;
        while (e < rows.length && shapes[e] === c) e++;
        runEnd = i + Math.floor((e - i) / SQLITE_ROWS) * SQLITE_ROWS;
        together = sharedStatement(c, rows, i, runEnd);
      }
      if (!together && !c.many) {
        const sample = rows.slice(i, j);
        const q = db.insertInto(table).values(sample as never).compile();
        if (q.parameters.length !== width * SQLITE_ROWS || q.parameters.some((v, x) => v !== sample[Math.floor(x / width)][c.keys[x % width]])) throw new Error(`insertEach: ${table} rows do not compile as one statement`);
        c.many = q.sql;
      }
      const keys = together ? together.own : c.keys;
      const params = new Array(keys.length * SQLITE_ROWS);
      for (let r = 0, x = 0; r < SQLITE_ROWS; r++) {
        const row = rows[i + r];
        for (const key of keys) params[x++] = row[key];
      }
      const lastId = together ? bulkInsert!(together.text, params, together.named) : await run(c.many!, params);
      for (let r = 0; r < SQLITE_ROWS; r++) {
        const id = c.idAt >= 0 ? rows[i + r].id : lastId - SQLITE_ROWS + 1 + r;
        if (typeof id !== 'number') throw new Error(`insertEach: ${table} id must be a number or left out`);
        ids[i + r] = id;
      }
      i = j;
      continue;
    }
    const row = rows[i];
    const params = new Array(width);
    for (let k = 0; k < width; k++) params[k] = row[c.keys[k]];
    ids[i] = await run(c.sql, params);
    i++;
  }
  return ids;
}

/** One row on PostgreSQL: the statement returns its id (PostgreSQL reports no insert id). */
async function insertOnePg<T extends keyof Database & string>(db: Ctx['db'], table: T, rows: Insertable<Database[T]>[]): Promise<number[]> {
  const out: number[] = [];
  for (const row of rows) {
    const r = await db.insertInto(table).values(row as never).returning(sql.ref('id').as('id') as never).executeTakeFirstOrThrow();
    out.push(Number((r as { id: number }).id));
  }
  return out;
}

/** PostgreSQL's limit on a statement's parameters. */
const PG_MAX_PARAMS = 65535;
/** Rows per multi-row INSERT on PostgreSQL: larger statements gained nothing more (50,000-row import). */
const PG_ROWS = 1000;

/**
 * insertEach on PostgreSQL: rows without an id get theirs from the table's identity sequence first (one statement
 * for all of them, in ascending order), so the ids are known in input order without relying on the order of a
 * RETURNING; then the rows are written with multi-row `INSERT … VALUES (…), (…)` statements, consecutive rows of the
 * same columns together. The per-row triggers still run; foreign keys are checked at each statement's end, so a row
 * may point at an earlier row of the same statement (a guardian), as it may at an earlier row one at a time.
 */
async function insertManyPg<T extends keyof Database & string>(db: Ctx['db'], table: T, input: Insertable<Database[T]>[]): Promise<number[]> {
  const rows = input as Record<string, unknown>[];
  const ids: number[] = new Array(rows.length);
  const missing: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const id = rows[i].id;
    if (id === undefined || id === null) missing.push(i);
    else ids[i] = Number(id);
  }
  // One single-row statement compiled per set of columns (Kysely names the table and columns as the domain does).
  const shapes = new Map<string, { head: string; keys: string[] }>();
  const shapeOf = (row: Record<string, unknown>, withId: boolean) => {
    const keys = Object.keys(row).filter((k) => k !== 'id' && row[k] !== undefined);
    if (withId) keys.unshift('id');
    const sig = keys.join(',');
    let s = shapes.get(sig);
    if (!s) {
      const one: Record<string, unknown> = {};
      for (const k of keys) one[k] = k === 'id' && row.id == null ? 0 : row[k];
      const q = db.insertInto(table).values(one as never).compile();
      if (q.parameters.length !== keys.length || q.parameters.some((v, j) => v !== one[keys[j]])) throw new Error(`insertEach: ${table} row is not plain values`);
      const at = q.sql.lastIndexOf(' values (');
      if (at < 0) throw new Error(`insertEach: unexpected INSERT for ${table}: ${q.sql}`);
      shapes.set(sig, (s = { head: q.sql.slice(0, at + ' values '.length), keys }));
    }
    return s;
  };
  if (missing.length) {
    const first = shapeOf(rows[missing[0]], true);
    const name = /^insert into "([^"]+)"/.exec(first.head)?.[1];
    if (!name) throw new Error(`insertEach: no table name in ${first.head}`);
    const { rows: got } = await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence(${name}, 'id')) AS id FROM generate_series(1, ${missing.length})`.execute(db);
    const fresh = got.map((r) => Number(r.id)).sort((a, b) => a - b);
    for (let j = 0; j < missing.length; j++) ids[missing[j]] = fresh[j];
  }
  let i = 0;
  while (i < rows.length) {
    const shape = shapeOf(rows[i], true);
    const perRow = shape.keys.length;
    const most = Math.max(1, Math.min(PG_ROWS, Math.floor(PG_MAX_PARAMS / perRow)));
    const params: unknown[] = [];
    const tuples: string[] = [];
    let n = 0;
    for (; i < rows.length && tuples.length < most; i++) {
      const row = rows[i];
      if (tuples.length && shapeOf(row, true) !== shape) break;
      const marks = new Array<string>(perRow);
      for (let j = 0; j < perRow; j++) {
        const k = shape.keys[j];
        params.push(k === 'id' ? ids[i] : row[k]);
        marks[j] = `$${++n}`;
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    await db.executeQuery(CompiledQuery.raw(shape.head + tuples.join(', '), params));
  }
  return ids;
}

// Bulk writes for the import batch path: rows in chunks, and one prepared single-row INSERT per shape (insertEach).
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
 * Inserts rows one at a time with one prepared single-row INSERT per set of columns, returning the new ids in input
 * order. In SQLite this runs ~1.7× faster than 500-row `VALUES … RETURNING` statements (measured on the residents
 * table: 1.37 s vs 2.30 s CPU for 50,000 rows), no Kysely query is built per row, and the ids need no matching
 * back (RETURNING order is not promised). On a job's connection the statement runs through ctx.bulkInsert, without
 * a Kysely query and its promises per row (~2.5 µs a row); elsewhere through Kysely.
 */
export async function insertEach<T extends keyof Database & string>(ctx: Pick<Ctx, 'db' | 'bulkInsert'>, table: T, rows: Insertable<Database[T]>[]): Promise<number[]> {
  const { db, bulkInsert } = ctx;
  // PostgreSQL: one round trip per row would cost far more than the server's work; multi-row statements instead.
  if (rows.length > 1 && isPostgres(db)) return insertManyPg(db, table, rows);
  // PostgreSQL reports no insert id: the statement returns it (RETURNING id).
  const pg = isPostgres(db);
  const compiled = new Map<string, { sql: string; keys: string[] }>();
  const ids: number[] = new Array(rows.length);
  let last: { sql: string; keys: string[] } | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Record<string, unknown>;
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
        const insert = db.insertInto(table).values(row as never);
        const q = pg ? insert.returning(sql.ref('id').as('id') as never).compile() : insert.compile();
        // Kysely binds plain values as they are; anything else (an expression) would need its own compile.
        if (q.parameters.length !== keys.length || q.parameters.some((v, j) => v !== row[keys[j]])) throw new Error(`insertEach: ${table} row is not plain values`);
        compiled.set(sig, (c = { sql: q.sql, keys }));
      }
    }
    last = c;
    const params = new Array(c.keys.length);
    for (let j = 0; j < params.length; j++) params[j] = row[c.keys[j]];
    if (bulkInsert) ids[i] = bulkInsert(c.sql, params);
    else {
      const r = await db.executeQuery<{ id: number }>(CompiledQuery.raw(c.sql, params));
      ids[i] = Number(pg ? r.rows[0].id : r.insertId);
    }
  }
  return ids;
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

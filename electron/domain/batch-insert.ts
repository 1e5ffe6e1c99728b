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

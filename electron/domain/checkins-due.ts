// The pieces of the 今日监测 list's SQL (checkins.ts dueList, checkins-groups.ts): the natural order of the place tree
// (compound name, then building, unit and room by their NUMBER — 1号楼 < 2号楼 < 10号楼, room 101 < 1001 — so calling
// goes floor by floor) and the search box (name, pinyin initials or full pinyin, room number). Raw SQL over the aliases
// both queries use: p (compound), b (building), u (unit), rm (room), h (household), r (resident).
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { toHalfWidth } from '../shared/idcard.ts';
import { isPostgres, naturalKeyPg, type Engine } from '../db/engine.ts';
import type { Db } from '../db/open.ts';

export { DUE_PAGE, DUE_PAGE_MAX } from '../shared/limits.ts';

/**
 * A place name in natural order: names that start with a digit first, by their leading integer (SQLite's CAST reads
 * the longest integer prefix: '10号楼' → 10, '1001' → 1001), then by the name itself ('12A号楼' after '12号楼'); names
 * without a leading number ('A座', '综合楼', '') after them, by name.
 */
function natural(alias: 'b' | 'u' | 'rm', engine: Engine = 'sqlite'): RawBuilder<unknown>[] {
  const name = sql.ref(`${alias}.name`);
  if (engine === 'postgres') return naturalKeyPg(name);
  return [sql`case when ${name} glob '[0-9]*' then 0 else 1 end`, sql`cast(${name} as integer)`, name];
}

/** Building order: compound (by name, then id), building by number — each followed by its id. Aliases p and b. */
export const BUILDING_ORDER: RawBuilder<unknown>[] = [sql.ref('p.name'), sql.ref('p.id'), ...natural('b'), sql.ref('b.id')];

/** Group order: building order, then unit — each followed by its id so one place's rows stay together. */
export const GROUP_ORDER: RawBuilder<unknown>[] = [...BUILDING_ORDER, ...natural('u'), sql.ref('u.id')];

/** Row order inside a unit: room by number, then the person's name in pinyin. */
export const ROW_ORDER: RawBuilder<unknown>[] = [...GROUP_ORDER, ...natural('rm'), sql.ref('r.namePinyin'), sql.ref('r.id')];

const PG_BUILDING_ORDER: RawBuilder<unknown>[] = [sql.ref('p.name'), sql.ref('p.id'), ...natural('b', 'postgres'), sql.ref('b.id')];
const PG_GROUP_ORDER: RawBuilder<unknown>[] = [...PG_BUILDING_ORDER, ...natural('u', 'postgres'), sql.ref('u.id')];
const PG_ROW_ORDER: RawBuilder<unknown>[] = [...PG_GROUP_ORDER, ...natural('rm', 'postgres'), sql.ref('r.namePinyin'), sql.ref('r.id')];

/** BUILDING_ORDER, GROUP_ORDER and ROW_ORDER in the engine of `db`. */
export const buildingOrder = (db: Db) => (isPostgres(db) ? PG_BUILDING_ORDER : BUILDING_ORDER);
export const groupOrder = (db: Db) => (isPostgres(db) ? PG_GROUP_ORDER : GROUP_ORDER);
export const rowOrder = (db: Db) => (isPostgres(db) ? PG_ROW_ORDER : ROW_ORDER);

/** The search box, normalised: full-width letters and digits made half-width, spaces dropped. */
export function cleanSearch(raw: string | undefined): string {
  return toHalfWidth(raw ?? '').trim().replace(/\s+/g, '');
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** `col` starts with `s`, as a range (binary order; U+10FFFF sorts after every character). */
function prefix(col: string, s: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref(col)} >= ${s} and ${sql.ref(col)} < ${s + '\u{10FFFF}'})`;
}

/**
 * What the search box finds: letters are pinyin initials or the start of the full pinyin (zs, zhang, zhangsan);
 * digits are the start of a room number (30 → 301, 302…); anything else the start of the name, or (two characters
 * or more) a part of the address (3号楼2单元). Null for an empty box.
 */
export function dueSearch(raw: string | undefined): RawBuilder<SqlBool> | null {
  const s = cleanSearch(raw);
  if (!s) return null;
  if (/^[a-zA-Z]+$/.test(s)) {
    const low = s.toLowerCase();
    return sql<SqlBool>`(${prefix('r.nameInitials', low)} or ${prefix('r.namePinyin', low)})`;
  }
  if (/^\d+[a-zA-Z]?$/.test(s)) return prefix('rm.name', s.toUpperCase());
  const name = prefix('r.name', s);
  if ([...s].length < 2) return name;
  return sql<SqlBool>`(${name} or ${sql.ref('h.address')} like ${'%' + escapeLike(s) + '%'} escape '\\')`;
}

// Copies a subdistrict's SQLite file into a PostgreSQL database built by the same migrations (migrate-to-pg), inside
// the caller's transaction on the target. Read-only on the source (better-sqlite3, raw rows).
//
// Ids: every table with an identity id gets an offset — the largest id the target has in it (takeRange: the table
// locked against other writers, its sequence moved past the range) — and every id, declared foreign key and the few
// undeclared references (EXTRA_REFS, audit_log.entity_id by its entity) move by the offset of the table they name.
// An empty target has offset 0 everywhere: ids are kept as they were. Foreign keys that form a cycle or point into
// their own table are written NULL first and set once every table is in (the server checks every foreign key).
//
// The audit trail: when audit_log keeps its ids (offset 0), its rows are copied verbatim — ids, nonces, hashes — and
// the original chain verifies in place. Otherwise the original rows are copied verbatim into an archive table
// (schema idesk_archive_<source id>, same columns) where the original chain still verifies, and the rows appended to
// the target's chain carry the mapped ids (new nonces and hashes, details as they were).
//
// Each table is checked after writing: rows read back from the target, ids mapped back, compared by count and a
// content checksum (SHA-256 over the rows' canonical JSON, sorted) with the source's rows.
import crypto from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { lockAuditChain } from '../engine.ts';
import { chainPrevHash, detailsCommit, newNonces, rowHash } from '../audit-chain.ts';

type Db = Kysely<Database>;
type Row = Record<string, unknown>;

/** Tables not copied, and why (printed in the report). */
export const NOT_COPIED: Record<string, string> = {
  schema_migrations: '目标库由同一套迁移建成，保留自己的迁移记录',
  database_identity: '目标库保留自己的标识；源文件的标识记入迁移审计条目',
  change_log: '通知在线窗口刷新的临时记录',
  idempotency_keys: '网络重试用的临时记录',
  login_throttle: '登录失败计数（临时）',
  server_sessions: '登录会话（迁移后重新登录）',
  audit_purge_gate: '清理时的临时闸门（平时为空）',
  coverage_counts: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  checkin_counts: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  coverage_overlaps: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  need_coverage: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  need_registered: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  coverage_by_community: '统计计数：随数据写入由触发器生成，再与重新计算的结果核对',
  counter_version: '统计计数的版本号（目标库自己的）',
};

/** References the schema does not declare as foreign keys: column → the table whose ids it holds. */
const EXTRA_REFS: Record<string, Record<string, string>> = {
  residents: { current_episode_id: 'episodes' },
  checkin_batches: { created_by_id: 'users' },
  test_rounds: { created_by_id: 'users' },
  audit_log: { resident_id: 'residents' },
  audit_chain_checks: { head_id: 'audit_log', broken_id: 'audit_log' },
};

/** audit_log.entity_id names a row of the table its entity names. */
export const ENTITY_TABLES: Record<string, string> = {
  resident: 'residents',
  episode: 'episodes',
  checkin: 'checkins',
  checkin_batch: 'checkin_batches',
  test: 'tests',
  test_round: 'test_rounds',
  alert: 'alerts',
  supply_request: 'supply_requests',
  cadre: 'cadres',
  cadre_group: 'cadre_groups',
  cadre_shift: 'cadre_shifts',
  door_visit: 'door_visits',
  need_schedule: 'need_schedules',
  user: 'users',
  place: 'places',
  import_batch: 'import_batches',
  device: 'devices',
};

export interface TableCheck {
  table: string;
  /** Rows in the source. */
  source: number;
  /** Rows written (and read back) in the target. */
  target: number;
  sourceChecksum: string;
  targetChecksum: string;
  ok: boolean;
  /** Why some or all rows were not copied, or what changed (renamed accounts). */
  note: string | null;
  /** The id offset of this table in the target (0: ids kept). */
  offset: number;
}

export interface CopyOutcome {
  tables: TableCheck[];
  /** Tables not copied (NOT_COPIED) with their source row counts. */
  skipped: { table: string; rows: number; why: string }[];
  offsets: Record<string, number>;
  /** Archive schema of the original audit rows when audit_log ids changed, else null. */
  archive: string | null;
  renamedUsers: { from: string; to: string }[];
  renamedGroups: { from: string; to: string }[];
  /** Settings kept as the target had them (a target with data of its own). */
  keptSettings: string[];
  targetWasEmpty: boolean;
}

export class MigrateRefusal extends Error {}

const quoteLit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `x:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'bigint') return Number(v);
  return v;
}

const lineOf = (r: Row, sortedCols: string[]) => JSON.stringify(sortedCols.map((c) => canonical(r[c])));

/**
 * SHA-256 over the rows (columns in name order, canonical values), sorted: independent of row order. Tables with an
 * id are hashed page by page in id order instead (PageHash), which is the same order on both sides (ids move by a
 * constant), so no table is ever held whole in memory for its check.
 */
export function checksumRows(rows: Row[], columns: string[]): string {
  const cols = [...columns].sort();
  const lines = rows.map((r) => lineOf(r, cols)).sort();
  const h = crypto.createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('hex');
}

class PageHash {
  readonly #h = crypto.createHash('sha256');
  readonly #cols: string[];
  rows = 0;
  constructor(columns: string[]) {
    this.#cols = [...columns].sort();
  }
  add(rows: Row[]): void {
    for (const r of rows) this.#h.update(lineOf(r, this.#cols)).update('\n');
    this.rows += rows.length;
  }
  digest(): string {
    return this.#h.digest('hex');
  }
}

const PAGE = 5000;

interface Meta {
  columns: Record<string, string[]>;
  nullable: Record<string, Set<string>>;
  identity: Set<string>;
  /** table → column → referenced table (declared and EXTRA_REFS): the ids to map. */
  refs: Record<string, Record<string, string>>;
  /** The declared foreign keys only: the write order. */
  fks: Record<string, Record<string, string>>;
}

async function targetMeta(db: Db): Promise<Meta> {
  const cols = (
    await sql<{ t: string; c: string; nullable: string; identity: string }>`SELECT table_name AS t, column_name AS c, is_nullable AS nullable, is_identity AS identity
      FROM information_schema.columns WHERE table_schema = current_schema()
      AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE')
      ORDER BY table_name, ordinal_position`.execute(db)
  ).rows;
  const meta: Meta = { columns: {}, nullable: {}, identity: new Set(), refs: {}, fks: {} };
  for (const r of cols) {
    (meta.columns[r.t] ??= []).push(r.c);
    if (r.nullable === 'YES') (meta.nullable[r.t] ??= new Set()).add(r.c);
    if (r.c === 'id' && r.identity === 'YES') meta.identity.add(r.t);
  }
  const fks = (
    await sql<{ t: string; c: string; ref: string }>`SELECT cl.relname AS t, a.attname AS c, rf.relname AS ref
      FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class rf ON rf.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND n.nspname = current_schema()`.execute(db)
  ).rows;
  for (const f of fks) {
    (meta.refs[f.t] ??= {})[f.c] = f.ref;
    (meta.fks[f.t] ??= {})[f.c] = f.ref;
  }
  for (const [t, m] of Object.entries(EXTRA_REFS)) for (const [c, ref] of Object.entries(m)) if (meta.columns[t]?.includes(c)) (meta.refs[t] ??= {})[c] = ref;
  return meta;
}

/**
 * Tables in an order where every NOT NULL foreign key points to a table written before; a nullable foreign key that
 * points to a table written later (a cycle: cadres ↔ cadre_groups) is deferred: written NULL, then set. References
 * into the same table (places.parent_id) are not deferred: the rows are written parents first (selfOrdered), so the
 * counters' triggers see every place where it belongs when an episode or a check-in arrives.
 */
function writeOrder(tables: string[], meta: Meta): { order: string[]; deferred: Record<string, string[]> } {
  const set = new Set(tables);
  const deps = (t: string, hard: boolean) =>
    Object.entries(meta.fks[t] ?? {}).filter(([c, ref]) => set.has(ref) && ref !== t && hard !== !!meta.nullable[t]?.has(c)).map(([, ref]) => ref);
  const order: string[] = [];
  const placed = new Set<string>();
  const remaining = [...tables].sort();
  while (remaining.length) {
    // Every NOT NULL reference placed; preferably every nullable one too (nothing to set afterwards).
    const ready = remaining.filter((t) => deps(t, true).every((r) => placed.has(r)));
    if (!ready.length) throw new MigrateRefusal(`表 ${remaining.join('、')} 互相引用且不能为空，无法写入。未做任何改动。`);
    const t = ready.find((x) => deps(x, false).every((r) => placed.has(r))) ?? ready[0];
    order.push(t);
    placed.add(t);
    remaining.splice(remaining.indexOf(t), 1);
  }
  const pos = new Map(order.map((t, i) => [t, i]));
  const deferred: Record<string, string[]> = {};
  for (const t of order) {
    for (const [c, ref] of Object.entries(meta.fks[t] ?? {})) {
      if (set.has(ref) && ref !== t && meta.nullable[t]?.has(c) && pos.get(ref)! > pos.get(t)!) (deferred[t] ??= []).push(c);
    }
  }
  return { order, deferred };
}

function sqliteTables(src: SqliteDatabase.Database): string[] {
  return (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

async function insertRows(db: Db, table: string, cols: string[], rows: Row[], schema?: string): Promise<void> {
  const per = Math.max(1, Math.floor(20000 / Math.max(1, cols.length)));
  const target = schema ? sql`${sql.id(schema)}.${sql.id(table)}` : sql.table(table);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await sql`INSERT INTO ${target} (${sql.join(cols.map((c) => sql.id(c)))}) VALUES ${sql.join(chunk.map((r) => sql`(${sql.join(cols.map((c) => r[c] ?? null))})`))}`.execute(db);
  }
}

/** Rows of `table` (columns by position, so the CamelCase plugin leaves the names alone) matching `where`. */
async function readRows(db: Db, table: string, cols: string[], where: ReturnType<typeof sql>, schema?: string, tail: ReturnType<typeof sql> = sql``): Promise<Row[]> {
  const from = schema ? sql`${sql.id(schema)}.${sql.id(table)}` : sql.table(table);
  const res = await sql<Row>`SELECT ${sql.join(cols.map((c, i) => sql`${sql.id(c)} AS ${sql.id(`c${i}`)}`))} FROM ${from} WHERE ${where} ${tail}`.execute(db);
  return res.rows.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[`c${i}`]])));
}

export interface CopyOptions {
  /** The source's subdistrict name, appended to accounts and 包联组 names that the target already has. */
  subdistrict: string;
  /** The source's database id (names the audit archive). */
  sourceDatabaseId: string;
}

export async function copySqliteToPg(src: SqliteDatabase.Database, db: Db, opts: CopyOptions): Promise<CopyOutcome> {
  const meta = await targetMeta(db);
  const all = sqliteTables(src);
  const count = (t: string) => (src.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
  const skipped = all.filter((t) => NOT_COPIED[t]).map((t) => ({ table: t, rows: count(t), why: NOT_COPIED[t] }));
  const unknown = all.filter((t) => !NOT_COPIED[t] && !meta.columns[t]);
  if (unknown.length) throw new MigrateRefusal(`目标库没有源文件中的表：${unknown.join('、')}。两边的数据结构不一致，未做任何改动。`);
  const tables = all.filter((t) => !NOT_COPIED[t]);
  const srcCols: Record<string, string[]> = {};
  for (const t of tables) {
    srcCols[t] = (src.prepare(`SELECT name FROM pragma_table_info('${t}')`).all() as { name: string }[]).map((r) => r.name);
    const missing = srcCols[t].filter((c) => !meta.columns[t].includes(c));
    if (missing.length) throw new MigrateRefusal(`目标库的表 ${t} 缺少列：${missing.join('、')}。两边的数据结构不一致，未做任何改动。`);
  }
  const targetRows = async (t: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(t)}`.execute(db)).rows[0].n);
  const targetWasEmpty = (await targetRows('places')) === 0 && (await targetRows('residents')) === 0 && (await targetRows('users')) === 0;
  const placeMerge = await mergeOrgRoot(src, db);

  // Offsets: the ids this migration takes in each table (the table is locked until commit).
  const offsets: Record<string, number> = {};
  const maxId: Record<string, number> = {};
  for (const t of tables) {
    if (!meta.identity.has(t)) continue;
    maxId[t] = Number((src.prepare(`SELECT coalesce(max(id), 0) AS m FROM "${t}"`).get() as { m: number }).m);
    offsets[t] = maxId[t] > 0 ? await takeRange(db, t, maxId[t]) : 0;
  }
  const auditOffset = offsets.audit_log ?? 0;
  const archive = auditOffset === 0 ? null : `idesk_archive_${opts.sourceDatabaseId.replace(/[^0-9a-f]/gi, '').slice(0, 16).toLowerCase()}`;
  // audit_chain_checks name audit ids of the original chain: kept only where that chain keeps its ids.
  const skipChecks = archive !== null;
  const copyTables = tables.filter((t) => !(skipChecks && t === 'audit_chain_checks'));
  if (skipChecks && all.includes('audit_chain_checks')) skipped.push({ table: 'audit_chain_checks', rows: count('audit_chain_checks'), why: '记录的是原审计链的链尾编号，原链保存在归档表中' });

  // Values the target already has under a unique key.
  const renamedUsers: CopyOutcome['renamedUsers'] = [];
  const renamedGroups: CopyOutcome['renamedGroups'] = [];
  const rename = async (table: 'users' | 'cadre_groups', col: string, make: (v: string, n: number) => string, out: { from: string; to: string }[]) => {
    const mine = (src.prepare(`SELECT "${col}" AS v FROM "${table}"`).all() as { v: string }[]).map((r) => r.v);
    if (!mine.length) return new Map<string, string>();
    const taken = new Set((await sql<{ v: string }>`SELECT ${sql.id(col)} AS v FROM ${sql.table(table)}`.execute(db)).rows.map((r) => r.v));
    const map = new Map<string, string>();
    for (const v of mine) {
      if (!taken.has(v)) continue;
      let n = 1;
      let to = make(v, n);
      while (taken.has(to) || mine.includes(to)) to = make(v, ++n);
      taken.add(to);
      map.set(v, to);
      out.push({ from: v, to });
    }
    return map;
  };
  const userMap = await rename('users', 'username', (v, n) => `${v}@${opts.subdistrict}${n > 1 ? n : ''}`, renamedUsers);
  const groupMap = await rename('cadre_groups', 'name', (v, n) => `${v}（${opts.subdistrict}${n > 1 ? n : ''}）`, renamedGroups);
  // The same person in both databases cannot be merged by a copy.
  const docs = src.prepare("SELECT doc_type, doc_number FROM residents WHERE doc_number IS NOT NULL AND doc_number <> ''").all() as { doc_type: string; doc_number: string }[];
  if (docs.length && !targetWasEmpty) {
    const clash: string[] = [];
    for (let i = 0; i < docs.length; i += 5000) {
      const part = docs.slice(i, i + 5000);
      const rows = (
        await sql<{ n: string }>`SELECT doc_number AS n FROM residents WHERE (doc_type, doc_number) IN (${sql.join(part.map((d) => sql`(${d.doc_type}, ${d.doc_number})`))})`.execute(db)
      ).rows;
      clash.push(...rows.map((r) => r.n));
    }
    if (clash.length) {
      const shown = clash.slice(0, 10).map((n) => `${n.slice(0, 6)}********${n.slice(-4)}`);
      throw new MigrateRefusal(`目标库中已有 ${clash.length} 名同一证件号码的居民（如 ${shown.join('、')}），迁移不能合并同一个人的两份记录。请先核实这些人员属于哪个街道，未做任何改动。`);
    }
  }
  // Settings and notice templates: the target's own are kept when it has data of its own.
  const keptSettings: string[] = [];
  const keyed: Record<string, string> = { settings: 'key', notice_templates: 'kind' };
  const skipKeys: Record<string, Set<string>> = {};
  for (const [t, k] of Object.entries(keyed)) {
    if (!copyTables.includes(t)) continue;
    const existing = new Set((await sql<{ k: string }>`SELECT ${sql.id(k)} AS k FROM ${sql.table(t)}`.execute(db)).rows.map((r) => r.k));
    const mine = (src.prepare(`SELECT "${k}" AS k FROM "${t}"`).all() as { k: string }[]).map((r) => r.k).filter((x) => existing.has(x));
    if (targetWasEmpty) {
      // An empty target's defaults give way to the file's values.
      if (mine.length) await sql`DELETE FROM ${sql.table(t)} WHERE ${sql.id(k)} IN (${sql.join(mine)})`.execute(db);
    } else {
      skipKeys[t] = new Set(mine);
      if (t === 'settings') keptSettings.push(...mine);
    }
  }

  // The district and subdistrict places merged into the target's own (mergeOrgRoot) map to its ids, not by offset.
  const mergedBack = new Map([...placeMerge].map(([a, b]) => [b, a]));
  const mapRef = (ref: string, v: unknown) => {
    if (v === null || v === undefined) return v;
    if (ref === 'places' && placeMerge.has(Number(v))) return placeMerge.get(Number(v));
    return Number(v) + (offsets[ref] ?? 0);
  };
  const unmapRef = (ref: string, v: unknown) => {
    if (v === null || v === undefined) return v;
    if (ref === 'places' && mergedBack.has(Number(v))) return mergedBack.get(Number(v));
    return Number(v) - (offsets[ref] ?? 0);
  };
  const entityTable = (entity: unknown) => (typeof entity === 'string' ? ENTITY_TABLES[entity] : undefined);
  const { order, deferred } = writeOrder(copyTables, meta);

  const mapRow = (t: string, r: Row): Row => {
    const out: Row = { ...r };
    if (meta.identity.has(t)) out.id = Number(r.id) + offsets[t];
    for (const [c, ref] of Object.entries(meta.refs[t] ?? {})) if (c in out) out[c] = mapRef(ref, r[c]);
    if (t === 'audit_log') out.entity_id = r.entity_id === null ? null : entityTable(r.entity) ? mapRef(entityTable(r.entity)!, r.entity_id) : Number(r.entity_id);
    if (t === 'users' && userMap.has(r.username as string)) out.username = userMap.get(r.username as string);
    if (t === 'cadre_groups' && groupMap.has(r.name as string)) out.name = groupMap.get(r.name as string);
    return out;
  };
  const unmapRow = (t: string, r: Row): Row => {
    const out: Row = { ...r };
    if (meta.identity.has(t)) out.id = Number(r.id) - offsets[t];
    for (const [c, ref] of Object.entries(meta.refs[t] ?? {})) if (c in out) out[c] = unmapRef(ref, r[c]);
    if (t === 'audit_log') out.entity_id = r.entity_id === null ? null : entityTable(r.entity) ? unmapRef(entityTable(r.entity)!, r.entity_id) : Number(r.entity_id);
    const back = (m: Map<string, string>, v: string) => [...m].find(([, to]) => to === v)?.[0] ?? v;
    if (t === 'users') out.username = back(userMap, r.username as string);
    if (t === 'cadre_groups') out.name = back(groupMap, r.name as string);
    return out;
  };

  const sourceRows = (t: string): Row[] => {
    const rows = src.prepare(`SELECT * FROM "${t}"`).all() as Row[];
    if (t === 'places' && placeMerge.size) return rows.filter((r) => !placeMerge.has(Number(r.id)));
    return skipKeys[t] ? rows.filter((r) => !skipKeys[t].has(r[keyed[t]] as string)) : rows;
  };

  const hasSelfRef = (t: string) => Object.values(meta.fks[t] ?? {}).includes(t);
  /** Source rows of a table with an id, page by page in id order. */
  function* sourcePages(t: string): Generator<Row[]> {
    const stmt = src.prepare(`SELECT * FROM "${t}" WHERE id > ? ORDER BY id LIMIT ${PAGE}`);
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const rows = stmt.all(after) as Row[];
      if (!rows.length) return;
      yield t === 'places' && placeMerge.size ? rows.filter((r) => !placeMerge.has(Number(r.id))) : rows;
      after = Number(rows[rows.length - 1].id);
    }
  }

  const fixups: { t: string; c: string; rows: { id: number; v: unknown }[] }[] = [];
  for (const t of order) {
    const cols = srcCols[t];
    const later = deferred[t] ?? [];
    if (later.length && !meta.identity.has(t)) throw new MigrateRefusal(`表 ${t} 没有编号列，无法延后写入 ${later.join('、')}。未做任何改动。`);
    if (meta.identity.has(t) && !hasSelfRef(t) && !(t === 'audit_log' && archive)) {
      // Streamed: a page of the file, mapped, written; only the deferred references are kept for later.
      for (const page of sourcePages(t)) {
        const mapped = page.map((r) => mapRow(t, r));
        for (const c of later) fixups.push({ t, c, rows: mapped.filter((r) => r[c] !== null && r[c] !== undefined).map((r) => ({ id: r.id as number, v: r[c] })) });
        await insertRows(db, t, cols, later.length ? mapped.map((r) => ({ ...r, ...Object.fromEntries(later.map((c) => [c, null])) })) : mapped);
      }
      continue;
    }
    const rows = sourceRows(t);
    if (t === 'audit_log' && archive) {
      await appendRechained(db, rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => mapRow(t, r)));
      continue;
    }
    const mapped = selfOrdered(t, rows, meta).map((r) => mapRow(t, r));
    for (const c of later) fixups.push({ t, c, rows: mapped.filter((r) => r[c] !== null && r[c] !== undefined).map((r) => ({ id: r.id as number, v: r[c] })) });
    await insertRows(db, t, cols, mapped.map((r) => (later.length ? { ...r, ...Object.fromEntries(later.map((c) => [c, null])) } : r)));
  }
  for (const f of fixups) {
    for (let i = 0; i < f.rows.length; i += 5000) {
      const part = f.rows.slice(i, i + 5000);
      await sql`UPDATE ${sql.table(f.t)} AS x SET ${sql.id(f.c)} = v.v FROM (VALUES ${sql.join(part.map((p) => sql`(${p.id}::bigint, ${p.v}::bigint)`))}) AS v(id, v) WHERE x.id = v.id`.execute(db);
    }
  }
  if (archive) {
    await sql`CREATE SCHEMA ${sql.id(archive)}`.execute(db);
    await sql`CREATE TABLE ${sql.id(archive)}.audit_log (LIKE audit_log INCLUDING DEFAULTS)`.execute(db);
    for (const page of sourcePages('audit_log')) await insertRows(db, 'audit_log', srcCols.audit_log, page, archive);
    await sql`ALTER TABLE ${sql.id(archive)}.audit_log ADD PRIMARY KEY (id)`.execute(db);
    await sql.raw(`COMMENT ON TABLE ${archive}.audit_log IS ${quoteLit(`审计日志原件（原编号、原哈希链），迁入时源文件数据库标识 ${opts.sourceDatabaseId}`)}`).execute(db);
  }

  // Read back and compare, table by table.
  const checks: TableCheck[] = [];
  /** Source and target of a table with an id, hashed page by page in id order (the target's ids mapped back). */
  const pagedCheck = async (t: string, cols: string[], compared: string[], schema?: string, offset = offsets[t] ?? 0) => {
    const a = new PageHash(compared);
    for (const page of sourcePages(t)) a.add(page);
    const b = new PageHash(compared);
    const hi = offset + Math.max(maxId[t] ?? 0, 0);
    let after = offset;
    for (;;) {
      const page = await readRows(db, t, cols, sql`id > ${after} AND id <= ${hi}`, schema, sql`ORDER BY id LIMIT ${PAGE}`);
      if (!page.length) break;
      after = Number(page[page.length - 1].id);
      b.add(schema ? page : page.map((r) => unmapRow(t, r)));
    }
    return { source: a.rows, target: b.rows, sourceChecksum: a.digest(), targetChecksum: b.digest() };
  };
  for (const t of [...order].sort()) {
    const cols = srcCols[t];
    // Re-chained audit rows: compared without their chain fields (the archive holds the originals, checked below).
    const compared = t === 'audit_log' && archive ? cols.filter((c) => !['nonce', 'details_hash', 'hash'].includes(c)) : cols;
    const notes: string[] = [];
    if (t === 'audit_log' && archive) notes.push(`编号 +${offsets[t]}，接在目标库审计链之后重新链接；原件（原编号、原哈希）在 ${archive}.audit_log`);
    else if (offsets[t]) notes.push(`编号 +${offsets[t]}`);
    if (t === 'users' && renamedUsers.length) notes.push(`目标库已有同名账号，改名：${renamedUsers.map((r) => `${r.from}→${r.to}`).join('、')}`);
    if (t === 'cadre_groups' && renamedGroups.length) notes.push(`目标库已有同名包联组，改名 ${renamedGroups.length} 个`);
    if (t === 'places' && placeMerge.size) notes.push(`源文件的区、街道（${placeMerge.size} 个）与目标库已有的同名区、街道合并`);
    if (skipKeys[t]?.size) notes.push(`目标库已有、保留目标库的：${[...skipKeys[t]].join('、')}`);
    const note = notes.join('；') || null;
    if (meta.identity.has(t)) {
      const c = await pagedCheck(t, cols, compared);
      checks.push({ table: t, ...c, ok: c.source === c.target && c.sourceChecksum === c.targetChecksum, note, offset: offsets[t] ?? 0 });
      continue;
    }
    const src0 = sourceRows(t);
    let where: ReturnType<typeof sql>;
    if (keyed[t]) where = src0.length ? sql`${sql.id(keyed[t])} IN (${sql.join(src0.map((r) => r[keyed[t]]))})` : sql`false`;
    else {
      const [c, ref] = Object.entries(meta.fks[t] ?? {}).find(([col, ref]) => meta.identity.has(ref) && !meta.nullable[t]?.has(col)) ?? [];
      if (!c || !ref) throw new MigrateRefusal(`无法核对表 ${t}（既无编号也无外键）。未做任何改动。`);
      where = sql`${sql.id(c)} BETWEEN ${offsets[ref] + 1} AND ${offsets[ref] + Math.max(maxId[ref], 0)}`;
    }
    const back = (await readRows(db, t, cols, where)).map((r) => unmapRow(t, r));
    const sourceChecksum = checksumRows(src0, compared);
    const targetChecksum = checksumRows(back, compared);
    checks.push({ table: t, source: src0.length, target: back.length, sourceChecksum, targetChecksum, ok: back.length === src0.length && sourceChecksum === targetChecksum, note, offset: offsets[t] ?? 0 });
  }
  if (archive) {
    const c = await pagedCheck('audit_log', srcCols.audit_log, srcCols.audit_log, archive, 0);
    checks.push({ table: `${archive}.audit_log`, ...c, ok: c.source === c.target && c.sourceChecksum === c.targetChecksum, note: '审计日志原件（原编号、原哈希链）', offset: 0 });
  }
  // The copy's own change notices (the change-log triggers fired on every row): none of the target's live windows
  // showed this subdistrict, so they need no refresh.
  await sql`DELETE FROM change_log WHERE xmin::text = (pg_current_xact_id()::text::numeric % 4294967296)::text`.execute(db);
  return { tables: checks, skipped, offsets, archive, renamedUsers, renamedGroups, keptSettings, targetWasEmpty };
}

/**
 * The district (by name) and, when the target has it only as the empty shell `init` makes (no place under it), the
 * subdistrict (by name) of the file are the target's own: their ids map to the target's, so the file's communities
 * hang under the target's root, where the app looks. A target whose root is such an empty shell with other names is
 * refused (the migrated communities would sit under a root the app does not show).
 */
async function mergeOrgRoot(src: SqliteDatabase.Database, db: Db): Promise<Map<number, number>> {
  const merge = new Map<number, number>();
  const sd = src.prepare("SELECT id, name FROM places WHERE level = 'district' AND parent_id IS NULL ORDER BY id LIMIT 1").get() as { id: number; name: string } | undefined;
  const ss = sd ? (src.prepare("SELECT id, name FROM places WHERE level = 'subdistrict' AND parent_id = ? ORDER BY id LIMIT 1").get(sd.id) as { id: number; name: string } | undefined) : undefined;
  const root = (
    await sql<{ did: number; dname: string; sid: number; sname: string; children: number }>`SELECT d.id AS did, d.name AS dname, s.id AS sid, s.name AS sname,
      (SELECT count(*) FROM places c WHERE c.parent_id = s.id) AS children
      FROM places s JOIN places d ON d.id = s.parent_id WHERE s.level = 'subdistrict' ORDER BY s.id LIMIT 1`.execute(db)
  ).rows[0];
  if (!root || !sd) return merge;
  const shell = Number(root.children) === 0 && Number((await sql<{ n: number }>`SELECT count(*) AS n FROM residents`.execute(db)).rows[0].n) === 0;
  if (shell && (root.dname !== sd.name || root.sname !== ss?.name)) {
    throw new MigrateRefusal(
      `目标库已用 init 设了名称（${root.dname}${root.sname}），但还没有任何数据，与源文件（${sd.name}${ss?.name ?? ''}）不同。请对一个新建的空库迁移（迁移会带入源文件的名称），或先用 isolation-desk init --db postgres://… --district ${sd.name} --subdistrict ${ss?.name ?? '…'} 改成相同名称。未做任何改动。`,
    );
  }
  const district = (await sql<{ id: number }>`SELECT id FROM places WHERE level = 'district' AND parent_id IS NULL AND name = ${sd.name} ORDER BY id LIMIT 1`.execute(db)).rows[0];
  if (district) merge.set(Number(sd.id), Number(district.id));
  if (shell && ss) merge.set(Number(ss.id), Number(root.sid));
  return merge;
}

/** Rows of a table that references itself, each after the rows it names (by depth; a cycle keeps its order). */
function selfOrdered(t: string, rows: Row[], meta: Meta): Row[] {
  const selfCols = Object.entries(meta.fks[t] ?? {}).filter(([, ref]) => ref === t).map(([c]) => c);
  if (!selfCols.length || !meta.identity.has(t)) return rows;
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const depth = new Map<number, number>();
  const depthOf = (r: Row, seen: Set<number>): number => {
    const id = Number(r.id);
    const known = depth.get(id);
    if (known !== undefined) return known;
    seen.add(id);
    let d = 0;
    for (const c of selfCols) {
      const p = r[c] === null || r[c] === undefined ? undefined : byId.get(Number(r[c]));
      if (p && !seen.has(Number(p.id))) d = Math.max(d, depthOf(p, seen) + 1);
    }
    depth.set(id, d);
    return d;
  };
  for (const r of rows) depthOf(r, new Set());
  return [...rows].sort((a, b) => depth.get(Number(a.id))! - depth.get(Number(b.id))! || Number(a.id) - Number(b.id));
}

/**
 * The offset of this migration's ids in `table`: its largest id (0 when empty: ids kept), read with the table locked
 * against other writers until the transaction ends; the sequence is moved past offset + `count`, never back. Not the
 * sequence's position: sequences do not roll back, so a refused attempt would otherwise shift every id of the next.
 */
async function takeRange(db: Db, table: string, count: number): Promise<number> {
  await sql`LOCK TABLE ${sql.table(table)} IN SHARE ROW EXCLUSIVE MODE`.execute(db);
  const offset = Number((await sql<{ m: number }>`SELECT coalesce(max(id), 0) AS m FROM ${sql.table(table)}`.execute(db)).rows[0].m);
  const seq = `${table}_id_seq`;
  await sql`SELECT setval(${seq}::regclass, GREATEST(${offset + count}::bigint, (SELECT last_value FROM ${sql.table(seq)})))`.execute(db);
  return offset;
}

/** Appends the source's audit rows (already mapped, ids taken) to the target's chain: new nonces and hashes. */
async function appendRechained(db: Db, rows: Row[]): Promise<void> {
  if (!rows.length) return;
  await lockAuditChain(db);
  // The rows join the chain of this connection (the owner's, 0, on a district database: audit-chain.ts chainPrevHash);
  // their ids were taken above every row's, so its last row is their predecessor.
  let prev = await chainPrevHash(db);
  const nonces = newNonces(rows.length);
  const out = rows.map((r, i) => {
    const details = (r.details as string | null) ?? null;
    const fields = { id: Number(r.id), at: r.at as string, userName: r.user_name as string, action: r.action as string, entity: (r.entity as string | null) ?? null, entityId: (r.entity_id as number | null) ?? null, residentId: (r.resident_id as number | null) ?? null };
    const hash = rowHash(prev, fields as Parameters<typeof rowHash>[1], detailsCommit(nonces[i], details));
    prev = hash;
    return { ...r, nonce: nonces[i], details_hash: null, hash };
  });
  await insertRows(db, 'audit_log', Object.keys(rows[0]), out);
}

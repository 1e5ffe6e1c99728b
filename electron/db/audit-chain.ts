// The audit trail's hash chain (tamper evidence). Every audit_log row carries
//   hash = SHA-256( canonical JSON of [VERSION, previous row's hash, id, at, user_name, action, entity, entity_id,
//                   resident_id, commit] )
//   commit = SHA-256( canonical JSON of [nonce, details] )
// with a random 16-byte nonce per row. A purge scrubs a row's details: it keeps the row's hash, drops the nonce and
// keeps only `commit` (details_hash) — the chain is never rewritten, and a hash of a short personal value (a phone)
// cannot be brute-forced once the nonce is gone. Each purge appends an 'audit.reanchor' entry listing the rows it
// scrubbed; verify refuses a scrubbed row that no re-anchor names.
// Limit: the chain lives in the same file, so whoever holds the file can recompute it end to end. It makes a quiet
// edit visible; it does not stop a rewrite by someone who knows this scheme. Heads recorded elsewhere (the last
// check, backups) narrow that down.
import crypto from 'node:crypto';
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { sql, type Kysely } from 'kysely';
import type { AuditEntry, Database } from './schema.ts';
import { isPostgres } from './engine.ts';
import { PG_AUDIT_EXPECTED, pgAuditTriggerRows } from './pg/audit.ts';

export const CHAIN_VERSION = 'idesk-audit-chain-v1';
export const SCRUBBED_DETAILS = JSON.stringify({ purged: true });
export const REANCHOR_ACTION = 'audit.reanchor';

/** The triggers that keep audit_log append-only and chained, with the SQL migration 0005 creates (checked by verify). */
export const AUDIT_TRIGGERS: Record<string, string> = {
  audit_log_no_update: `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
  audit_log_no_delete: `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM audit_purge_gate)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
  audit_log_chained: `CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log
    WHEN NEW.hash IS NULL OR length(NEW.hash) <> 64
    BEGIN SELECT RAISE(ABORT, 'audit rows must carry their chain hash'); END`,
};

// crypto.hash (Node ≥ 21.7, Electron's Node 22) is the one-shot form: ~40% faster on short inputs, which a 50,000-row
// import's 100,000 hashes notice.
const sha256: (s: string) => string =
  typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s, 'hex') : (s) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

export function newNonces(n: number): string[] {
  const bytes = crypto.randomBytes(16 * n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(bytes.subarray(i * 16, i * 16 + 16).toString('hex'));
  return out;
}

export function detailsCommit(nonce: string, details: string | null): string {
  return sha256(JSON.stringify([nonce, details]));
}

/** The columns of an audit row that its hash covers (besides the details, covered through their commitment). */
export type ChainFields = Pick<AuditEntry, 'id' | 'at' | 'userName' | 'action' | 'entity' | 'entityId' | 'residentId'>;

export function rowHash(prev: string, r: ChainFields, commit: string): string {
  return sha256(JSON.stringify([CHAIN_VERSION, prev, r.id, r.at, r.userName, r.action, r.entity, r.entityId, r.residentId, commit]));
}

/** Sorted ids as "1-5,9,12-14" (a re-anchor names the rows it scrubbed). */
export function toRanges(ids: number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export function parseRanges(text: unknown): Array<[number, number]> | null {
  if (typeof text !== 'string') return null;
  if (text === '') return [];
  const out: Array<[number, number]> = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

export interface TriggerStatus {
  name: string;
  status: 'ok' | 'missing' | 'altered' | 'unexpected';
}

export interface ChainHead {
  id: number;
  hash: string;
}

/**
 * The chain as a copy saw it, kept outside the file (a backup's .json sidecar): its head, its first row (which tells
 * this database's chain from another's: the first hash covers a random nonce) and its restore epoch (the newest
 * backup.restore / backup.undo_restore row: a restore legitimately starts another line, so only copies of the same
 * epoch are held to the chain).
 */
export interface ChainRecord {
  id: number;
  hash: string;
  firstId: number;
  firstHash: string;
  epoch: number;
}

export const RESTORE_ACTIONS = ['backup.restore', 'backup.undo_restore'];

/** The ChainRecord of an open file (raw connection, e.g. the source of a backup); null before migration 0005. */
export function readChainRecord(sqlite: SqliteDatabase.Database): ChainRecord | null {
  const cols = sqlite.prepare("SELECT name FROM pragma_table_info('audit_log')").pluck().all() as string[];
  if (!cols.includes('hash')) return null;
  const head = sqlite.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string | null } | undefined;
  const first = sqlite.prepare('SELECT id, hash FROM audit_log ORDER BY id LIMIT 1').get() as { id: number; hash: string | null } | undefined;
  if (!head?.hash || !first?.hash) return null;
  const epoch = sqlite.prepare(`SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE action IN (${RESTORE_ACTIONS.map(() => '?').join(', ')})`).pluck().get(...RESTORE_ACTIONS) as number;
  return { id: head.id, hash: head.hash, firstId: first.id, firstHash: first.hash, epoch };
}

/** A head to hold the chain to: recorded by the last check (in the file) or by a backup (`record`, outside it). */
export interface ChainAnchor extends ChainHead {
  label: string;
  /** Backups only: applies when the first row and the restore epoch are this chain's. */
  record?: ChainRecord;
}

export interface AuditChainReport {
  /** false when the file has no chain yet (schema older than 5): nothing was checked but the triggers. */
  checked: boolean;
  ok: boolean;
  rows: number;
  head: ChainHead | null;
  /** The first row that does not verify (null when none). */
  firstBrokenId: number | null;
  triggers: TriggerStatus[];
  /** Sentences in Chinese; empty when ok. */
  problems: string[];
}

const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

export async function checkTriggers(db: Kysely<Database>): Promise<{ triggers: TriggerStatus[]; problems: string[] }> {
  const pg = isPostgres(db);
  const rows = pg
    ? await pgAuditTriggerRows(db)
    : (await sql<{ name: string; sql: string | null }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_log', 'audit_purge_gate')`.execute(db)).rows;
  const expectedTriggers = pg ? PG_AUDIT_EXPECTED : AUDIT_TRIGGERS;
  const found = new Map(rows.map((r) => [r.name, r.sql]));
  const triggers: TriggerStatus[] = [];
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(expectedTriggers)) {
    if (!found.has(name)) {
      triggers.push({ name, status: 'missing' });
      problems.push(`审计日志的保护触发器 ${name} 不存在（已被删除），审计记录可能被改动过`);
    } else if (norm(found.get(name)!) !== norm(expected)) {
      triggers.push({ name, status: 'altered' });
      problems.push(`审计日志的保护触发器 ${name} 的定义被改动`);
    } else triggers.push({ name, status: 'ok' });
  }
  // The gate is opened only inside a purge's own transaction: a committed row leaves every DELETE open.
  const gate = (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM audit_purge_gate`.execute(db)).rows[0]?.n ?? 0;
  if (Number(gate) > 0) problems.push('audit_purge_gate 中留有记录：审计日志的删除保护被打开（只有清理过程中才应有），审计记录可能被删除过');
  for (const r of rows) {
    if (!(r.name in expectedTriggers)) {
      triggers.push({ name: r.name, status: 'unexpected' });
      problems.push(`审计日志上多出一个本软件未创建的触发器 ${r.name}`);
    }
  }
  return { triggers, problems };
}

interface ChainRow extends ChainFields {
  /** PostgreSQL from migration 0015: the chain the row belongs to (absent: the one chain). */
  chain?: number;
  details: string | null;
  nonce: string | null;
  detailsHash: string | null;
  hash: string | null;
}

/**
 * THE prev-hash lookup: the hash of the last row of the chain this connection appends to ('' for a new chain). On
 * SQLite the file's one chain. On PostgreSQL from migration 0015 each subdistrict has its own chain (audit_log.chain =
 * the subdistrict of the writing role, 0 for the owner: row-level security keeps a server from seeing another's
 * rows, so it could not link to them); the database function idesk_audit_chain_prev (db/pg/district.ts) is the
 * lookup, for a PL/pgSQL trigger as well. Call it under lockAuditChain.
 */
export async function chainPrevHash(db: Kysely<Database>): Promise<string> {
  if (isPostgres(db) && (await hasChainColumn(db))) {
    const r = (await sql<{ h: string | null }>`SELECT idesk_audit_chain_prev(idesk_audit_chain()) AS h`.execute(db)).rows[0];
    return r?.h ?? '';
  }
  const head = await db.selectFrom('auditLog').select(['hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  return head?.hash ?? '';
}

/**
 * PostgreSQL: the chain's head and the ids for `count` new rows in one round trip (an office server's save appends
 * one row while it holds the chain's lock, so each round trip there is time every other writer waits): the previous
 * hash as chainPrevHash reads it, and the next id as engine.ts takeIds hands it out — above the sequence and the
 * largest id, the sequence moved past the ids taken. takeIds also locks the table (SHARE ROW EXCLUSIVE); this does not
 * need to: every writer of audit_log holds the chain's advisory lock, taken by the caller in a statement of its own
 * before this one (so this statement's snapshot sees the previous holder's commit), and the table's trigger
 * (pg/audit.ts audit_chain_prev) takes it too for any row written some other way. Call it under lockAuditChain.
 */
export async function pgChainHeadAndIds(db: Kysely<Database>, count: number): Promise<{ prev: string; next: number }> {
  const prev = (await hasChainColumn(db)) ? sql`idesk_audit_chain_prev(idesk_audit_chain())` : sql`(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)`;
  const r = (
    await sql<{ prev: string | null; next: number }>`SELECT ${prev} AS prev, n.next, setval('audit_log_id_seq'::regclass, n.next + ${count - 1}) AS taken
      FROM (SELECT GREATEST(
        (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM audit_log_id_seq),
        (SELECT coalesce(max(id), 0) FROM audit_log)) + 1 AS next) AS n`.execute(db)
  ).rows[0];
  return { prev: r.prev ?? '', next: Number(r.next) };
}

const chainColumnKnown = new WeakMap<object, boolean>();
/** Whether audit_log has the per-subdistrict chain column (PostgreSQL, migration 0015); remembered per pool. */
async function hasChainColumn(db: Kysely<Database>): Promise<boolean> {
  const key = db.getExecutor().adapter as object;
  const known = chainColumnKnown.get(key);
  if (known) return true;
  const r = (await sql<{ n: number }>`SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_log' AND column_name = 'chain'`.execute(db)).rows[0];
  const has = Number(r?.n ?? 0) > 0;
  if (has) chainColumnKnown.set(key, true);
  return has;
}

/** Whether audit_log has the chain columns (migration 0005). */
export async function hasChain(db: Kysely<Database>): Promise<boolean> {
  const cols = isPostgres(db)
    ? (await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'audit_log'`.execute(db)).rows
    : (await sql<{ name: string }>`SELECT name FROM pragma_table_info('audit_log')`.execute(db)).rows;
  return cols.some((c) => c.name === 'hash');
}

function commitOf(r: ChainRow): { commit: string | null; why: string | null } {
  if (r.nonce === null) {
    if (r.details !== SCRUBBED_DETAILS || !r.detailsHash || !/^[0-9a-f]{64}$/.test(r.detailsHash)) return { commit: null, why: '既无随机数也不是清理后的记录' };
    return { commit: r.detailsHash, why: null };
  }
  if (r.detailsHash !== null) return { commit: null, why: '随机数与清理摘要不应同时存在' };
  return { commit: detailsCommit(r.nonce, r.details), why: null };
}

/**
 * Walks the whole chain in id order (keyset pages), checks every row's hash against its predecessor, that every
 * scrubbed row is named by a later re-anchor, the protecting triggers, and that each recorded head (`anchors`:
 * the last check, backups) is still part of the chain. Read-only; never throws for a damaged chain, it reports.
 */
export async function verifyAuditChain(db: Kysely<Database>, anchors: ChainAnchor[] = []): Promise<AuditChainReport> {
  const { triggers, problems } = await checkTriggers(db);
  if (!(await hasChain(db))) {
    return { checked: false, ok: problems.length === 0, rows: 0, head: null, firstBrokenId: null, triggers, problems };
  }
  // One chain per subdistrict on a district's PostgreSQL database (chainPrevHash); each is walked on its own.
  const prevOf = new Map<number, string>();
  const perChain = isPostgres(db) && (await hasChainColumn(db));
  let rows = 0;
  let head: ChainHead | null = null;
  let firstBrokenId: number | null = null;
  const scrubbed: number[] = [];
  const covered: Array<{ reanchorId: number; ranges: Array<[number, number]> }> = [];
  const anchorIds = new Set(anchors.map((a) => a.id));
  const seen = new Map<number, string>();
  let first: ChainHead | null = null;
  let epoch = 0;
  let after = 0;
  const PAGE = 5000;
  outer: for (;;) {
    const page = (await db
      .selectFrom('auditLog')
      .select(['id', 'at', 'userName', 'action', 'entity', 'entityId', 'residentId', 'details', 'nonce', 'detailsHash', 'hash'])
      .$if(perChain, (q) => q.select(sql<number>`chain`.as('chain')))
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as ChainRow[];
    if (!page.length) break;
    for (const r of page) {
      after = r.id;
      rows++;
      const { commit, why } = commitOf(r);
      const chain = Number(r.chain ?? 0);
      const prev = prevOf.get(chain) ?? '';
      if (!r.hash) {
        problems.push(`审计日志第 ${r.id} 条没有链哈希（在本软件之外写入）`);
        firstBrokenId = r.id;
        break outer;
      }
      if (commit === null) {
        problems.push(`审计日志第 ${r.id} 条的链字段不完整：${why}`);
        firstBrokenId = r.id;
        break outer;
      }
      if (r.hash !== rowHash(prev, r, commit)) {
        // Without a stored link per row, an edit of this row and a deletion, insertion or swap just before it look
        // the same: both are named here.
        firstBrokenId = r.id;
        problems.push(`审计日志第 ${r.id} 条与哈希链不符：此条被改动，或它之前的记录被删除、插入或调换了顺序`);
        break outer;
      }
      if (anchorIds.has(r.id)) seen.set(r.id, r.hash);
      first ??= { id: r.id, hash: r.hash };
      if (RESTORE_ACTIONS.includes(r.action)) epoch = r.id;
      if (r.nonce === null) scrubbed.push(r.id);
      if (r.action === REANCHOR_ACTION) {
        let ranges: Array<[number, number]> | null;
        try {
          ranges = parseRanges((JSON.parse(r.details ?? 'null') as { ids?: unknown } | null)?.ids);
        } catch {
          ranges = null;
        }
        if (ranges) covered.push({ reanchorId: r.id, ranges });
        else problems.push(`审计日志第 ${r.id} 条（清理后的重新锚定）无法读取所列记录`);
      }
      prevOf.set(chain, r.hash);
      head = { id: r.id, hash: r.hash };
    }
    if (page.length < PAGE) break;
  }
  if (firstBrokenId === null) {
    for (const id of scrubbed) {
      const ok = covered.some((c) => c.reanchorId > id && c.ranges.some(([a, b]) => id >= a && id <= b));
      if (!ok) {
        firstBrokenId = id;
        problems.push(`审计日志第 ${id} 条的内容被清空，但没有任何清理记录（重新锚定）列出它`);
        break;
      }
    }
    for (const a of anchors) {
      // A backup of another database, or of this one before a restore, is not this chain's witness.
      if (a.record && (a.record.firstId !== first?.id || a.record.firstHash !== first.hash || a.record.epoch !== epoch)) continue;
      const now = seen.get(a.id);
      if (now === undefined) problems.push(`${a.label}时链尾为第 ${a.id} 条，现在已不存在：审计记录被截断或删除`);
      else if (now !== a.hash) problems.push(`${a.label}时链尾第 ${a.id} 条的哈希与现在不同：审计记录被整体重算或改写过`);
    }
  }
  return { checked: true, ok: problems.length === 0, rows, head, firstBrokenId, triggers, problems };
}

/** The head recorded by the newest successful check (audit_chain_checks, migration 0005), as an anchor for verify. */
export async function lastCheckedHead(db: Kysely<Database>): Promise<ChainAnchor[]> {
  const has = isPostgres(db)
    ? (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'audit_chain_checks'`.execute(db)).rows[0]
    : (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit_chain_checks'`.execute(db)).rows[0];
  if (!has?.n) return [];
  const r = await db
    .selectFrom('auditChainChecks')
    .select(['at', 'headId', 'headHash'])
    .where('ok', '=', 1)
    .where('headId', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.headId && r.headHash ? [{ id: r.headId, hash: r.headHash, label: `上次校验（${r.at.slice(0, 19).replace('T', ' ')}）` }] : [];
}

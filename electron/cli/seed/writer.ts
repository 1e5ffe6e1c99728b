// Batched multi-row inserts for bulk data (demo seed, benchmarks): rows are buffered per table and written with
// one Kysely INSERT per chunk, sized so rows × columns stays under SQLite's 32766 bound variables. Tables are
// flushed in foreign-key order, so a row is never written before the rows it refers to.
import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** Parents before children: flushing a table first flushes every table listed before it. */
export const FLUSH_ORDER = [
  'testRounds',
  'places',
  'households',
  'residents',
  'residentNeeds',
  'roundExemptions',
  'episodes',
  'checkins',
  'tests',
  'alerts',
  'cadres',
  'cadreCompounds',
  'cadreGroups',
  'cadreShifts',
  'doorVisits',
  'users',
  'supplyRequests',
  'supplyItems',
  'supplyTransitions',
  'needSchedules',
  'needScheduleRuns',
] as const satisfies readonly (keyof Database)[];
export type BulkTable = (typeof FLUSH_ORDER)[number];

const MAX_VARIABLES = 32766;
/** Bigger statements stop paying off well before the variable limit (compile and prepare grow with size). */
const MAX_ROWS = 2000;

export class BatchWriter {
  private db: Kysely<Database>;
  private buffers = new Map<BulkTable, Insertable<Database[BulkTable]>[]>();
  private limits = new Map<BulkTable, number>();
  private templates = new Map<string, { compiled: CompiledQuery; keys: string[] }>();
  readonly counts: Record<BulkTable, number>;

  /**
   * `ordered` (default): parents are written before children, as enforced foreign keys need; costs many small
   * odd-sized statements. Bulk loads that switch enforcement off (db/bulk.ts) pass false: full chunks only.
   */
  private ordered: boolean;

  constructor(db: Kysely<Database>, options: { ordered?: boolean } = {}) {
    this.db = db;
    this.ordered = options.ordered ?? true;
    this.counts = Object.fromEntries(FLUSH_ORDER.map((t) => [t, 0])) as Record<BulkTable, number>;
  }

  /** Buffers one row; writes the table's chunk once it is full. Every row of a table must have the same keys. */
  async add<T extends BulkTable>(table: T, row: Insertable<Database[T]>): Promise<void> {
    let buf = this.buffers.get(table);
    if (!buf) {
      buf = [];
      this.buffers.set(table, buf);
      this.limits.set(table, Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_VARIABLES / Object.keys(row).length))));
    }
    buf.push(row as Insertable<Database[BulkTable]>);
    if (buf.length >= this.limits.get(table)!) await this.flush(table);
  }

  /** Writes `table` and, when foreign keys are enforced, first every table it may refer to. */
  async flush(table: BulkTable): Promise<void> {
    if (!this.ordered) return this.write(table);
    const upto = FLUSH_ORDER.indexOf(table);
    for (let i = 0; i <= upto; i++) await this.write(FLUSH_ORDER[i]);
  }

  async flushAll(): Promise<void> {
    for (const t of FLUSH_ORDER) await this.write(t);
  }

  private async write(table: BulkTable): Promise<void> {
    const buf = this.buffers.get(table);
    if (!buf || buf.length === 0) return;
    this.buffers.set(table, []);
    await this.db.executeQuery(this.compile(table, buf));
    this.counts[table] += buf.length;
  }

  /**
   * Kysely compiles the INSERT of a full chunk once; later chunks of the same table and size reuse its SQL text
   * with their own parameters, in the same column order (compiling 40,000 values each time would cost more than
   * SQLite's work). Checked: the template must have exactly rows × columns parameters taken in key order.
   */
  private compile(table: BulkTable, rows: Insertable<Database[BulkTable]>[]): CompiledQuery {
    const key = `${table}:${rows.length}`;
    const template = this.templates.get(key);
    if (template) {
      const parameters = flatten(rows, template.keys);
      if (parameters) return { ...template.compiled, parameters };
    }
    const compiled = this.db.insertInto(table).values(rows as never).compile();
    // Only full chunks repeat; odd-sized ones (the last of a table, ordered flushes) are compiled as they come.
    if (!template && rows.length === this.limits.get(table)) {
      const keys = Object.keys(rows[0]);
      const flat = flatten(rows, keys);
      if (flat && flat.length === compiled.parameters.length && flat.every((v, i) => v === compiled.parameters[i])) {
        this.templates.set(key, { compiled, keys });
      }
    }
    return compiled;
  }
}

/** Row values in `keys` order, or null when a row has other keys (or an undefined value Kysely would leave out). */
function flatten(rows: object[], keys: string[]): unknown[] | null {
  const out = new Array<unknown>(rows.length * keys.length);
  let i = 0;
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    for (const k of keys) {
      const v = r[k];
      if (v === undefined) return null;
      out[i++] = v;
    }
    if (Object.keys(r).length !== keys.length) return null;
  }
  return out;
}

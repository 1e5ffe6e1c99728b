// Fresh PostgreSQL databases for the suites run by `npm run test:pg` (IDESK_TEST_PG_URL, set by scripts/test-pg.ts):
// test/pg/global-setup.ts migrates one template database once; every test environment then gets its own database
// copied from it (CREATE DATABASE … TEMPLATE, a file copy: ~tens of ms instead of migrating again), dropped on close.
import pg from 'pg';
import { openPostgres, preparePgStatements, type PgHandle } from '../../electron/db/postgres.ts';

export const PG_TEMPLATE = 'idesk_template';

/** The server URL when this run is on PostgreSQL, else null. */
export function testPgUrl(): string | null {
  return process.env.IDESK_TEST_PG_URL || null;
}

/** The URL of database `name` on the test server. */
export function pgDatabaseUrl(name: string): string {
  const u = new URL(testPgUrl()!);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on the test server as its administrator: on its own database, or on database `name`. */
export async function adminQuery(text: string, name?: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: name === undefined ? testPgUrl()! : pgDatabaseUrl(name) });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

/** `url` logged in as `role` with `password` instead (a bound role, a reader). */
export function pgRoleUrl(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = password;
  return u.toString();
}

/** A plain client on `url` (raw SQL as the server on that login would send it), ended after `fn`. */
export async function withPgClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let admin: pg.Pool | null = null;
function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: testPgUrl()!, max: 2 });
  return admin;
}

let n = 0;

/** A new database copied from the migrated template, opened; close() drops it. */
export async function openTestPgDatabase(): Promise<PgHandle> {
  const name = `idesk_t${process.pid}_${++n}_${Date.now() % 100000}`;
  await adminPool().query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}`);
  const handle = await openPostgres(pgDatabaseUrl(name), { max: 4 });
  // As the office server runs (serve): statements prepared once per connection, so every suite runs that way too.
  preparePgStatements(handle.db);
  return {
    ...handle,
    async close() {
      await handle.close();
      await adminPool().query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** Creates (or re-creates) the template database and migrates it. */
export async function makePgTemplate(): Promise<void> {
  const pool = new pg.Pool({ connectionString: testPgUrl()!, max: 1 });
  try {
    await pool.query(`DROP DATABASE IF EXISTS ${PG_TEMPLATE} WITH (FORCE)`);
    await pool.query(`CREATE DATABASE ${PG_TEMPLATE}`);
  } finally {
    await pool.end();
  }
  const h = await openPostgres(pgDatabaseUrl(PG_TEMPLATE), { max: 1 });
  await h.close();
}

/**
 * What a suite passes to the command line's --db for its environment's database: the file on SQLite; under test:pg
 * the environment's PostgreSQL database (its handle names it without the password), to be read while it is open.
 */
export function cliDbArg(handle: { file: string }, file: string): string {
  if (!testPgUrl()) return file;
  return pgDatabaseUrl(new URL(handle.file).pathname.slice(1));
}

/**
 * A new database copied from the migrated template, not opened: its full URL (for a child process's --db) and drop().
 * For suites whose server or command line runs in another process.
 */
export async function createTestPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `idesk_t${process.pid}_${++n}_${Date.now() % 100000}`;
  await adminPool().query(`CREATE DATABASE ${name} TEMPLATE ${PG_TEMPLATE}`);
  return { url: pgDatabaseUrl(name), drop: async () => void (await adminPool().query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

// The office server for office-server.bench.ts, in its own process (as on the subdistrict PC): the database given (a
// file, or a PostgreSQL URL: a pool of 10, the live feed on LISTEN), a clock that starts at the bench's day and runs at
// real speed, TLS and pairing as `serve` has them. Prints one JSON line {url, fingerprint} and serves until SIGTERM.
import path from 'node:path';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { isPostgresUrl, redactUrl } from '../../electron/db/engine.ts';
import { openPostgres, pgAsDbHandle, preparePgStatements } from '../../electron/db/postgres.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { startOfficeServer } from '../../electron/server/index.ts';
import { BENCH_NOW } from './bench-db.ts';

const [target, staticDir, dataDir] = process.argv.slice(2);
const onPg = isPostgresUrl(target);
// PostgreSQL as `serve` opens it: statements prepared once per connection (IDESK_PG_PREPARE=0: not, to compare).
const handle: DbHandle = onPg ? pgAsDbHandle(await openPostgres(target)) : await openDatabase(target, { create: false });
if (onPg && process.env.IDESK_PG_PREPARE !== '0') preparePgStatements(handle.db);
const start = Date.parse(BENCH_NOW);
const base = Date.now();
const env: ApiEnv = { db: handle.db, clock: { now: () => new Date(start + (Date.now() - base)), timeZone: 'Asia/Shanghai' }, sessions: new SessionStore(), dbFile: onPg ? redactUrl(target) : target };
const certDir = path.join(onPg ? dataDir : path.dirname(target), 'office-server');
const server = await startOfficeServer({ env, staticDir, port: 0, tls: { certDir }, limits: { api: 1_000_000, login: 1000, pair: 1000, pairAll: 1000 } });
env.office = server.control;
process.stdout.write(`${JSON.stringify({ url: server.url, fingerprint: server.fingerprint })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => handle.close()).then(() => process.exit(0));
});

// The office server for office-server.bench.ts, in its own process (as on the subdistrict PC): the database given,
// a clock that starts at the bench's day and runs at real speed, TLS and pairing as `serve` has them. Prints one
// JSON line {url, fingerprint} and serves until SIGTERM.
import path from 'node:path';
import { openDatabase } from '../../electron/db/open.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { startOfficeServer } from '../../electron/server/index.ts';
import { BENCH_NOW } from './bench-db.ts';

const [file, staticDir] = process.argv.slice(2);
const handle = await openDatabase(file, { create: false });
const start = Date.parse(BENCH_NOW);
const base = Date.now();
const env: ApiEnv = { db: handle.db, clock: { now: () => new Date(start + (Date.now() - base)), timeZone: 'Asia/Shanghai' }, sessions: new SessionStore(), dbFile: file };
const server = await startOfficeServer({ env, staticDir, port: 0, tls: { certDir: path.join(path.dirname(file), 'office-server') }, limits: { api: 1_000_000, login: 1000, pair: 1000, pairAll: 1000 } });
env.office = server.control;
process.stdout.write(`${JSON.stringify({ url: server.url, fingerprint: server.fingerprint })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => handle.close()).then(() => process.exit(0));
});

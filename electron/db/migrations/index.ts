// The checked list of migrations, in order. Add a file and a line here; never edit a released one.
import type SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { Kysely } from 'kysely';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-residents-search-cover.ts';
import * as m0003 from './0003-residents-document-index.ts';
import * as m0004 from './0004-database-identity.ts';
import * as m0005 from './0005-audit-chain.ts';
import * as m0006 from './0006-office-server.ts';
import * as m0007 from './0007-counters.ts';
import * as m0008 from './0008-checkin-batches.ts';
import * as m0009 from './0009-counter-version.ts';
import * as m0010 from './0010-dashboard-indexes.ts';
import * as m0011 from './0011-test-rounds.ts';
import * as m0012 from './0012-notice-templates.ts';
import * as m0013 from './0013-special-needs.ts';
import * as m0014 from './0014-cadre-work.ts';
import * as m0015 from './0015-district.ts';
import * as m0016 from './0016-acting-user.ts';
import * as m0017 from './0017-needs-version.ts';
import * as m0018 from './0018-need-counts.ts';
import * as m0019 from './0019-district-reader.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

export const migrations: Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015, m0016, m0017, m0018, m0019];

export const latestVersion = migrations[migrations.length - 1].version;

/** The last migration a file has had (0 for a new or foreign file); read before opening it as a Db. */
export function readSchemaVersion(sqlite: SqliteDatabase.Database): number {
  const has = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'").get();
  if (!has) return 0;
  const row = sqlite.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

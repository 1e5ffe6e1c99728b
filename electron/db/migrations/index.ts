// The checked list of migrations, in order. Add a file and a line here; never edit a released one.
import type { Kysely } from 'kysely';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-residents-search-cover.ts';
import * as m0003 from './0003-residents-document-index.ts';
import * as m0004 from './0004-database-identity.ts';
import * as m0005 from './0005-audit-chain.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>): Promise<void>;
}

export const migrations: Migration[] = [m0001, m0002, m0003, m0004, m0005];

export const latestVersion = migrations[migrations.length - 1].version;

// Shared by the trust tests: people created through the API, table snapshots, and raw-byte searches of a file.
import fs from 'node:fs';
import type { TestEnv } from './env.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { call } from '../../electron/api/dispatch.ts';
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';

/** A typed API call (TestEnv.call loses the channel's output type). */
export function api<C extends Channel>(t: TestEnv, channel: C, input: InputOf<C>, key: string): Promise<OutputOf<C>> {
  return call(t.env, channel, input, key);
}

export interface PersonSpec {
  name: string;
  communityId: number;
  seq: number;
  compound?: string;
  room?: string;
  phone?: string;
  startEpisode?: string;
}

/** Creates a resident through residents.create; returns the id and the ID number. */
export async function addPerson(t: TestEnv, key: string, p: PersonSpec): Promise<{ id: number; docNumber: string }> {
  const docNumber = makeIdNumber('131002', '1980-05-06', p.seq);
  const r = await api(
    t,
    'residents.create',
    {
      name: p.name,
      docType: '居民身份证',
      docNumber,
      phone: p.phone ?? `139${String(10000000 + p.seq).slice(-8)}`,
      category: '密接',
      address: { communityId: p.communityId, compound: p.compound ?? '金桥小区', building: '3', unit: '2', room: p.room ?? String(100 + p.seq) },
      startEpisode: p.startEpisode ?? null,
    },
    key,
  );
  return { id: r.id, docNumber };
}

/** Row counts of every table plus SQLite's change counter: equal snapshots mean nothing was written. */
export function snapshot(t: TestEnv): Record<string, number> {
  const raw = t.handle.sqlite;
  const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const out: Record<string, number> = {};
  for (const name of tables) out[name] = raw.prepare(`SELECT COUNT(*) FROM "${name}"`).pluck().get() as number;
  out.__changes = raw.prepare('SELECT total_changes()').pluck().get() as number;
  return out;
}

/** Whether the bytes occur anywhere in the file (false when the file does not exist). */
export function fileContains(file: string, needle: string | Buffer): boolean {
  if (!fs.existsSync(file)) return false;
  const bytes = fs.readFileSync(file);
  return bytes.indexOf(typeof needle === 'string' ? Buffer.from(needle, 'utf8') : needle) !== -1;
}

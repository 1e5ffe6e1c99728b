// Opening the database for a command and the context it acts in: the built-in CLI_ACTOR (admin, audited as "cli").
// Imported lazily by commands (inside run), since it pulls in the database driver.
import { openDatabase, DatabaseOpenError, type DbHandle, type OpenOptions } from '../db/open.ts';
import { existsSync } from 'node:fs';
import { generateKey, resolveKey, writeKeyFile, type DbKey } from '../db/keys.ts';
import { MISSING_KEY_HINT, setDatabaseKey } from '../db/sqlite.ts';
import { CLI_ACTOR } from '../domain/actor.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import type { Ctx } from '../domain/context.ts';
import { CliError, OPEN_ERROR_CODES } from './output.ts';

/** Opens the file; a missing, unreadable, damaged or too-new file, or a missing or wrong key, is exit code 2 with the reason. */
export async function openCliDb(file: string, options: OpenOptions = {}): Promise<DbHandle> {
  try {
    return await openDatabase(file, options);
  } catch (e) {
    if (e instanceof DatabaseOpenError) throw new CliError(2, OPEN_ERROR_CODES[e.code], e.message);
    throw e;
  }
}

/**
 * The key of a command that may create it (init --encrypt, encrypt): from --key-file — generated and written there,
 * owner-only, when the file does not exist and `create` — or from ISOLATION_DESK_DB_KEY. Sets it as the process key.
 */
export function commandKey(keyFile: string | undefined, opts: { create: boolean }): { key: DbKey; created: string | null } {
  let created: string | null = null;
  let key: DbKey | null;
  if (keyFile !== undefined && !existsSync(keyFile) && opts.create) {
    key = generateKey();
    writeKeyFile(keyFile, key);
    created = keyFile;
  } else {
    key = resolveKey(keyFile);
  }
  if (!key) throw new CliError(2, 'DB_KEY', `需要密钥。${MISSING_KEY_HINT.replace('指定密钥文件', '指定密钥文件（不存在时自动生成）')}`);
  setDatabaseKey(key);
  return { key, created };
}

export function cliCtx(handle: DbHandle, clock: Clock = systemClock()): Ctx {
  return { db: handle.db, actor: CLI_ACTOR, clock };
}

/** Opens, runs fn, and always closes the file. */
export async function withDb<T>(file: string, options: OpenOptions, fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const handle = await openCliDb(file, options);
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

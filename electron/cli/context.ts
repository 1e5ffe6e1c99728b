// Opening the database for a command and the context it acts in: the built-in CLI_ACTOR (admin, audited as "cli").
// Imported lazily by commands (inside run), since it pulls in the database driver.
import { openDatabase, DatabaseOpenError, type DbHandle, type OpenOptions } from '../db/open.ts';
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

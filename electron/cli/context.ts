// Opening the database for a command and the API it calls there: a session of the built-in cli user (api/cli-session.ts)
// and dispatch, as the window and browser mode call it. Imported lazily by commands (inside run): it pulls in the
// database driver and the API.
import { openDatabase, DatabaseOpenError, type DbHandle, type OpenOptions } from '../db/open.ts';
import { existsSync } from 'node:fs';
import { isPostgresUrl } from '../db/engine.ts';
import { generateKey, resolveKey, writeKeyFile, type DbKey } from '../db/keys.ts';
import { MISSING_KEY_HINT, setDatabaseKey } from '../db/sqlite.ts';
import { dispatchIn, type ApiSlice } from '../api/dispatch-core.ts';
import { startCliSession, type CliSession } from '../api/cli-session.ts';
import type { Channel, InputOf, OutputOf } from '../api/contract.ts';
import { jobEnded, type JobStatus } from '../jobs/runner.ts';
import { AppError, fail } from '../shared/errors.ts';
import { CliError, OPEN_ERROR_CODES } from './output.ts';

/** Opens the file; a missing, unreadable, damaged or too-new file, or a missing or wrong key, is exit code 2 with the reason. */
export async function openCliDb(file: string, options: OpenOptions = {}): Promise<DbHandle> {
  try {
    if (isPostgresUrl(file)) {
      const { openPostgres, pgAsDbHandle } = await import('../db/postgres.ts');
      return pgAsDbHandle(await openPostgres(file, { migrate: options.migrate, readonly: options.readonly, max: 4 }));
    }
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

/** The API as the cli user sees it over one open file. */
export interface CliApi extends CliSession {
  handle: DbHandle;
  /** dispatch(); a refusal (validation, permission, a rule) is thrown as its AppError, printed by run.ts. */
  call<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>>;
  /**
   * Waits for the job (it runs in this process: ApiEnv.inlineJobs), then asks 'jobs.status' for it; its result, or its
   * error thrown as the AppError it was.
   */
  waitForJob<O>(jobId: string, onProgress?: (p: JobStatus['progress']) => void): Promise<O>;
}

/** Only if a job were still running after it ended here (never expected): how long before asking again. */
const POLL_MS = 100;

/** The whole API (every area's handlers and their domain code), loaded when a command first calls it. */
async function wholeApi(): Promise<ApiSlice> {
  const [{ contract }, { handlers }] = await Promise.all([import('../api/contract.ts'), import('../api/handlers.ts')]);
  return { contract, handlers: handlers as unknown as ApiSlice['handlers'] };
}

/**
 * `slice`: the only channels the command calls (api/import-slice.ts), so that it loads only their code; without it,
 * the whole API. Either way each call goes through the same session, permission and input checks.
 */
export function cliApi(handle: DbHandle, file: string, slice?: ApiSlice): CliApi {
  const session = startCliSession(handle, file);
  let api: Promise<ApiSlice> | undefined;
  const call = async <C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> => {
    const r = await dispatchIn<C>(await (api ??= slice ? Promise.resolve(slice) : wholeApi()), session.env, channel, input, session.sessionKey);
    if (!r.ok) throw AppError.from(r.error);
    return r.data as OutputOf<C>;
  };
  const waitForJob = async <O>(jobId: string, onProgress?: (p: JobStatus['progress']) => void): Promise<O> => {
    for (;;) {
      await jobEnded(jobId, onProgress);
      const s = await call('jobs.status', { jobId });
      if (s.state === 'running') {
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      if (s.state === 'succeeded') return s.result as O;
      if (s.state === 'cancelled') throw fail('VALIDATION', 'jobs.cancelledNothingWritten');
      throw s.error ? AppError.from(s.error) : fail('INTERNAL', 'jobs.failed');
    }
  };
  return { ...session, handle, call, waitForJob };
}

/** Opens the file, runs fn with the cli user's API (or `slice` of it) over it, and always closes the file. */
export async function withApi<T>(file: string, options: OpenOptions, fn: (api: CliApi) => Promise<T>, slice?: ApiSlice): Promise<T> {
  return withDb(file, options, (handle) => fn(cliApi(handle, file, slice)));
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

// The command line as a caller of the API: an ApiEnv over the file it opened, with one session of the built-in
// `cli` user (CLI_ACTOR) in the env's session store. Its commands then call dispatch like the window and browser
// mode do: zod validation, the cli user's role decides what it may do (as for anyone), handlers audit as "cli".
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DbHandle } from '../db/open.ts';
import { isPostgresUrl } from '../db/engine.ts';
import type { RestoreOutcome } from '../db/restore.ts';
import { CLI_ACTOR } from '../domain/actor.ts';
import { systemClock } from '../domain/clock.ts';
import { auditFileRestore } from '../domain/backups.ts';
import { DEFAULT_SETTINGS } from '../domain/settings.ts';
import { SessionStore } from './sessions.ts';
import type { ApiEnv } from './env.ts';

/** The names a new file's office has until someone sets them (init says so and asks for --district/--subdistrict). */
export const PLACEHOLDER_NAMES = { district: DEFAULT_SETTINGS.district, subdistrict: DEFAULT_SETTINGS.subdistrict } as const;

export interface CliSession {
  env: ApiEnv;
  /** The session slot of the cli user: the last argument of dispatch(). */
  sessionKey: string;
}

/**
 * Opens a session of the cli user on `handle` (the file `dbFile`). The command line runs on the machine that holds the
 * file, so its env may name output paths (ApiEnv.localFiles: export --out, backup --out), and its jobs run in its own
 * thread on that handle (ApiEnv.inlineJobs): it waits for them anyway, and a worker would load the code a second time.
 */
export function startCliSession(handle: DbHandle, dbFile: string): CliSession {
  const clock = systemClock();
  const env: ApiEnv = { db: handle.db, clock, sessions: new SessionStore(), dbFile: isPostgresUrl(dbFile) ? handle.file : path.resolve(dbFile), localFiles: true, inlineJobs: handle };
  const sessionKey = `cli:${randomUUID()}`;
  env.sessions.set(sessionKey, CLI_ACTOR, clock.now().getTime());
  return { env, sessionKey };
}

/**
 * Records a restore of a closed file (db/restore.ts) in the restored file, as the cli user. The one thing the command
 * line writes outside dispatch: swapping a file that may not even open has no channel (the window restores from its
 * backup folder through 'backups.restore', which audits the same action).
 */
export async function recordFileRestore(session: CliSession, outcome: RestoreOutcome, undo: boolean): Promise<void> {
  const { env } = session;
  const actor = env.sessions.get(session.sessionKey)?.actor ?? CLI_ACTOR;
  await auditFileRestore({ db: env.db, clock: env.clock, actor }, outcome, undo);
}

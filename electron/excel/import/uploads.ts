// Uploaded import files, kept in a temp folder of the main process only while the clerk works on them, each tied to
// the user and the session that uploaded it. The renderer only ever holds the opaque fileId.
//
// A list holds names, ID numbers and phones, so its file is deleted as soon as it is no longer needed:
//   committed   the import wrote its batch (the error report of its rejected rows, if any, is kept in memory only);
//   cancelled   the commit job was cancelled, or the wizard discarded the file (重新选择文件, 导入其他文件);
//   abandoned   the wizard was closed, the session ended (logout, idle timeout, window closed, password reset,
//               restore), the app quit — or the upload is older than a day;
//   at start    the folder is swept of files older than a day (left by a crash or a killed process).
// A file in use by a running job is deleted when that job ends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fail, notFound } from '../../shared/errors.ts';
import type { Actor } from '../../domain/actor.ts';
import { assertImportable } from '../read.ts';

/** The error report of a committed import's rejected rows, built before its file was deleted. */
export interface KeptReport {
  fileName: string;
  dataBase64: string;
  rows: number;
}

export interface Upload {
  fileId: string;
  /** The user's file name (its extension picks the reader; recorded in the batch). */
  fileName: string;
  path: string;
  owner: string;
  at: number;
  /** Who keeps the session the upload belongs to (a SessionStore) and its key: its end discards the upload. */
  sessionOwner?: object;
  sessionKey?: string;
  /** True when the session that uploaded it is over (checked by the periodic sweep: an idle timeout nobody noticed). */
  abandoned?: () => boolean;
  /** Set once its import was written: the file is gone, only the error report (if any) remains. */
  committed?: { batchId: number | null; report: KeptReport | null; hadRejected: boolean };
  /** Jobs reading the file now; a deletion waits for them. */
  busy: number;
  /** What to do once no job reads the file: delete the file ('file'), or the file and the upload ('all'). */
  pending: null | 'file' | 'all';
}

/** An upload (or what remains of a committed one) is kept at most this long. */
export const KEEP_MS = 24 * 60 * 60_000;
/** How often abandoned uploads are looked for while any exist. */
const SWEEP_MS = 5 * 60_000;
const uploads = new Map<string, Upload>();
let timer: ReturnType<typeof setInterval> | null = null;

/** The folder: `isolation-desk-imports` in the system temp folder (TMPDIR/TEMP decides where that is). */
export function uploadDir(): string {
  return path.join(os.tmpdir(), 'isolation-desk-imports');
}

function removeFile(u: Upload): void {
  try {
    fs.rmSync(u.path, { force: true });
  } catch {
    // Locked (Windows) or already gone: the sweep at the next start takes it.
  }
}

/** Deletes the file (now, or when the jobs using it end) and forgets the upload. */
function discard(u: Upload): void {
  if (u.busy > 0) {
    u.pending = 'all';
    return;
  }
  removeFile(u);
  uploads.delete(u.fileId);
  if (uploads.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

function prune(now: number) {
  for (const u of [...uploads.values()]) {
    let gone = now - u.at > KEEP_MS;
    if (!gone && u.abandoned) {
      try {
        gone = u.abandoned();
      } catch {
        gone = false;
      }
    }
    if (gone) discard(u);
  }
}

/** Discards the uploads over a day old and those whose session is over (run every few minutes while any exist). */
export function sweepAbandonedUploads(now = Date.now()): void {
  prune(now);
}

function startTimer() {
  if (timer) return;
  timer = setInterval(() => prune(Date.now()), SWEEP_MS);
  // The sweep must never keep a process (CLI, tests) alive.
  timer.unref();
}

export interface UploadOwner {
  /** The session store and key of the uploading session (the import handlers register for its end). */
  sessionOwner?: object;
  sessionKey?: string;
  abandoned?: () => boolean;
}

/** Stores the bytes (name and size checked first) and returns the upload. */
export function saveUpload(actor: Actor, fileName: string, data: Buffer, maxBytes: number, now = Date.now(), owner: UploadOwner = {}): Upload {
  prune(now);
  const ext = assertImportable(fileName, data.length, maxBytes);
  const dir = uploadDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileId = randomUUID();
  // The stored name is ours (id + checked extension): the user's name never becomes a path.
  const file = path.join(dir, fileId + ext);
  fs.writeFileSync(file, data, { mode: 0o600 });
  const u: Upload = {
    fileId,
    fileName: path.basename(fileName.replace(/\\/g, '/')),
    path: file,
    owner: actor.username,
    at: now,
    ...owner,
    busy: 0,
    pending: null,
  };
  uploads.set(fileId, u);
  startTimer();
  return u;
}

function find(actor: Actor, fileId: string): Upload | undefined {
  const u = uploads.get(fileId);
  return u && (u.owner === actor.username || actor.role === 'admin') ? u : undefined;
}


/** The upload of this user (an admin may use anyone's), with its file still there. */
export function getUpload(actor: Actor, fileId: string): Upload {
  const u = find(actor, fileId);
  if (u?.committed) {
    throw u.committed.batchId ? fail('CONFLICT', 'upload.importedBatch', { batch: u.committed.batchId }) : fail('CONFLICT', 'upload.imported');
  }
  if (!u || u.pending === 'all' || !fs.existsSync(u.path)) throw notFound('thing.upload');
  return u;
}

/** The error report kept for a committed upload of this user, or null when the upload still has its file. */
export function keptReport(actor: Actor, fileId: string): KeptReport | null {
  const u = find(actor, fileId);
  if (!u) throw notFound('thing.upload');
  if (!u.committed) return null;
  if (!u.committed.report) {
    throw u.committed.hadRejected ? fail('NOT_FOUND', 'upload.reportFailed') : fail('NOT_FOUND', 'upload.noRejected');
  }
  return u.committed.report;
}

/** Marks the file in use until the returned release is called (a deletion meanwhile waits for it). */
export function holdUpload(u: Upload): () => void {
  u.busy++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    u.busy--;
    if (u.busy > 0 || !u.pending) return;
    if (u.pending === 'all') discard(u);
    else removeFile(u);
    u.pending = null;
  };
}

/** The import was written: the file is deleted (once no job reads it); the error report stays in memory. */
export function markCommitted(u: Upload, batchId: number | null, report: KeptReport | null, hadRejected = report !== null): void {
  u.committed = { batchId, report, hadRejected };
  if (u.busy === 0) removeFile(u);
  else u.pending ??= 'file';
}

/** The clerk cancelled or left the import: its file (and any kept report) goes. False when there was none. */
export function discardUpload(actor: Actor, fileId: string): boolean {
  const u = find(actor, fileId);
  if (!u) return false;
  discard(u);
  return true;
}

/** A session ended: every upload it made goes. */
export function discardSessionUploads(sessionOwner: object, sessionKey: string): number {
  let n = 0;
  for (const u of [...uploads.values()]) {
    if (u.sessionOwner === sessionOwner && u.sessionKey === sessionKey) {
      discard(u);
      n++;
    }
  }
  return n;
}

/** Quitting: every file of this process goes now (synchronously; a file still being read is deleted anyway). */
export function discardAllUploads(): void {
  for (const u of [...uploads.values()]) {
    u.busy = 0;
    discard(u);
  }
}

/**
 * At start: deletes the files in the upload folder older than `maxAgeMs` (by modification time), whatever process
 * left them; a younger one may be another running instance's upload and is kept. Subfolders and links are left.
 */
export function sweepUploadFolder(now = Date.now(), maxAgeMs = KEEP_MS): { deleted: number; kept: number } {
  const dir = uploadDir();
  let deleted = 0;
  let kept = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return { deleted, kept };
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile()) continue;
      if (now - st.mtimeMs > maxAgeMs) {
        fs.rmSync(file, { force: true });
        deleted++;
        for (const u of uploads.values()) if (u.path === file) uploads.delete(u.fileId);
      } else kept++;
    } catch {
      // Vanished meanwhile, or locked: the next start tries again.
    }
  }
  prune(now);
  return { deleted, kept };
}

/** How many uploads this process holds (tests). */
export function uploadCount(): number {
  return uploads.size;
}

// Uploaded import files, kept in a temp folder of the main process until imported (or a day old), each tied to
// the user who uploaded it. The renderer only ever holds the opaque fileId.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { notFound } from '../../domain/errors.ts';
import type { Actor } from '../../domain/actor.ts';
import { assertImportable } from '../read.ts';

export interface Upload {
  fileId: string;
  /** The user's file name (its extension picks the reader; recorded in the batch). */
  fileName: string;
  path: string;
  owner: string;
  at: number;
}

const KEEP_MS = 24 * 60 * 60_000;
const uploads = new Map<string, Upload>();

export function uploadDir(): string {
  return path.join(os.tmpdir(), 'isolation-desk-imports');
}

function prune(now: number) {
  for (const [id, u] of uploads) {
    if (now - u.at > KEEP_MS) {
      fs.rmSync(u.path, { force: true });
      uploads.delete(id);
    }
  }
}

/** Stores the bytes (name and size checked first) and returns the upload. */
export function saveUpload(actor: Actor, fileName: string, data: Buffer, maxBytes: number, now = Date.now()): Upload {
  prune(now);
  const ext = assertImportable(fileName, data.length, maxBytes);
  const dir = uploadDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fileId = randomUUID();
  // The stored name is ours (id + checked extension): the user's name never becomes a path.
  const file = path.join(dir, fileId + ext);
  fs.writeFileSync(file, data, { mode: 0o600 });
  const u: Upload = { fileId, fileName: path.basename(fileName.replace(/\\/g, '/')), path: file, owner: actor.username, at: now };
  uploads.set(fileId, u);
  return u;
}

/** The upload of this user (an admin may use anyone's). */
export function getUpload(actor: Actor, fileId: string): Upload {
  const u = uploads.get(fileId);
  if (!u || (u.owner !== actor.username && actor.role !== 'admin') || !fs.existsSync(u.path)) throw notFound('上传的文件（可能已过期，请重新选择文件）');
  return u;
}

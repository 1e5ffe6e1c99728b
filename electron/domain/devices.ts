// Devices of the office server (electron/server): single-use pairing codes made by an administrator, the device
// credential a code is exchanged for, the device list and revocation. Codes and credentials are stored as SHA-256
// hashes only. Every pairing, refusal and revocation is audited.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Ctx } from './context.ts';
import { audit } from './audit.ts';
import { nowIso } from './clock.ts';
import { fail, notFound } from '../shared/errors.ts';
import { PAIRING } from '../shared/limits.ts';
import type { Actor } from './actor.ts';
import { sql, type Selectable } from 'kysely';
import type { DevicesTable } from '../db/schema.ts';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A device as listed: everything but its credential's hash. */
export type DeviceRow = Omit<Selectable<DevicesTable>, 'tokenHash'>;

export interface PairingCodes {
  codes: string[];
  expiresAt: string;
}

/** The actor a device's own actions (pairing, refusals) are audited as: it has no user yet. */
export const deviceActor = (name: string): Actor => ({ userId: null, username: 'device', displayName: name, role: 'official', communityId: -1 });

/** Makes `count` single-use codes valid for PAIRING.minutes. Spent and expired codes older than a day are dropped. */
export async function makePairingCodes(ctx: Ctx, count = 1): Promise<PairingCodes> {
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + PAIRING.minutes * 60_000).toISOString();
  const codes: string[] = [];
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('pairingCodes').where('expiresAt', '<', new Date(now.getTime() - 86_400_000).toISOString()).execute();
    const taken = new Set((await tx.selectFrom('pairingCodes').select('codeHash').execute()).map((r) => r.codeHash));
    while (codes.length < count) {
      const code = String(randomInt(0, 10 ** PAIRING.digits)).padStart(PAIRING.digits, '0');
      const hash = sha256(code);
      if (taken.has(hash)) continue;
      taken.add(hash);
      codes.push(code);
      await tx.insertInto('pairingCodes').values({ codeHash: hash, createdBy: ctx.actor.username, createdAt: now.toISOString(), expiresAt, usedAt: null, deviceId: null }).execute();
    }
    await audit({ ...ctx, db: tx }, { action: 'device.pair_codes', extra: { count, expiresAt } });
  });
  return { codes, expiresAt };
}

export interface Paired {
  device: DeviceRow;
  /** The device credential (the cookie's value); only its hash is kept. */
  token: string;
}

/** Exchanges a valid code for a new device and its credential; a wrong, spent or expired code is refused (and audited). */
export async function pairDevice(ctx: Ctx, code: string, name: string, address: string | null): Promise<Paired> {
  const now = nowIso(ctx.clock);
  const token = randomBytes(32).toString('base64url');
  const paired = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('pairingCodes').selectAll().where('codeHash', '=', sha256(code)).executeTakeFirst();
    // expiresAt is UTC (Z), compared as UTC; the other times are the office's local time, as elsewhere.
    if (!row || row.usedAt !== null || row.expiresAt <= ctx.clock.now().toISOString()) return { refused: row ? (row.usedAt ? 'used' : 'expired') : 'unknown' } as const;
    const ins = await tx
      .insertInto('devices')
      .values({ name, tokenHash: sha256(token), pairedBy: row.createdBy, pairedAt: now, pairedAddress: address, lastSeenAt: now, lastAddress: address, revokedAt: null, revokedBy: null })
      // RETURNING: PostgreSQL has no insertId.
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(ins.id);
    await tx.updateTable('pairingCodes').set({ usedAt: now, deviceId: id }).where('id', '=', row.id).execute();
    await audit({ ...ctx, db: tx, actor: deviceActor(name) }, { action: 'device.paired', entity: 'device', entityId: id, extra: { name, address, codeBy: row.createdBy } });
    return { id };
  });
  if ('refused' in paired) {
    await audit({ ...ctx, actor: deviceActor(name) }, { action: 'device.pair_refused', extra: { reason: paired.refused, address } });
    throw fail('DEVICE_UNPAIRED', 'device.badCode');
  }
  const device = await ctx.db.selectFrom('devices').selectAll().where('id', '=', paired.id).executeTakeFirstOrThrow();
  return { device: publicRow(device), token };
}

function publicRow(d: DeviceRow & { tokenHash?: string }): DeviceRow {
  const { id, name, pairedBy, pairedAt, pairedAddress, lastSeenAt, lastAddress, revokedAt, revokedBy } = d;
  return { id, name, pairedBy, pairedAt, pairedAddress, lastSeenAt, lastAddress, revokedAt, revokedBy };
}

/** The live (not revoked) device holding this credential, or null. */
export async function deviceByToken(ctx: Pick<Ctx, 'db'>, token: string): Promise<DeviceRow | null> {
  const d = await ctx.db.selectFrom('devices').selectAll().where('tokenHash', '=', sha256(token)).where('revokedAt', 'is', null).executeTakeFirst();
  return d ? publicRow(d) : null;
}

/** Records when and from where a device was last seen. */
export async function touchDevice(ctx: Pick<Ctx, 'db' | 'clock'>, id: number, address: string | null): Promise<void> {
  await ctx.db.updateTable('devices').set({ lastSeenAt: nowIso(ctx.clock), lastAddress: address }).where('id', '=', id).execute();
}

/** Every device, live ones first, newest first. */
export async function listDevices(ctx: Pick<Ctx, 'db'>): Promise<DeviceRow[]> {
  const rows = await ctx.db.selectFrom('devices').selectAll().orderBy(sql`revoked_at is not null`).orderBy('id', 'desc').execute();
  return rows.map(publicRow);
}

/** Revokes a device: its credential stops working at once (the server also ends its sessions). */
export async function revokeDevice(ctx: Ctx, id: number): Promise<DeviceRow> {
  return ctx.db.transaction().execute(async (tx) => {
    const d = await tx.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    if (!d) throw notFound('thing.device');
    if (d.revokedAt) throw fail('CONFLICT', 'device.alreadyRevoked');
    const now = nowIso(ctx.clock);
    await tx.updateTable('devices').set({ revokedAt: now, revokedBy: ctx.actor.username }).where('id', '=', id).execute();
    await audit({ ...ctx, db: tx }, { action: 'device.revoke', entity: 'device', entityId: id, extra: { name: d.name } });
    return publicRow({ ...d, revokedAt: now, revokedBy: ctx.actor.username });
  });
}

/** Audits a refused call of an unknown or revoked device (the server rate-limits how often). */
export async function auditRefusedDevice(ctx: Ctx, address: string | null, reason: 'unknown' | 'revoked' | 'none'): Promise<void> {
  await audit({ ...ctx, actor: deviceActor(address ?? '?') }, { action: 'device.refused', extra: { reason, address } });
}

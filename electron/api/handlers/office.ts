// Handlers of the shared-office channels. The server's status and start/stop come from the transport that runs it
// (ApiEnv.office): the serve command reports itself, the desktop app can start and stop it, browser mode has none.
import os from 'node:os';
import type { officeContract, ServerStatus } from '../contract/office.ts';
import type { HandlersFor } from './types.ts';
import type { HandlerCtx } from '../env.ts';
import { listDevices, makePairingCodes, revokeDevice } from '../../domain/devices.ts';
import { audit } from '../../domain/audit.ts';
import { fail, issue } from '../../shared/errors.ts';
import { checkPgUrl, withoutPassword } from '../../shared/server-db.ts';
import { latestVersion } from '../../db/migrations/index.ts';
import { probePostgres } from '../../db/pg/probe.ts';
import type { ServerDatabase } from '../contract/office.ts';

/** This computer's IPv4 addresses (not loopback). */
export function ipv4Interfaces(): { name: string; address: string }[] {
  return Object.entries(os.networkInterfaces()).flatMap(([name, list]) =>
    (list ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => ({ name, address: a.address })),
  );
}

function status(ctx: HandlerCtx): ServerStatus {
  const s = ctx.env.office?.status();
  return {
    running: s?.running ?? false,
    url: s?.url ?? null,
    fingerprint: s?.fingerprint ?? null,
    host: s?.host ?? null,
    port: s?.port ?? null,
    interfaces: ipv4Interfaces(),
    canControl: ctx.env.office?.canControl ?? false,
    deviceId: ctx.deviceId ?? null,
  };
}

function database(ctx: HandlerCtx): ServerDatabase {
  const sd = ctx.env.serverDatabase;
  const now = sd?.current() ?? { engine: 'sqlite' as const, shown: ctx.env.dbFile };
  const chosen = sd?.chosen() ?? null;
  return { engine: now.engine, current: now.shown, next: chosen === null ? null : chosen === 'file' ? 'file' : withoutPassword(chosen), canChoose: Boolean(sd) };
}

export const officeHandlers: HandlersFor<typeof officeContract> = {
  'devices.list': async (ctx) => listDevices(ctx),
  'devices.pairCodes': async (ctx, input) => makePairingCodes(ctx, input.count ?? 1),
  'devices.revoke': async (ctx, input) => {
    const d = await revokeDevice(ctx, input.id);
    ctx.env.office?.deviceRevoked?.(d.id);
    return d;
  },
  'server.status': async (ctx) => status(ctx),
  'server.start': async (ctx) => {
    const office = ctx.env.office;
    if (!office?.canControl || !office.start) throw fail('FORBIDDEN', 'server.notHere');
    await office.start();
    await audit(ctx, { action: 'server.start', extra: { url: office.status().url } });
    return status(ctx);
  },
  'server.database': async (ctx) => database(ctx),
  'server.setDatabase': async (ctx, input) => {
    const sd = ctx.env.serverDatabase;
    if (!sd) throw fail('FORBIDDEN', 'serverDb.notHere');
    if (input.url === null) {
      sd.choose(null);
      await audit(ctx, { action: 'server.database', extra: { engine: 'sqlite' } });
      return database(ctx);
    }
    const url = checkPgUrl(input.url);
    if (!url) throw fail('VALIDATION', 'serverDb.badUrl', undefined, { fields: [issue('url', 'serverDb.badUrl')] });
    if (!sd.canStore) throw fail('VALIDATION', 'serverDb.noKeyStore');
    const shown = withoutPassword(url);
    const probe = await probePostgres(url);
    if (!probe.ok) throw fail('VALIDATION', 'serverDb.unreachable', { url: shown, reason: probe.reason ?? '' }, { fields: [issue('url', 'serverDb.unreachable', { url: shown, reason: probe.reason ?? '' })] });
    if (probe.schemaVersion > latestVersion) throw fail('VALIDATION', 'serverDb.tooNew', { url: shown, version: probe.schemaVersion });
    sd.choose(url);
    // The address without its password: the audit trail never holds it.
    await audit(ctx, { action: 'server.database', extra: { engine: 'postgres', url: shown, schemaVersion: probe.schemaVersion } });
    return database(ctx);
  },
  'server.stop': async (ctx) => {
    const office = ctx.env.office;
    if (!office?.canControl || !office.stop) throw fail('FORBIDDEN', 'server.notHere');
    if (!office.status().running) throw fail('VALIDATION', 'server.notRunning');
    await office.stop();
    await audit(ctx, { action: 'server.stop' });
    return status(ctx);
  },
};

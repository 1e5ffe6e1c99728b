// Handlers of the shared-office channels. The server's status and start/stop come from the transport that runs it
// (ApiEnv.office): the serve command reports itself, the desktop app can start and stop it, browser mode has none.
import os from 'node:os';
import type { officeContract, ServerStatus } from '../contract/office.ts';
import type { HandlersFor } from './types.ts';
import type { HandlerCtx } from '../env.ts';
import { listDevices, makePairingCodes, revokeDevice } from '../../domain/devices.ts';
import { audit } from '../../domain/audit.ts';
import { fail } from '../../shared/errors.ts';

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
  'server.stop': async (ctx) => {
    const office = ctx.env.office;
    if (!office?.canControl || !office.stop) throw fail('FORBIDDEN', 'server.notHere');
    if (!office.status().running) throw fail('VALIDATION', 'server.notRunning');
    await office.stop();
    await audit(ctx, { action: 'server.stop' });
    return status(ctx);
  },
};

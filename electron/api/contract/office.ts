// Channels of the shared office: pairing codes, the device list and revocation, and the office server's status
// (设置 › 设备 and 设置 › 共享). Pairing itself (POST /api/devices.pair) is the server's own route: it sets a cookie.
import { z } from 'zod';
import { channel } from '../define.ts';
import { empty, id } from './common.ts';
import { PAIRING } from '../../shared/limits.ts';
import type { DeviceRow, PairingCodes } from '../../domain/devices.ts';

export interface ServerStatus {
  /** The office server is serving this database (in this process or as the serve command). */
  running: boolean;
  /** Where clients connect (https://address:port/), null when not running. */
  url: string | null;
  /** SHA-256 of the server's certificate, lowercase hex (compare it on each PC; also shown as a QR code). */
  fingerprint: string | null;
  /** The address it listens on ('127.0.0.1' unless the LAN was enabled). */
  host: string | null;
  port: number | null;
  /** This computer's IPv4 addresses, for choosing the interface the LAN server listens on. */
  interfaces: { name: string; address: string }[];
  /** Whether 启动/停止 work from here (the desktop app; not the serve command's own clients or browser mode). */
  canControl: boolean;
  /** This device, when the caller came through the office server with a paired device. */
  deviceId: number | null;
}

/** The database this desktop app works on (and serves), and the one chosen for the next start. */
export interface ServerDatabase {
  engine: 'sqlite' | 'postgres';
  /** The data file, or the PostgreSQL URL without its password. */
  current: string;
  /** A choice that takes effect at the next start: a URL without its password, 'file' for the data file; else null. */
  next: string | null;
  /** Whether it can be chosen here (the desktop app; not the serve command or browser mode). */
  canChoose: boolean;
}

export const officeContract = {
  'devices.list': channel<DeviceRow[]>()(empty, 'devices.manage'),
  /** Single-use pairing codes (8 digits, 10 minutes). */
  'devices.pairCodes': channel<PairingCodes>()(z.object({ count: z.number().int().min(1).max(PAIRING.maxAtOnce).optional() }).strict(), 'devices.manage', {
    invalidates: ['devices.list'],
  }),
  'devices.revoke': channel<DeviceRow>()(z.object({ id }).strict(), 'devices.manage', { invalidates: ['devices.list'] }),
  'server.status': channel<ServerStatus>()(empty, 'devices.manage'),
  /** Starts the office server from the desktop app with the saved settings (serverLan, serverHost, serverPort). */
  'server.start': channel<ServerStatus>()(empty, 'devices.manage', { invalidates: ['server.status'] }),
  'server.stop': channel<ServerStatus>()(empty, 'devices.manage', { invalidates: ['server.status'] }),
  'server.database': channel<ServerDatabase>()(empty, 'devices.manage'),
  /**
   * Chooses the database for the next start: a PostgreSQL URL (checked, and connected to, before it is kept; its
   * password kept by main wrapped in the OS key store) or null for this PC's data file.
   */
  'server.setDatabase': channel<ServerDatabase>()(z.object({ url: z.string().max(500).nullable() }).strict(), 'devices.manage', { invalidates: ['server.database'] }),
};

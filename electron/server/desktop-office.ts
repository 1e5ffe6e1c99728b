// 设置 › 共享 in the desktop app: the admin starts and stops the office server on this PC, serving the database the
// window has open (one core for the window and the network), with the saved LAN settings. It runs in the desktop
// app's core process (core-process.ts); main passes its paths in.
import path from 'node:path';
import type { ApiEnv, OfficeControl } from '../api/env.ts';
import { getSettings } from '../domain/settings.ts';
import { startOfficeServer, type OfficeServer } from './index.ts';
import { serveHost } from './process.ts';

export interface DesktopOfficeOptions {
  /** The built renderer the server hands to browsers. */
  staticDir: string;
  /** Where its certificate and log live (beside the database). */
  dataDir: string;
}

export function desktopOffice(env: ApiEnv, opts: DesktopOfficeOptions): OfficeControl & { close(): Promise<void> } {
  let server: OfficeServer | null = null;
  return {
    canControl: true,
    status: () => server?.control.status() ?? { running: false, url: null, fingerprint: null, host: null, port: null },
    async start() {
      if (server) return;
      const settings = await getSettings(env);
      server = await startOfficeServer({
        env,
        staticDir: opts.staticDir,
        host: serveHost(settings),
        port: settings.serverPort,
        tls: { certDir: path.join(opts.dataDir, 'office-server') },
        logFile: path.join(opts.dataDir, 'logs', 'office-server.log'),
        // The desktop app already makes its daily and quit backups.
        backups: false,
      });
    },
    async stop() {
      const s = server;
      server = null;
      await s?.close();
    },
    deviceRevoked: (id) => server?.deviceRevoked(id),
    async close() {
      await this.stop?.();
    },
  };
}

// The only file that touches ipcMain: one handler per contract channel. Each call is checked for its sender
// (our own window, top frame, app:// page) and then handed to the core process (core-client.ts), which runs the same
// dispatch as browser mode and the CLI. Main itself holds no database.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { channels } from '../api/contract.ts';
import type { ApiResult } from '../api/dispatch.ts';
import { isAppUrl } from './app-files.ts';
import { fail } from '../shared/errors.ts';
import { CONNECTION_CHANNELS, type ConnectionResult } from '../shared/connection.ts';

export interface SenderPolicy {
  /** Ids of the web contents we created (our windows); anything else is refused. */
  isOwnContents(webContentsId: number): boolean;
  /** The page origin allowed to call (app://desk, plus the dev server when unpackaged). */
  isTrustedUrl?(url: string): boolean;
}

export const FORBIDDEN_SENDER: ApiResult<never> = {
  ok: false,
  error: fail('FORBIDDEN', 'ipc.untrustedSender').toJSON(),
};

/** The session of a window lives in the main process under this key; the renderer never holds a token. */
export function sessionKeyOf(webContentsId: number): string {
  return `wc:${webContentsId}`;
}

export function isTrustedSender(event: IpcMainInvokeEvent, policy: SenderPolicy): boolean {
  const frame = event.senderFrame;
  // Null when the frame navigated away or was destroyed before the message arrived.
  if (!frame) return false;
  // Only the top frame: our app has no iframes, so a subframe is someone else's content.
  if (frame.parent) return false;
  const trusted = policy.isTrustedUrl ?? isAppUrl;
  if (!trusted(frame.url)) return false;
  return policy.isOwnContents(event.sender.id);
}

/** Where a checked call goes: the core's dispatch (CoreClient.call), or dispatch itself in tests. */
export type ForwardCall = (channel: string, input: unknown, sessionKey: string) => Promise<ApiResult<unknown>>;

/** Registers every channel; returns a function that removes them again (tests, shutdown). */
export function registerIpc(forward: ForwardCall, policy: SenderPolicy): () => void {
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedSender(event, policy)) return FORBIDDEN_SENDER;
      return forward(channel, input, sessionKeyOf(event.sender.id));
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

export interface ConnectionIpcHandlers {
  chooseLocal(): Promise<ConnectionResult<unknown>>;
  probe(input: unknown): Promise<ConnectionResult<unknown>>;
  pair(input: unknown): Promise<ConnectionResult<unknown>>;
}

const FORBIDDEN_CONNECTION: ConnectionResult<never> = { ok: false, error: { code: 'FAILED', message: '此页面无权进行该操作。' } };

/** The first-start choice page's channels (connect.ts), under the same sender check; returns their removal. */
export function registerConnectionIpc(handlers: ConnectionIpcHandlers, policy: SenderPolicy): () => void {
  const table: Record<string, (input: unknown) => Promise<ConnectionResult<unknown>>> = {
    [CONNECTION_CHANNELS.choose]: () => handlers.chooseLocal(),
    [CONNECTION_CHANNELS.probe]: (input) => handlers.probe(input),
    [CONNECTION_CHANNELS.pair]: (input) => handlers.pair(input),
  };
  for (const [channel, fn] of Object.entries(table)) {
    ipcMain.handle(channel, async (event, input: unknown) => (isTrustedSender(event, policy) ? fn(input) : FORBIDDEN_CONNECTION));
  }
  return () => {
    for (const channel of Object.keys(table)) ipcMain.removeHandler(channel);
  };
}

// The only file that touches ipcRenderer. Exposes window.api: one function per contract channel, nothing else
// (never ipcRenderer itself) — or, on the first-start choice page, only window.desk.connection (the main process
// says which through process.argv, BRIDGE_ARG). Built as CommonJS because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames } from '../api/channel-names.ts';
import type { Channel, InputOf, OutputOf } from '../api/contract.ts';
import type { ApiResult } from '../api/dispatch.ts';
import { BRIDGE_ARG, CONNECTION_CHANNELS, type DeskBridge } from '../shared/connection.ts';

export type DeskApi = { [C in Channel]: (input: InputOf<C>) => Promise<ApiResult<OutputOf<C>>> };
export type { DeskBridge };

/** One frozen object of plain functions; each forwards its input to the channel of the same name. */
export function buildApi(invoke: (channel: Channel, input: unknown) => Promise<unknown>): DeskApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = Object.create(null);
  for (const name of channelNames) api[name] = (input: unknown) => invoke(name, input);
  return Object.freeze(api) as DeskApi;
}

/** window.desk: the three steps of the first-start choice, nothing else. */
export function buildDesk(invoke: (channel: string, input?: unknown) => Promise<unknown>): DeskBridge {
  const connection = Object.freeze({
    chooseLocal: () => invoke(CONNECTION_CHANNELS.choose),
    probe: (url: string) => invoke(CONNECTION_CHANNELS.probe, url),
    pair: (input: unknown) => invoke(CONNECTION_CHANNELS.pair, input),
  });
  return Object.freeze({ connection }) as DeskBridge;
}

// Only the channel and the input cross the bridge; the event object (with its sender) never reaches the page.
const invoke = (channel: string, input?: unknown) => ipcRenderer.invoke(channel, input);
const bridge = process.argv.find((a) => a.startsWith(BRIDGE_ARG))?.slice(BRIDGE_ARG.length);

if (bridge === 'connect') contextBridge.exposeInMainWorld('desk', buildDesk(invoke));
else contextBridge.exposeInMainWorld('api', buildApi(invoke));

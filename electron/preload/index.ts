// The only file that touches ipcRenderer. Exposes window.api: one function per contract channel, nothing else
// (never ipcRenderer itself). Built as CommonJS because a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer } from 'electron';
import { channelNames } from '../api/channel-names.ts';
import type { Channel, InputOf, OutputOf } from '../api/contract.ts';
import type { ApiResult } from '../api/dispatch.ts';

export type DeskApi = { [C in Channel]: (input: InputOf<C>) => Promise<ApiResult<OutputOf<C>>> };

/** One frozen object of plain functions; each forwards its input to the channel of the same name. */
export function buildApi(invoke: (channel: Channel, input: unknown) => Promise<unknown>): DeskApi {
  const api: Record<string, (input: unknown) => Promise<unknown>> = Object.create(null);
  for (const name of channelNames) api[name] = (input: unknown) => invoke(name, input);
  return Object.freeze(api) as DeskApi;
}

// Only the channel and the input cross the bridge; the event object (with its sender) never reaches the page.
const api: DeskApi = buildApi((channel, input) => ipcRenderer.invoke(channel, input));

contextBridge.exposeInMainWorld('api', api);

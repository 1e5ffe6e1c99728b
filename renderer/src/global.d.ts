// Ambient types for the renderer: the preload's window.api (one method per channel).
import type { Channel, InputOf, OutputOf } from '../../electron/api/contract.ts';
import type { ApiResult } from '../../electron/api/dispatch.ts';

export type WindowApi = { [C in Channel]: (input: InputOf<C>) => Promise<ApiResult<OutputOf<C>>> };

declare global {
  interface Window {
    /** Present in the Electron app (electron/preload); absent in browser mode, where api.ts uses HTTP. */
    api?: WindowApi;
  }
}

// Ambient types for the renderer: the preload's window.api (one method per channel, electron/preload/index.ts).
import type { DeskApi } from '../../electron/preload/index.ts';

export type WindowApi = DeskApi;

declare global {
  interface Window {
    /** Present in the Electron app (electron/preload); absent in browser mode, where api.ts uses HTTP. */
    api?: WindowApi;
  }
}

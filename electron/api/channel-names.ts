// The channel names alone, for the preload. Here a re-export of the contract's list (so it can never drift);
// the preload build replaces this module with a plain string array (scripts/channel-names-plugin.ts), keeping zod
// and the schemas out of the sandboxed preload.
import { channels, type Channel } from './contract.ts';

export const channelNames: readonly Channel[] = channels;

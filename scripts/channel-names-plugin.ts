// Build-time swap for the preload: electron/api/channel-names.ts re-exports the channel names from the contract
// (always in sync, for tests and type checks); in the preload bundle this plugin replaces that module with a plain
// list of strings, so the sandboxed preload carries no zod and no schemas. Used by electron.vite.config.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { channels } from '../electron/api/contract.ts';

// import.meta.url, not .dirname: electron-vite's config bundler rewrites only the former to this file's real location.
export const CHANNEL_NAMES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../electron/api/channel-names.ts');

/** The module text the preload bundle gets instead of channel-names.ts. */
export function renderChannelNames(names: readonly string[]): string {
  const list = [...names].sort().map((n) => `  ${JSON.stringify(n)},`);
  return ['// Generated at build time from electron/api/contract.ts by scripts/channel-names-plugin.ts.', 'export const channelNames = [', ...list, '];', ''].join('\n');
}

export function channelNamesPlugin(): Plugin {
  return {
    name: 'isolation-desk:channel-names',
    enforce: 'pre',
    load(id) {
      if (path.resolve(id.split('?')[0]) === CHANNEL_NAMES_FILE) return renderChannelNames(channels);
      return null;
    },
    // Safety net: if the swap ever stops matching (moved file, path casing), fail the build rather than ship a
    // preload that bundles the contract, zod and domain code into the sandbox.
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'chunk') continue;
        const ids = file.moduleIds ?? Object.keys(file.modules ?? {});
        const leaked = ids.filter((id) => /[\\/]node_modules[\\/]zod[\\/]|[\\/]electron[\\/]api[\\/]contract/.test(id));
        if (leaked.length) this.error(`preload ${file.fileName} bundles ${leaked[0]}: the channel-names swap did not apply`);
      }
    },
  };
}

// electron-vite: builds the main process (ESM), the sandboxed preload (CommonJS: sandboxed preloads cannot be ES
// modules) and the renderer (renderer/index.html) into out/main, out/preload, out/renderer.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { channelNamesPlugin } from './scripts/channel-names-plugin.ts';

// import.meta.url (not .dirname): electron-vite bundles this file and rewrites only import.meta.url to its real path.
const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: path.resolve(root, 'out/main'),
      rolldownOptions: {
        // worker.js must sit beside index.js: the job runner starts `./worker.js` relative to itself. core.js is the core
        // process (database, API, jobs, office server) that main starts with utilityProcess.fork (main/paths.ts).
        input: {
          index: path.resolve(root, 'electron/main/index.ts'),
          worker: path.resolve(root, 'electron/jobs/worker.ts'),
          core: path.resolve(root, 'electron/server/core-process.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
      // Dependencies (better-sqlite3, kysely, zod, exceljs…) stay in node_modules inside the asar.
      externalizeDeps: true,
    },
  },
  preload: {
    // Swaps electron/api/channel-names.ts for a plain list of names (no zod in the preload).
    plugins: [channelNamesPlugin()],
    build: {
      outDir: path.resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: path.resolve(root, 'electron/preload/index.ts') },
        // .cjs because package.json says "type": "module"; the preload imports only names, so the file stays tiny.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
      // A sandboxed preload can require only 'electron' and a few built-ins: bundle everything else into the file.
      externalizeDeps: false,
    },
  },
  renderer: {
    root: path.resolve(root, 'renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: path.resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: path.resolve(root, 'renderer/index.html') },
      chunkSizeWarningLimit: 4000,
    },
    server: { host: '127.0.0.1' },
  },
});

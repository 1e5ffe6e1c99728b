// Vite build of the renderer alone (browser mode and e2e build it on demand; electron-vite builds it for the app).
// base './' so the same files load from app://desk/ and from http://127.0.0.1:PORT/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../out/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // The UI is one local app: a few large chunks load from disk, so the size warning is noise.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  server: { host: '127.0.0.1' },
});

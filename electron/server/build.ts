// Builds the renderer on demand for browser mode and the e2e tests: when out/renderer is missing or older than any
// file under renderer/, run Vite's build() with renderer/vite.config.ts. A lock file keeps parallel starts from
// building at the same time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: two levels above this file in the sources (electron/server/), one above the pre-built dist-cli/. */
export const REPO_ROOT = ((here) => path.resolve(here, path.basename(here) === 'dist-cli' ? '..' : '../..'))(path.dirname(fileURLToPath(import.meta.url)));
export const RENDERER_SRC = path.join(REPO_ROOT, 'renderer');
export const RENDERER_OUT = path.join(REPO_ROOT, 'out', 'renderer');
const LOCK = path.join(REPO_ROOT, 'out', '.renderer-build.lock');
/** A lock older than this is left over from a killed build. */
const STALE_LOCK_MS = 5 * 60_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.isFile()) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when out/renderer/index.html is missing or older than some file under renderer/. */
export function rendererIsStale(src = RENDERER_SRC, out = RENDERER_OUT): boolean {
  const index = path.join(out, 'index.html');
  if (!fs.existsSync(index)) return true;
  return newestMtime(src) > fs.statSync(index).mtimeMs;
}

function tryLock(): boolean {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  try {
    fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    try {
      if (Date.now() - fs.statSync(LOCK).mtimeMs > STALE_LOCK_MS) fs.rmSync(LOCK, { force: true });
    } catch {
      // someone else removed it meanwhile
    }
    return false;
  }
}

export interface BuildOutcome {
  built: boolean;
  ms: number;
}

/** Builds when stale; returns quickly otherwise. `log` receives one line before a build starts. */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<BuildOutcome> {
  const t0 = Date.now();
  if (!rendererIsStale()) return { built: false, ms: 0 };
  while (!tryLock()) {
    // Another process is building: wait for it, then re-check.
    await new Promise((r) => setTimeout(r, 500));
    if (!rendererIsStale()) return { built: false, ms: Date.now() - t0 };
  }
  try {
    if (!rendererIsStale()) return { built: false, ms: Date.now() - t0 };
    log('正在构建界面（首次运行或界面代码有更新），约需半分钟…');
    const { build } = await import('vite');
    // Always the shipped (production) React/antd bundle: Vite would take NODE_ENV=test from vitest (the e2e tests'
    // globalSetup and the browser-mode child they start) and build a development bundle that behaves differently.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: path.join(RENDERER_SRC, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    return { built: true, ms: Date.now() - t0 };
  } finally {
    fs.rmSync(LOCK, { force: true });
  }
}

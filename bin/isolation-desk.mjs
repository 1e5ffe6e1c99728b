#!/usr/bin/env node
// Package bin: runs the command line with the current Node — the pre-built dist-cli/main.js (scripts/build-cli.ts,
// `npm run build:cli`) when it is newer than every source it was built from, else electron/cli/main.ts. Node's
// compile cache is on (module.enableCompileCache: the compiled code of the modules a command loads is kept on disk
// and reused by the next run). Node ≥ 22.18 strips types by default; older 22.x needs the flag for the sources, so
// then we re-run ourselves in a child with it. (Node refuses to strip files under node_modules: this works from a
// repository checkout, which is how the operator's tool is installed.)
import fs from 'node:fs';
import module from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = fileURLToPath(new URL('../electron/cli/main.ts', import.meta.url));
const bundle = fileURLToPath(new URL('../dist-cli/main.js', import.meta.url));

/** dist-cli/main.js when it was built after the last change of any file it came from; null otherwise (or not built). */
function currentBundle() {
  if (process.env.ISOLATION_DESK_CLI_SOURCE === '1') return null;
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(new URL('../dist-cli/manifest.json', import.meta.url), 'utf8'));
  } catch {
    return null;
  }
  for (const rel of manifest.inputs) {
    const st = fs.statSync(root + rel, { throwIfNoEntry: false });
    if (!st || st.mtimeMs > manifest.builtAt) return null;
  }
  return bundle;
}

module.enableCompileCache?.();
const built = currentBundle();
if (built) {
  await import(built);
} else if (process.features.typescript) {
  await import(main);
} else {
  const r = spawnSync(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = r.status ?? 2;
}

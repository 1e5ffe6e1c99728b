#!/usr/bin/env node
// Package bin: runs electron/cli/main.ts with the current Node. Node ≥ 22.18 strips types by default; older 22.x
// needs the flag, so then we re-run ourselves in a child with it. (Node refuses to strip files under node_modules:
// this works from a repository checkout, which is how the operator's tool is installed.)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../electron/cli/main.ts', import.meta.url));

if (process.features.typescript) {
  await import(main);
} else {
  const r = spawnSync(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', main, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exitCode = r.status ?? 2;
}

// `npm run build:cli` (and `npm run build`): the command line pre-built into dist-cli/ — electron/cli/main.ts and the
// job worker (electron/jobs/worker.ts, for the commands that start one) as ES modules, with each command still loaded
// on demand (one chunk per dynamic import). Built with rolldown, the bundler vite 8 uses.
// Why: run from source, a command spends ~0.5 s CPU (more wall time on a busy machine) before it does anything —
// Node resolves, reads, strips the types of and compiles ~130 source files and the ~380 files of kysely, zod and
// pinyin-pro. The bundle has the types stripped already and those three ES-module packages inside it; every other
// dependency (the SQLite driver with its native addon, exceljs, fastify, pg …) stays in node_modules, loaded as from
// source. bin/isolation-desk.mjs runs dist-cli/main.js when it is newer than every file it was built from
// (dist-cli/manifest.json lists them), and the sources otherwise; `npm run cli` always runs the sources.
// Run: node scripts/build-cli.ts [--out DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CLI_OUT = path.join(ROOT, 'dist-cli');

/** ES-module packages of many small files, bundled: resolving and loading them one by one is most of their cost. */
const BUNDLED = /^(kysely|zod|pinyin-pro)(\/|$)/;

/** What bin/isolation-desk.mjs reads to decide whether the bundle is current. */
export interface CliManifest {
  /** When the build started (ms since the epoch): a source file modified after it makes the bundle stale. */
  builtAt: number;
  /** The sources the bundle was built from and npm's lock files (a bundled package changes only with them), relative to the repository. */
  inputs: string[];
}

/**
 * Builds the command line into `outDir` (replacing it); returns the manifest it wrote there. Built beside it and then
 * renamed into place, so that a command started meanwhile finds either the old bundle whole or the new one.
 */
export async function buildCli(outDir = CLI_OUT): Promise<CliManifest> {
  // Taken before reading any source, so that a file saved during the build counts as newer than the bundle.
  const builtAt = Date.now();
  const dir = `${outDir}.building-${process.pid}`;
  fs.rmSync(dir, { recursive: true, force: true });
  const out = await build({
    cwd: ROOT,
    input: { main: path.join(ROOT, 'electron/cli/main.ts'), worker: path.join(ROOT, 'electron/jobs/worker.ts') },
    platform: 'node',
    // Bare imports stay imports (node_modules, node: built-ins), except the packages bundled on purpose.
    external: (id) => !id.startsWith('.') && !path.isAbsolute(id) && !id.startsWith('\0') && !BUNDLED.test(id),
    logLevel: 'warn',
    // The job runner starts `./worker.js` next to its own chunk: every file goes in one directory.
    output: { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: false },
  });
  const inputs = new Set<string>();
  for (const o of out.output) {
    if (o.type !== 'chunk') continue;
    for (const id of o.moduleIds) if (path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`)) inputs.add(path.relative(ROOT, id));
  }
  // The bundled packages change only with the installed dependencies: npm rewrites its lock files then.
  inputs.add('package-lock.json');
  inputs.add('node_modules/.package-lock.json');
  const manifest: CliManifest = { builtAt, inputs: [...inputs].sort() };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  const old = `${outDir}.old-${process.pid}`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(dir, outDir);
  fs.rmSync(old, { recursive: true, force: true });
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const dir = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : CLI_OUT;
  const t0 = performance.now();
  const m = await buildCli(dir);
  console.log(`command line built into ${path.relative(process.cwd(), dir) || '.'} from ${m.inputs.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// Main holds no database (issue 13): every file the Electron main process loads at run time, followed from
// electron/main/index.ts through its static and dynamic imports, stays clear of the database driver, Kysely, the
// domain, the API's handlers, jobs and Excel. Those run in the core process (electron/server/core-process.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Run-time imports of one file: `import … from`, `export … from`, side-effect imports, import(); not `import type`. */
function runtimeImports(file: string): string[] {
  const src = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of src.matchAll(/\b(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g)) {
    if (m[2]) continue;
    // `import { type A, type B } from` is type-only too.
    const names = m[3].replace(/^\{|\}$/g, '').split(',').map((n) => n.trim()).filter(Boolean);
    if (m[3].startsWith('{') && names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    out.push(m[4]);
  }
  for (const m of src.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

function loadedByMain(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.join(ROOT, 'electron/main/index.ts')];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (spec.startsWith('.')) queue.push(path.resolve(path.dirname(file), spec));
      else packages.add(spec);
    }
  }
  return { files: new Set([...files].map((f) => path.relative(ROOT, f).split(path.sep).join('/'))), packages };
}

describe('the main process', () => {
  it('loads no database code: no driver, no Kysely, no domain, handlers, jobs or Excel', () => {
    const { files, packages } = loadedByMain();
    expect(files.has('electron/main/core-client.ts')).toBe(true);
    expect(files.has('electron/main/ipc.ts')).toBe(true);
    for (const pkg of ['better-sqlite3-multiple-ciphers', 'kysely', 'exceljs', 'fastify']) expect(packages, pkg).not.toContain(pkg);
    const heavy = [...files].filter((f) => /^electron\/(domain|jobs|excel)\//.test(f) || /^electron\/api\/(dispatch|handlers|sessions)/.test(f));
    expect(heavy).toEqual([]);
    // From the db folder only the key's text format (recovery key, 64 hex) and its error class, no connection.
    expect([...files].filter((f) => f.startsWith('electron/db/')).sort()).toEqual(['electron/db/keys.ts', 'electron/db/open-error.ts']);
  });
});

// The layering, enforced by a check instead of memory (style.md 2, 9; the floor table is electron/README.md): parses
// every source file with the TypeScript parser and refuses imports that cross a layer, go up a floor or sideways, and
// import cycles between files. A self-test proves the checker catches each kind of violation.
//
// What counts as an import, for the floors and for the cycles alike: static `import`, `export … from`, dynamic
// `import()`, `require()`, and the type-only forms (`import type`, `export type … from`, `typeof import('…')`). A type
// import up a floor is still an arrow up: the lower floor then cannot be read, changed or moved (to the office server)
// without the upper one, and two files that import each other's types are one unit, whatever the bundler erases.
// The one exception is the renderer's reach into electron/: at run time only `shared`, in types any lower floor (the
// contract's and the preload's types are how the renderer knows the API; types are erased from the bundle).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE_EXT = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

interface ImportRef {
  spec: string;
  /** `import type …` / `export type … from` / `typeof import('…')`: erased, never loaded at run time. */
  typeOnly: boolean;
}
interface FileFacts {
  rel: string;
  imports: ImportRef[];
  /** Identifiers of interest that appear anywhere in code (not comments or strings). */
  idents: Set<string>;
}

const WATCHED_IDENTS = new Set(['ipcMain', 'ipcRenderer']);

export function analyze(rel: string, src: string): FileFacts {
  const sf = ts.createSourceFile(rel, src, ts.ScriptTarget.Latest, true, rel.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const imports: ImportRef[] = [];
  const idents = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A }` still loads the module under verbatimModuleSyntax: only a whole `import type` is erased.
      imports.push({ spec: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      imports.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      imports.push({ spec: node.argument.literal.text, typeOnly: true });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) imports.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (ts.isIdentifier(node) && WATCHED_IDENTS.has(node.text)) {
      idents.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { rel, imports, idents };
}

/** Repo-relative target of a relative import, or null for a package import. */
function target(rel: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(rel), spec));
}

const isElectronPkg = (spec: string) => spec === 'electron' || spec.startsWith('electron/');
const under = (rel: string | null, dir: string) => rel !== null && (rel === dir || rel.startsWith(`${dir}/`));

/** Layers that run under plain Node (CLI, browser mode, workers, tests) and so must never load Electron. */
const NODE_ONLY = ['electron/domain', 'electron/api', 'electron/excel', 'electron/jobs', 'electron/db', 'electron/cli', 'electron/web', 'electron/server'];

export function violations(files: FileFacts[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const imp of f.imports) {
      const to = target(f.rel, imp.spec);
      if (under(f.rel, 'electron/domain') && under(to, 'renderer')) out.push(`${f.rel}: domain imports the renderer (${imp.spec})`);
      if (NODE_ONLY.some((d) => under(f.rel, d)) && isElectronPkg(imp.spec)) out.push(`${f.rel}: imports 'electron' (${imp.spec})`);
      if (under(f.rel, 'renderer')) {
        if (isElectronPkg(imp.spec)) out.push(`${f.rel}: renderer imports 'electron'`);
        if (under(to, 'electron') && !under(to, 'electron/shared') && !imp.typeOnly) {
          out.push(`${f.rel}: renderer imports electron/ code other than shared, not just types (${imp.spec})`);
        }
      }
      out.push(...floorViolations(f.rel, imp.spec, to));
    }
    if (f.idents.has('ipcMain') && f.rel !== 'electron/main/ipc.ts') out.push(`${f.rel}: uses ipcMain (only electron/main/ipc.ts may)`);
    if (f.idents.has('ipcRenderer') && !under(f.rel, 'electron/preload')) out.push(`${f.rel}: uses ipcRenderer (only electron/preload/ may)`);
    if ((under(f.rel, 'electron') || under(f.rel, 'renderer/src')) && !floorOf(f.rel)) {
      out.push(`${f.rel}: is on no floor (add its folder to FLOORS here and to the table in electron/README.md)`);
    }
  }
  return out;
}

/**
 * The floors, top to bottom (the table in electron/README.md). A file may import its own floor and any floor below it
 * (skipping floors is fine), never one above. On the transports floor each folder is its own room: one transport never
 * imports another; what they share (the CSP, the renderer build, the office server itself) sits on the server floor
 * below them.
 */
export const FLOORS: { floor: string; dirs: string[] }[] = [
  { floor: 'renderer', dirs: ['renderer/src'] },
  { floor: 'transports', dirs: ['electron/main', 'electron/preload', 'electron/web', 'electron/cli'] },
  { floor: 'server', dirs: ['electron/server'] },
  { floor: 'api', dirs: ['electron/api'] },
  { floor: 'jobs', dirs: ['electron/jobs'] },
  { floor: 'excel', dirs: ['electron/excel'] },
  { floor: 'domain', dirs: ['electron/domain'] },
  { floor: 'db', dirs: ['electron/db'] },
  { floor: 'shared', dirs: ['electron/shared'] },
];

/** The floor of a repo-relative path, its height (0 = shared) and its room (the folder, for transports). */
export function floorOf(rel: string): { floor: string; height: number; room: string } | null {
  for (const [i, f] of FLOORS.entries()) {
    const dir = f.dirs.find((d) => under(rel, d));
    if (dir) return { floor: f.floor, height: FLOORS.length - 1 - i, room: dir };
  }
  return null;
}

/** Packages the pure shared floor must not load: Node's own modules, Electron, the database drivers. */
const IMPURE = (spec: string) =>
  spec.startsWith('node:') || builtinModules.includes(spec) || isElectronPkg(spec) || spec === 'kysely' || spec.startsWith('better-sqlite3');

function floorViolations(rel: string, spec: string, to: string | null): string[] {
  const from = floorOf(rel);
  if (!from) return [];
  if (to === null) return from.floor === 'shared' && IMPURE(spec) ? [`${rel}: shared must stay pure but imports '${spec}'`] : [];
  const dest = floorOf(to);
  if (!dest) return [`${rel}: imports ${spec}, which is on no floor`];
  if (dest.height > from.height) return [`${rel}: imports ${spec} UP from ${from.floor} to ${dest.floor}`];
  if (from.floor === 'transports' && dest.floor === 'transports' && from.room !== dest.room) {
    return [`${rel}: imports ${spec} SIDEWAYS from ${from.room} to ${dest.room} (what transports share belongs on the server floor)`];
  }
  return [];
}

/** The file a relative import names, as one of the scanned files (`.ts` may be left off, a folder means its index). */
function resolve(to: string, known: Set<string>): string | null {
  for (const c of [to, `${to}.ts`, `${to}.tsx`, `${to}/index.ts`, `${to}/index.tsx`]) if (known.has(c)) return c;
  return null;
}

/**
 * Import cycles between files: Tarjan's strongly connected components over every relative import (type-only and
 * dynamic ones included, see the top of this file). Each cycle is its files, sorted, with the imports that close it.
 */
export function cycles(files: FileFacts[]): string[] {
  const known = new Set(files.map((f) => f.rel));
  const edges = new Map<string, Map<string, string>>();
  for (const f of files) {
    const out = new Map<string, string>();
    for (const imp of f.imports) {
      const to = target(f.rel, imp.spec);
      const file = to === null ? null : resolve(to, known);
      if (file && !out.has(file)) out.set(file, imp.spec);
    }
    edges.set(f.rel, out);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!.keys()) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || edges.get(v)!.has(v)) found.push(scc.sort());
    }
  };
  for (const f of files) if (!index.has(f.rel)) connect(f.rel);
  return found.map((scc) => {
    const inside = scc.flatMap((a) => [...edges.get(a)!].filter(([b]) => scc.includes(b)).map(([, spec]) => `${a} → ${spec}`));
    return `cycle of ${scc.length} files: ${scc.join(' ↔ ')} (${inside.join('; ')})`;
  });
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (SOURCE_EXT.test(e.name)) out.push(p);
  }
  return out;
}

function scanRepo(): FileFacts[] {
  const files = ['electron', 'renderer/src', 'scripts', 'bin'].flatMap((d) => walk(path.join(ROOT, d)));
  for (const f of fs.readdirSync(path.join(ROOT, 'renderer'), { withFileTypes: true })) {
    if (f.isFile() && SOURCE_EXT.test(f.name)) files.push(path.join(ROOT, 'renderer', f.name));
  }
  return files.map((abs) => analyze(path.relative(ROOT, abs).split(path.sep).join('/'), fs.readFileSync(abs, 'utf8')));
}

describe('layers', () => {
  const facts = scanRepo();

  it('scans the real tree (domain, api, main, preload and renderer files are all seen)', () => {
    const seen = facts.map((f) => f.rel);
    for (const must of ['electron/domain/residents.ts', 'electron/api/contract.ts', 'electron/main/ipc.ts', 'electron/preload/index.ts']) {
      expect(seen).toContain(must);
    }
    expect(seen.some((r) => r.startsWith('renderer/src/'))).toBe(true);
  });

  it('has no layer violations: nothing up a floor, nothing sideways between transports', () => {
    expect(violations(facts)).toEqual([]);
  });

  it('has no import cycles between files', () => {
    expect(cycles(facts)).toEqual([]);
  });

  it('puts every floor on the map (each floor has files, so a renamed folder cannot silently drop out of the check)', () => {
    for (const f of FLOORS) for (const d of f.dirs) expect(facts.some((x) => under(x.rel, d)), d).toBe(true);
  });

  it('ipc.ts really is the ipcMain user and the preload the ipcRenderer user (the check sees them)', () => {
    expect(facts.find((f) => f.rel === 'electron/main/ipc.ts')!.idents.has('ipcMain')).toBe(true);
    expect(facts.find((f) => f.rel === 'electron/preload/index.ts')!.idents.has('ipcRenderer')).toBe(true);
  });
});

describe('layer checker catches each kind of violation', () => {
  const bad: [string, string, RegExp][] = [
    ['electron/domain/x.ts', "import { app } from 'electron';", /imports 'electron'/],
    ['electron/domain/x.ts', "import type { T } from '../../renderer/src/api.ts';", /domain imports the renderer/],
    ['electron/db/x.ts', "const e = require('electron');", /imports 'electron'/],
    ['electron/web/x.ts', "const { shell } = await import('electron/main');", /imports 'electron'/],
    ['electron/jobs/x.ts', "export { app } from 'electron';", /imports 'electron'/],
    ['renderer/src/x.tsx', "import { contract } from '../../electron/api/contract.ts';", /not just types/],
    ['electron/db/x.ts', "import { isoIn } from '../domain/clock.ts';", /x\.ts: imports \.\.\/domain\/clock\.ts UP from db to domain/],
    ['electron/db/x.ts', "import type { BulkInsert } from '../domain/context.ts';", /UP from db to domain/],
    ['electron/domain/x.ts', "const m = await import('../excel/export/audit.ts');", /UP from domain to excel/],
    ['electron/excel/export/x.ts', "type J = typeof import('../../jobs/context.ts');", /UP from excel to jobs/],
    ['electron/shared/x.ts', "export { contract } from '../api/contract.ts';", /UP from shared to api/],
    ['electron/api/x.ts', "import { startWeb } from '../web/server.ts';", /UP from api to transports/],
    ['electron/web/x.ts', "import { runCli } from '../cli/run.ts';", /SIDEWAYS from electron\/web to electron\/cli/],
    ['electron/cli/x.ts', "import type { Paths } from '../main/paths.ts';", /SIDEWAYS from electron\/cli to electron\/main/],
    ['electron/main/x.ts', "import { serve } from '../web/main.ts';", /SIDEWAYS from electron\/main to electron\/web/],
    ['electron/server/x.ts', "import { runCli } from '../cli/run.ts';", /UP from server to transports/],
    ['electron/shared/x.ts', "import fs from 'node:fs';", /shared must stay pure/],
    ['electron/domain/x.ts', "import { run } from '../../scripts/bench.ts';", /on no floor/],
    ['electron/newfloor/x.ts', "export const a = 1;", /is on no floor/],
    ['renderer/src/x.tsx', "import { listResidents } from '../../electron/domain/residents-list.ts';", /not just types/],
    ['renderer/src/x.tsx', "import { type Channel } from '../../electron/api/contract.ts';", /not just types/],
    ['renderer/src/x.tsx', "import { ipcRenderer } from 'electron';", /renderer imports 'electron'/],
    ['electron/main/window.ts', "import * as e from 'electron'; e.ipcMain.handle('x', () => 1);", /uses ipcMain/],
    ['electron/main/x.ts', "import { ipcRenderer } from 'electron';", /uses ipcRenderer/],
  ];
  it.each(bad)('%s: %s', (rel, src, expected) => {
    const found = violations([analyze(rel, src)]);
    expect(found.some((v) => expected.test(v)), found.join('\n')).toBe(true);
  });

  it('accepts type-only imports, comments and strings that merely mention the names', () => {
    const ok = [
      analyze('renderer/src/a.ts', "import type { Channel } from '../../electron/api/contract.ts';\nexport type { X } from '../../electron/domain/x.ts';"),
      analyze('renderer/src/b.ts', "type R = typeof import('../../electron/api/dispatch.ts');"),
      analyze('electron/domain/c.ts', "// ipcMain and require('electron') are not used here\nconst s = 'ipcRenderer';"),
      analyze('electron/main/ipc.ts', "import { ipcMain } from 'electron';"),
      analyze('electron/preload/index.ts', "import { ipcRenderer } from 'electron';"),
      analyze('renderer/src/c.ts', "import { AppError } from '../../electron/shared/errors.ts';"),
      analyze('electron/cli/a.ts', "import { a } from '../db/open.ts';\nimport { b } from '../server/csp.ts';\nimport c from 'node:fs';"),
      analyze('electron/web/a.ts', "import { cspFor } from '../server/csp.ts';\nimport { dispatch } from '../api/dispatch.ts';"),
      analyze('electron/excel/a.ts', "import { x } from './b.ts';\nimport type { Db } from '../domain/context.ts';\nimport '../shared/errors.ts';"),
      analyze('electron/shared/a.ts', "import { z } from 'zod';\nimport { b } from './b.ts';"),
      analyze('scripts/a.ts', "import { dispatch } from '../electron/api/dispatch.ts';"),
    ];
    expect(violations(ok)).toEqual([]);
  });
});

describe('cycle checker', () => {
  const files = (src: Record<string, string>) => Object.entries(src).map(([rel, s]) => analyze(rel, s));

  it('finds a two-file cycle made of a type import and names both files and both imports', () => {
    const found = cycles(files({
      'electron/excel/run.ts': "import type { JobProgress } from '../jobs/context.ts';",
      'electron/jobs/context.ts': "import { run } from '../excel/run.ts';",
    }));
    expect(found).toEqual([
      'cycle of 2 files: electron/excel/run.ts ↔ electron/jobs/context.ts (electron/excel/run.ts → ../jobs/context.ts; electron/jobs/context.ts → ../excel/run.ts)',
    ]);
  });

  it('finds a three-file cycle through a dynamic import, a self-import, and reports each cycle apart', () => {
    const found = cycles(files({
      'electron/db/a.ts': "import { b } from './b.ts';",
      'electron/db/b.ts': "export { c } from './c';",
      'electron/db/c.ts': "const a = await import('./a.ts');",
      'electron/db/self.ts': "import { x } from './self.ts';",
      'electron/db/leaf.ts': "import { a } from './a.ts';",
    }));
    expect(found).toHaveLength(2);
    expect(found.find((c) => c.includes('3 files'))).toMatch(/electron\/db\/a\.ts ↔ electron\/db\/b\.ts ↔ electron\/db\/c\.ts/);
    expect(found.find((c) => c.includes('1 files'))).toMatch(/electron\/db\/self\.ts/);
  });

  it('sees no cycle in a chain or a diamond', () => {
    expect(cycles(files({
      'electron/db/a.ts': "import './b.ts'; import './c.ts';",
      'electron/db/b.ts': "import './d.ts';",
      'electron/db/c.ts': "import type { D } from './d.ts';",
      'electron/db/d.ts': "import fs from 'node:fs';",
    }))).toEqual([]);
  });
});

// The layering, enforced by a check instead of memory (style.md 2, 9): parses every source file with the
// TypeScript parser and refuses imports that cross a layer. A self-test proves the checker catches each violation.
import fs from 'node:fs';
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
const NODE_ONLY = ['electron/domain', 'electron/api', 'electron/excel', 'electron/jobs', 'electron/db', 'electron/cli', 'electron/web', 'electron/security'];

export function violations(files: FileFacts[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const imp of f.imports) {
      const to = target(f.rel, imp.spec);
      if (under(f.rel, 'electron/domain') && under(to, 'renderer')) out.push(`${f.rel}: domain imports the renderer (${imp.spec})`);
      if (NODE_ONLY.some((d) => under(f.rel, d)) && isElectronPkg(imp.spec)) out.push(`${f.rel}: imports 'electron' (${imp.spec})`);
      if (under(f.rel, 'renderer')) {
        if (isElectronPkg(imp.spec)) out.push(`${f.rel}: renderer imports 'electron'`);
        if (under(to, 'electron') && !under(to, 'electron/shared') && !imp.typeOnly) out.push(`${f.rel}: renderer imports electron/ code, not just types (${imp.spec})`);
      }
    }
    if (f.idents.has('ipcMain') && f.rel !== 'electron/main/ipc.ts') out.push(`${f.rel}: uses ipcMain (only electron/main/ipc.ts may)`);
    if (f.idents.has('ipcRenderer') && !under(f.rel, 'electron/preload')) out.push(`${f.rel}: uses ipcRenderer (only electron/preload/ may)`);
  }
  return out;
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

  it('has no layer violations', () => {
    expect(violations(facts)).toEqual([]);
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
    ];
    expect(violations(ok)).toEqual([]);
  });
});

// The renderer speaks through i18n (issue 12 part 6): no Chinese text in renderer/src outside renderer/src/i18n/.
// Parses every source file with the TypeScript parser, so comments are skipped and strings, template parts and JSX
// text are caught; names the file and line of each CJK literal. Two kinds are not text and stay: a string that is
// exactly one of the codes the core stores ('发热', '阴性', '密接'…: the values of the database's enum columns, read
// from the lists of electron/shared/enums.ts), and regular expressions that read Chinese input (full-width
// digits, 号楼). A self-test proves the scanner sees each kind.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as ENUMS from '../../electron/shared/enums.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'renderer', 'src');
const I18N = path.join(SRC, 'i18n');
/** CJK ideographs, CJK punctuation and full-width forms. */
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** The codes the core stores as Chinese words: every Chinese value of the shared rulebook's lists (shared/enums.ts). */
export function storedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const list of Object.values(ENUMS)) {
    if (Array.isArray(list)) for (const v of list) if (typeof v === 'string' && CJK.test(v)) codes.add(v);
  }
  return codes;
}

export interface CjkHit {
  line: number;
  text: string;
}

/** Every token of `src` outside comments whose text holds a CJK character, with its 1-based line. */
export function cjkLiterals(file: string, src: string, codes: ReadonlySet<string> = new Set()): CjkHit[] {
  const variant = file.endsWith('x') ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const sf = ts.createSourceFile(file, src, ts.ScriptTarget.Latest, true, variant === ts.LanguageVariant.JSX ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const hits: CjkHit[] = [];
  const visit = (node: ts.Node): void => {
    // Leaves only: string/template literals, JSX text, identifiers (a Chinese property name is a literal too).
    if (ts.isRegularExpressionLiteral(node)) return;
    if (ts.isStringLiteral(node) && codes.has(node.text)) return;
    if (node.getChildCount(sf) === 0 || ts.isStringLiteralLike(node) || ts.isJsxText(node)) {
      const text = node.getText(sf);
      if (CJK.test(text)) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        hits.push({ line, text: text.trim().slice(0, 60) });
        return;
      }
    }
    node.forEachChild(visit);
  };
  visit(sf);
  return hits;
}


function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (p !== I18N) out.push(...sourceFiles(p));
    } else if (/\.(ts|tsx)$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('renderer text goes through i18n', () => {
  it('the scanner finds CJK in strings, templates and JSX text, and not in comments, stored codes or patterns', () => {
    const src = [
      '// 注释不算',
      '/* 块注释 */',
      "const a = '隔离';",
      'const b = `第${n}天`;',
      'const c = <span title="标题">未报</span>;',
      "const d = { '发热': 1, 咳嗽: 2 };",
      "const e = 'plain';",
      "const f: '阴性' | '阳性' = '阴性';",
      'const g = /[０-９]/g;',
      "const h = '发热码';",
    ].join('\n');
    const codes = storedCodes();
    expect(codes).toContain('阴性');
    expect(codes).toContain('上报');
    expect([...new Set(cjkLiterals('x.tsx', src, codes).map((h) => h.line))]).toEqual([3, 4, 5, 6, 10]);
    expect([...new Set(cjkLiterals('x.tsx', src).map((h) => h.line))]).toEqual([3, 4, 5, 6, 8, 10]);
  });

  it('no Chinese literal in renderer/src outside i18n/', () => {
    const found: string[] = [];
    const codes = storedCodes();
    for (const f of sourceFiles(SRC)) {
      const rel = path.relative(ROOT, f).split(path.sep).join('/');
      const src = fs.readFileSync(f, 'utf8');
      for (const h of cjkLiterals(f, src, codes)) {
        found.push(`${rel}:${h.line}  ${h.text}`);
      }
    }
    expect(found, `Chinese text outside renderer/src/i18n (move it into an i18n key with its English):\n${found.join('\n')}`).toEqual([]);
  });
});

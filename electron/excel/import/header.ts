// Finds the header row of an upstream list: the first of the first 10 rows holding at least two known column names.
// Rows above it are titles (often merged, sometimes two rows); their text may name the community.
import { fail } from '../../shared/errors.ts';
import { cleanPlaceName } from '../../domain/places.ts';
import { isBlank } from '../read.ts';
import type { CellValue } from '../cell.ts';
import { headerKey } from './columns.ts';

export const HEADER_SEARCH_ROWS = 10;

export interface HeaderFound {
  /** 0-based index into the table's rows. */
  index: number;
  /** Text of the title rows above the header, each distinct cell once. */
  title: string;
}

export function findHeaderRow(rows: CellValue[][], known: Map<string, unknown>, labels: string): HeaderFound {
  for (let i = 0; i < Math.min(rows.length, HEADER_SEARCH_ROWS); i++) {
    const hits = new Set<unknown>();
    for (const c of rows[i]) {
      const f = known.get(headerKey(c));
      if (f !== undefined) hits.add(f);
    }
    if (hits.size >= 2) {
      const seen = new Set<string>();
      for (const r of rows.slice(0, i)) for (const c of r) if (!isBlank(c)) seen.add(String(c).trim());
      return { index: i, title: [...seen].join(' ') };
    }
  }
  throw fail('VALIDATION', 'import.noHeader', { rows: HEADER_SEARCH_ROWS, labels }, { details: { fileError: 'no-header' } });
}

/**
 * The community a title names, e.g. "广阳区解放道街道西大街社区居家隔离人员名单" → 西大街社区. Leading district and
 * subdistrict names (the office's own, and anything ending in 区/县/街道/镇/乡/办事处) are cut away.
 */
export function communityFromTitle(title: string, orgNames: string[] = []): string | null {
  let t = cleanPlaceName(title);
  for (const n of orgNames) if (n) t = t.split(cleanPlaceName(n)).join(' ');
  const m = [...t.matchAll(/([^\s]{1,30}?社区)/g)].map((x) => x[1]);
  for (const raw of m) {
    const name = raw.replace(/^.*(街道办事处|办事处|街道|[区县市镇乡])(?=[^区县市镇乡]{2,}社区$)/, '');
    if (name.length >= 3) return name;
  }
  return null;
}

/** "解放道街道办事处" → "解放道街道": the forms of a subdistrict's name compared as one. */
const subdistrictKey = (s: string) => cleanPlaceName(s).replace(/办事处$/, '');

/**
 * The subdistrict a title names when it is not the office's own (a list sent to the wrong office, or last
 * week's list from a neighbour): "广阳区新华街道居家隔离人员名单" with the office 解放道街道 → "新华街道". Null when the
 * title names none, or the office's own, or the office's name is not known.
 */
export function otherSubdistrictInTitle(title: string, ownSubdistrict: string | undefined): string | null {
  const own = ownSubdistrict ? subdistrictKey(ownSubdistrict) : '';
  if (!own) return null;
  const t = cleanPlaceName(title);
  if (t.includes(own)) return null;
  const m = /(?:^|[区县市])([^区县市\s]{2,12}?(?:街道|镇|乡))(?:办事处)?/.exec(t);
  return m ? m[1] : null;
}

// What a resident list may only do with the clerk's explicit say-so, and how it is asked for: a title naming another
// subdistrict, people whose isolation period is already over by today (a stale list), and communities that do not
// exist yet. The preview lists each with its consequence; the commit refuses (BLOCKED) until the request carries the
// choices. Rows naming a community not confirmed are rejected rows with the nearest existing names as a hint.
import { fail, type AppError } from '../../shared/errors.ts';
import { msg, renderMessage, type Message } from '../../shared/messages/index.ts';
import { cleanPlaceName } from '../../domain/places.ts';

export type StaleChoice = 'import-ended' | 'import-active';

/** The clerk's explicit choices (wizard: the confirmation card; CLI: --other-subdistrict, --stale, --create-communities). */
export interface ImportConfirm {
  /**
   * New communities to create, by name as the preview lists them ('all': every one the list names — the CLI's
   * --create-communities); rows naming any other unknown community are rejected.
   */
  createCommunities?: string[] | 'all';
  /** People whose period ended before today: written as released at their computed end, or as still isolating. */
  stale?: StaleChoice;
  /** The list's title names another subdistrict, and the clerk has checked it is meant for this office. */
  otherSubdistrict?: boolean;
}

/** One person whose home isolation, started as the list says, has its last day before today. */
export interface StaleRow {
  row: number;
  name: string;
  startDate: string;
  lastDay: string;
  releaseDate: string;
}

export interface StaleSummary {
  count: number;
  earliestStart: string;
  latestLastDay: string;
  /** The first rows, for the preview (the count is of all). */
  rows: StaleRow[];
}

export interface NewCommunity {
  name: string;
  /** Rows of the list naming it. */
  rows: number;
  /** Existing communities with the closest names (a typo is likelier than a new community). */
  nearest: string[];
  /** Created on import (the request's createCommunities names it). */
  confirmed: boolean;
}

/** What the preview shows to be confirmed; the commit refuses while `pending` is not empty. */
export interface ImportConfirmations {
  otherSubdistrict: { named: string; own: string } | null;
  stale: StaleSummary | null;
  newCommunities: NewCommunity[];
  /** The choices still missing: 'otherSubdistrict', 'stale'. */
  pending: ('otherSubdistrict' | 'stale')[];
}

const STALE_SHOWN = 20;

export function summariseStale(rows: StaleRow[]): StaleSummary | null {
  if (!rows.length) return null;
  let earliestStart = rows[0].startDate;
  let latestLastDay = rows[0].lastDay;
  for (const r of rows) {
    if (r.startDate < earliestStart) earliestStart = r.startDate;
    if (r.lastDay > latestLastDay) latestLastDay = r.lastDay;
  }
  return { count: rows.length, earliestStart, latestLastDay, rows: [...rows].sort((a, b) => a.row - b.row).slice(0, STALE_SHOWN) };
}

/** Edit distance between two short names (Levenshtein over code points). */
function distance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

const stem = (s: string) => cleanPlaceName(s).replace(/(社区|居委会|村委会|村)$/, '');

/**
 * Up to `max` existing names closest to `name`: by edit distance of the names without their 社区 suffix, then by
 * characters shared; only names sharing at least half the characters of that stem (西大街 for 南大街, not 银河南路).
 */
export function nearestNames(name: string, existing: Iterable<string>, max = 3): string[] {
  const s = stem(name);
  const chars = new Set(s);
  const scored: { name: string; d: number; shared: number }[] = [];
  for (const e of existing) {
    const t = stem(e);
    const shared = new Set([...t].filter((c) => chars.has(c))).size;
    if (shared === 0 || shared < Math.ceil(chars.size / 2)) continue;
    scored.push({ name: e, d: distance(s, t), shared });
  }
  scored.sort((a, b) => a.d - b.d || b.shared - a.shared || a.name.localeCompare(b.name, 'zh-CN'));
  return scored.slice(0, max).map((x) => x.name);
}

/** The reason a row naming an unknown community is rejected, with the hint. */
export function unknownCommunityReason(name: string, nearest: string[]): string {
  const hint = nearest.length ? `相近的已有社区：${nearest.join('、')}。` : '系统中没有名称相近的社区。';
  return `系统中没有“${name}”。${hint}如是名称写错，请改正后重新导入；如确属本街道新的社区，请在导入时确认新建`;
}

export function staleConsequence(s: StaleSummary, today: string): string {
  return renderMessage('zh', 'import.stale', staleParams(s, today));
}

const staleParams = (s: StaleSummary, today: string) => ({ count: s.count, today, earliest: s.earliestStart, latest: s.latestLastDay });

/** The commit's refusal while a choice is missing: what each would do, in one message (details name the missing choices). */
export function confirmationRequired(c: ImportConfirmations, today: string): AppError {
  const parts: Message[] = [];
  if (c.pending.includes('otherSubdistrict') && c.otherSubdistrict) {
    parts.push(msg('import.otherSubdistrict', { named: c.otherSubdistrict.named, own: c.otherSubdistrict.own }));
  }
  if (c.pending.includes('stale') && c.stale) parts.push(msg('import.stale', staleParams(c.stale, today)));
  const created = c.newCommunities.filter((n) => n.confirmed);
  if (created.length) parts.push(msg('import.newCommunities', { list: created.map((n) => `${n.name}（${n.rows} 行）`).join('、') }));
  const items = parts.map((p, i) => msg('import.numbered', { n: '①②③④'[i]!, text: p }));
  return fail('BLOCKED', 'import.confirmFirst', { items }, { details: { confirmationRequired: c.pending, confirmations: c } });
}

/** The communities the request agrees to create (names cleaned as places are stored). */
export function confirmedNames(confirm: ImportConfirm | undefined): { has: (name: string) => boolean } {
  if (confirm?.createCommunities === 'all') return { has: () => true };
  return new Set((confirm?.createCommunities ?? []).map((n) => cleanPlaceName(n)).filter(Boolean));
}

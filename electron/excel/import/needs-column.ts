// The 特殊需求 / 特殊人群 column of a resident list: one cell, several needs separated by 、 , ， ; ； / or spaces, in the
// words lists use (独居老人, 孕妇, 透析, 残疾人 …); 其他 carries its note after a colon or in brackets (其他：需要轮椅).
// A word that is none of the closed list's is a row error: nothing is guessed.
import { NEEDS, type Need } from '../../shared/enums.ts';
import { NEED_NOTE_MAX, type NeedFlag } from '../../domain/needs.ts';
import type { CellValue } from '../cell.ts';
import { cellText } from './normalise.ts';

const NEED_WORDS: [RegExp, Need][] = [
  [/^(独居老人|独居|空巢老人|独居空巢老人|孤寡老人|空巢)$/, '独居老人'],
  [/^(行动不便|卧床|长期卧床|失能|半失能|轮椅)$/, '行动不便'],
  [/^(孕产妇|孕妇|产妇|孕期|哺乳期)$/, '孕产妇'],
  [/^(婴幼儿|婴儿|幼儿|新生儿)$/, '婴幼儿'],
  [/^(慢性病长期用药|慢性病|慢病|长期用药|慢性病用药)$/, '慢性病长期用药'],
  [/^(定期就医|定期就医透析\/化疗|定期就医透析化疗|透析|血液透析|化疗|放疗|定期透析|定期化疗)$/, '定期就医'],
  [/^(残疾|残疾人|残障)$/, '残疾'],
  [/^其他$/, '其他'],
];

export type NeedsCell = { ok: true; needs: NeedFlag[] } | { ok: false; reason: string; code: 'needs-unknown' | 'needs-other-note' | 'needs-note-long' };

/** A cell of the column → the flags ('' → none); an unreadable word → the reason, in Chinese. */
export function parseNeedsCell(v: CellValue | undefined): NeedsCell {
  const text = cellText(v);
  const out = new Map<Need, string | null>();
  // 其他 with its note first: the note may itself hold separators.
  const other = text.match(/其他\s*[:：(（]\s*([^)）]*)[)）]?\s*$/);
  let rest = text;
  if (other) {
    const note = other[1].trim();
    if (note.length > NEED_NOTE_MAX) return { ok: false, code: 'needs-note-long', reason: `“其他”的说明过长（最多${NEED_NOTE_MAX}字）` };
    if (note) out.set('其他', note);
    rest = text.slice(0, other.index);
  }
  for (const raw of rest.split(/[、,，;；/\s]+/)) {
    const word = raw.replace(/[()（）]/g, '').trim();
    if (!word) continue;
    const hit = NEED_WORDS.find(([re]) => re.test(word));
    if (!hit) {
      return { ok: false, code: 'needs-unknown', reason: `特殊需求“${word}”无法识别，应为 ${NEEDS.join('、')} 之一（多项用“、”或“，”分隔；其他需求写成“其他：说明”）` };
    }
    if (!out.has(hit[1])) out.set(hit[1], null);
  }
  if (out.has('其他') && !out.get('其他')) return { ok: false, code: 'needs-other-note', reason: '特殊需求写了“其他”但没有说明，请写成“其他：需要轮椅”这样的格式' };
  return { ok: true, needs: NEEDS.filter((n) => out.has(n)).map((need) => ({ need, note: out.get(need) ?? null })) };
}

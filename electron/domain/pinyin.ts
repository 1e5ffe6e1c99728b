// Pinyin of a name for search: "zs" (initials) or "zhangsan" finds 张三.
import { pinyin } from 'pinyin-pro';

// pinyin-pro costs ~0.1 ms a call; a list of 50,000 people repeats many names, so each distinct name is converted
// once. Bounded: cleared when full (a name's pinyin never changes, so a miss only costs time).
const MEMO_MAX = 100_000;
const memo = new Map<string, { full: string; initials: string }>();

export function namePinyin(name: string): { full: string; initials: string } {
  let r = memo.get(name);
  if (r) return { full: r.full, initials: r.initials };
  const syllables = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true, surname: 'head' }) as string[];
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''));
  r = { full: clean.join(''), initials: clean.map((s) => s[0] ?? '').join('') };
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(name, r);
  return { full: r.full, initials: r.initials };
}

// Pinyin of a name for search: "zs" (initials) or "zhangsan" finds 张三.
import { pinyin } from 'pinyin-pro';

export function namePinyin(name: string): { full: string; initials: string } {
  const syllables = pinyin(name, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true, surname: 'head' }) as string[];
  const clean = syllables.map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return { full: clean.join(''), initials: clean.map((s) => s[0] ?? '').join('') };
}

// Instant feedback while a resident ID number (居民身份证号, GB 11643-1999) is typed: normalise, check the birth date
// and the ISO 7064 MOD 11-2 check character, and read sex and birth date. The server (electron/domain/idcard.ts)
// stays authoritative; test/unit/renderer-idcard.test.ts runs both on thousands of numbers so they cannot drift.
export type IdCheck = { ok: true; number: string; birthDate: string; sex: 'M' | 'F'; upgraded: boolean } | { ok: false; reason: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** `today` ('YYYY-MM-DD', the server's today from auth.me) bounds the birth date. */
export function checkIdNumber(raw: string, today: string): IdCheck {
  // Full-width digits/letters and ideographic spaces, as pasted from Chinese documents.
  const half = String(raw)
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
  const s = half.replace(/[\s-]/g, '').toUpperCase();
  if (s === '') return { ok: false, reason: '身份证号为空' };
  let n = s;
  let upgraded = false;
  if (/^\d{15}$/.test(s)) {
    const first17 = s.slice(0, 6) + '19' + s.slice(6);
    n = first17 + checkChar(first17);
    upgraded = true;
  } else if (!/^\d{17}[\dX]$/.test(s)) {
    if (/^\d+(\.\d+)?E\+?\d+$/i.test(s)) return { ok: false, reason: '身份证号被存成了科学计数法，后几位已丢失，请在原表中把该列设为文本后重新填写' };
    return { ok: false, reason: `身份证号应为18位（或15位旧号），实际为${s.length}位` };
  }
  const birth = `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`;
  if (!isIsoDate(birth)) return { ok: false, reason: `身份证号中的出生日期 ${birth} 不存在` };
  if (birth > today) return { ok: false, reason: `身份证号中的出生日期 ${birth} 晚于今天` };
  if (birth < '1890-01-01') return { ok: false, reason: `身份证号中的出生日期 ${birth} 不合理` };
  if (!upgraded && checkChar(n.slice(0, 17)) !== n[17]) return { ok: false, reason: '身份证号校验位不正确，请核对号码' };
  return { ok: true, number: n, birthDate: birth, sex: Number(n[16]) % 2 === 1 ? 'M' : 'F', upgraded };
}

// Identity documents and masking, one copy for the domain, the import and the renderer's as-you-type check. Only the
// resident ID number (GB 11643-1999) is validated digit by digit; other types are kept as typed.
import { renderMessage, type Message, type Params } from './messages/index.ts';
import type { Sex } from './enums.ts';
import { isIsoDate } from './dates.ts';

type IdProblemKey = 'idcard.empty' | 'idcard.scientific' | 'idcard.length' | 'idcard.birthMissing' | 'idcard.birthFuture' | 'idcard.birthOld' | 'idcard.checkDigit';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** Full-width digits/letters to half-width, spaces (incl. ideographic) removed. */
export function toHalfWidth(s: string): string {
  // Most text has nothing to convert: skip the two rewrites (imports call this for every cell).
  if (!/[\uFF01-\uFF5E\u3000]/.test(s)) return s;
  return s.replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

export function checkChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export type IdCheck =
  | { ok: true; number: string; birthDate: string; sex: Sex; upgraded: boolean }
  | { ok: false; /** What is wrong, as a catalog message (the interface language's words) … */ problem: Message; /** … and its Chinese text (import reports, logs). */ reason: string };

function bad(key: IdProblemKey, params?: Params): IdCheck {
  const problem: Message = params ? { key, params } : { key };
  return { ok: false, problem, reason: renderMessage('zh', key, params) };
}

/**
 * Validates and normalises a resident ID number. `today` bounds the birth date.
 * Accepts lowercase x, full-width digits and spaces; upgrades 15-digit legacy numbers.
 */
export function checkIdNumber(raw: string, today: string): IdCheck {
  const s = toHalfWidth(String(raw)).replace(/[\s-]/g, '').toUpperCase();
  if (s === '') return bad('idcard.empty');
  let n = s;
  let upgraded = false;
  if (/^\d{15}$/.test(s)) {
    const first17 = s.slice(0, 6) + '19' + s.slice(6);
    n = first17 + checkChar(first17);
    upgraded = true;
  } else if (!/^\d{17}[\dX]$/.test(s)) {
    if (/^\d+(\.\d+)?E\+?\d+$/i.test(s)) return bad('idcard.scientific');
    return bad('idcard.length', { length: s.length });
  }
  const birth = `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`;
  if (!isIsoDate(birth)) return bad('idcard.birthMissing', { birth });
  if (birth > today) return bad('idcard.birthFuture', { birth });
  if (birth < '1890-01-01') return bad('idcard.birthOld', { birth });
  if (!upgraded && checkChar(n.slice(0, 17)) !== n[17]) return bad('idcard.checkDigit');
  const sex: Sex = Number(n[16]) % 2 === 1 ? 'M' : 'F';
  return { ok: true, number: n, birthDate: birth, sex, upgraded };
}

/** Other documents: trimmed, half-width, upper case, inner spaces removed. */
export function normaliseOtherDocument(raw: string): string {
  return toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
}

export type PhoneCheck = { phone: string | null; warning?: string };

/** Mobile numbers: 1[3-9] + 9 digits after stripping +86, spaces and dashes. Anything else is kept with a warning. */
export function checkPhone(raw: string | null | undefined): PhoneCheck {
  if (raw == null || String(raw).trim() === '') return { phone: null, warning: '未填写联系电话' };
  let s = toHalfWidth(String(raw)).replace(/[\s\-()（）]/g, '');
  s = s.replace(/^(\+?86)(?=1\d{10}$)/, '');
  if (/^1[3-9]\d{9}$/.test(s)) return { phone: s };
  return { phone: s, warning: `联系电话 ${s} 不是常见的手机号码，请核实` };
}

/** 131002********123X: first 6 and last 4 kept. */
export function maskIdNumber(n: string | null | undefined): string | null {
  if (!n) return n ?? null;
  if (n.length <= 10) return n.slice(0, 2) + '*'.repeat(Math.max(0, n.length - 4)) + n.slice(-2);
  return n.slice(0, 6) + '*'.repeat(n.length - 10) + n.slice(-4);
}

/**
 * 1985-**-**: the year only. A resident ID number's hidden 8 digits are exactly the birth date, so the birth date is
 * masked with the number and revealed with it (residents.reveal 'docNumber').
 */
export function maskBirthDate(d: string | null | undefined): string | null {
  if (!d) return d ?? null;
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d.slice(0, 4)}-**-**` : '****-**-**';
}

/** 138****5678: first 3 and last 4 kept. */
export function maskPhone(p: string | null | undefined): string | null {
  if (!p) return p ?? null;
  if (p.length < 8) return p.slice(0, 1) + '*'.repeat(Math.max(0, p.length - 2)) + p.slice(-1);
  return p.slice(0, 3) + '*'.repeat(p.length - 7) + p.slice(-4);
}

const PERSONAL_KEYS: Record<string, (v: string) => string | null> = {
  docNumber: maskIdNumber,
  idNumber: maskIdNumber,
  phone: maskPhone,
  birthDate: maskBirthDate,
};

/** Masks ID numbers, birth dates and phones wherever they sit in a stored object (audit details: before/after, extra). */
export function maskDetails(v: unknown, key?: string): unknown {
  if (typeof v === 'string') return key && PERSONAL_KEYS[key] ? PERSONAL_KEYS[key](v) : v;
  if (Array.isArray(v)) return v.map((x) => maskDetails(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDetails(x, k)]));
  return v;
}

/** Builds a valid ID number from area, birth date and sequence (seed data and tests). */
export function makeIdNumber(area: string, birthDate: string, seq: number): string {
  const first17 = area + birthDate.replace(/-/g, '') + String(seq).padStart(3, '0');
  return first17 + checkChar(first17);
}

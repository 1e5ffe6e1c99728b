// The renderer's as-you-type ID check (renderer/src/lib/idcard.ts) must answer exactly as the server's
// (electron/domain/idcard.ts) — same verdict, number, sex, birth date and message — on valid and damaged numbers.
import { describe, expect, it } from 'vitest';
import { checkIdNumber as serverCheck, makeIdNumber } from '../../electron/domain/idcard.ts';
import { checkIdNumber as rendererCheck } from '../../renderer/src/lib/idcard.ts';
import { addDays } from '../../electron/domain/dates.ts';

const TODAY = '2022-01-20';

/** Small deterministic PRNG (mulberry32) so a failure names a reproducible input. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samples(count: number): string[] {
  const r = rng(20220120);
  const pick = (n: number) => Math.floor(r() * n);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const area = String(110000 + pick(540000)).padStart(6, '0');
    // Births from 1885 (too old) to a few days after today (future): the edges must agree too.
    const birth = addDays('1885-01-01', pick(50_000));
    let n = makeIdNumber(area, birth, pick(1000));
    switch (i % 10) {
      case 0: // wrong check character
        n = n.slice(0, 17) + (n[17] === '0' ? '1' : '0');
        break;
      case 1: // one digit of the body changed
        {
          const k = pick(17);
          n = n.slice(0, k) + String((Number(n[k]) + 1 + pick(8)) % 10) + n.slice(k + 1);
        }
        break;
      case 2: // lowercase x, spaces, full-width digits
        n = n.toLowerCase().replace(/(\d{6})(\d{8})/, '$1 $2 ').replace(/\d/g, (d) => (r() < 0.3 ? String.fromCharCode(0xff10 + Number(d)) : d));
        break;
      case 3: // legacy 15-digit number
        n = area + birth.slice(2).replace(/-/g, '') + String(pick(1000)).padStart(3, '0');
        break;
      case 4: // truncated / too long
        n = r() < 0.5 ? n.slice(0, 5 + pick(12)) : n + String(pick(10));
        break;
      case 5: // impossible month/day
        n = n.slice(0, 10) + String(pick(100)).padStart(2, '0') + String(pick(100)).padStart(2, '0') + n.slice(14);
        break;
      case 6: // Excel scientific notation, dashes, empty
        n = [`${n.slice(0, 1)}.${n.slice(1, 12)}E+17`, `${n.slice(0, 6)}-${n.slice(6)}`, '', '   '][pick(4)];
        break;
      default:
        break; // valid as generated (or future/too old by birth date)
    }
    out.push(n);
  }
  return out;
}

describe('renderer ID number check', () => {
  it('agrees with the server on 2,000 generated numbers, valid and damaged', () => {
    const inputs = samples(2000);
    let ok = 0;
    let bad = 0;
    for (const s of inputs) {
      const server = serverCheck(s, TODAY);
      expect(rendererCheck(s, TODAY), `input ${JSON.stringify(s)}`).toEqual(server);
      if (server.ok) ok++;
      else bad++;
    }
    // Both outcomes are well represented, so agreement is not trivially on one side.
    expect(ok).toBeGreaterThan(400);
    expect(bad).toBeGreaterThan(400);
  });

  it('reads sex and birth date and rejects a wrong check character', () => {
    const n = makeIdNumber('131002', '1990-05-17', 123);
    expect(rendererCheck(n, TODAY)).toEqual({ ok: true, number: n, birthDate: '1990-05-17', sex: 'M', upgraded: false });
    const wrong = n.slice(0, 17) + (n[17] === '1' ? '2' : '1');
    expect(rendererCheck(wrong, TODAY)).toEqual({ ok: false, reason: '身份证号校验位不正确，请核对号码' });
    expect(rendererCheck(makeIdNumber('131002', addDays(TODAY, 1), 2), TODAY).ok).toBe(false);
  });
});

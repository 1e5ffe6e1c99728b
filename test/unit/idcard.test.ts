import { describe, expect, it } from 'vitest';
import { checkIdNumber, checkPhone, makeIdNumber, maskIdNumber, maskPhone, checkChar } from '../../electron/shared/idcard.ts';

const TODAY = '2022-01-20';

describe('resident ID number (GB 11643-1999)', () => {
  const valid = '11010519491231002X';
  it.each([
    ['valid with X', valid, { ok: true, number: valid, birthDate: '1949-12-31', sex: 'F' }],
    ['lowercase x accepted and upper-cased', '11010519491231002x', { ok: true, number: valid }],
    ['full-width digits and spaces normalised', '１１０１０５ １９４９１２３１ ００２ｘ', { ok: true, number: valid }],
    ['a male (odd 17th digit)', makeIdNumber('131002', '1990-01-12', 13), { ok: true, sex: 'M', birthDate: '1990-01-12' }],
  ])('%s', (_label, input, expected) => {
    expect(checkIdNumber(input, TODAY)).toMatchObject(expected);
  });

  it('rejects a wrong check character', () => {
    const r = checkIdNumber('110105194912310021', TODAY);
    expect(r).toEqual({ ok: false, problem: { key: 'idcard.checkDigit' }, reason: expect.stringContaining('校验位') });
  });

  it('rejects an impossible birth date (1990-02-30)', () => {
    const first17 = '131002' + '19900230' + '123';
    const r = checkIdNumber(first17 + checkChar(first17), TODAY);
    expect(r).toEqual({ ok: false, problem: { key: 'idcard.birthMissing', params: { birth: '1990-02-30' } }, reason: expect.stringContaining('1990-02-30') });
  });

  it('rejects a future birth date', () => {
    const n = makeIdNumber('131002', '2023-05-01', 12);
    expect(checkIdNumber(n, TODAY)).toEqual({ ok: false, problem: { key: 'idcard.birthFuture', params: { birth: '2023-05-01' } }, reason: expect.stringContaining('晚于今天') });
  });

  it('upgrades a 15-digit legacy number', () => {
    const r = checkIdNumber('131002800101123', TODAY);
    expect(r).toMatchObject({ ok: true, upgraded: true, birthDate: '1980-01-01', sex: 'M' });
    if (r.ok) {
      expect(r.number).toHaveLength(18);
      expect(r.number.slice(0, 17)).toBe('13100219800101123');
      expect(r.number[17]).toBe(checkChar(r.number.slice(0, 17)));
    }
  });

  it('says the digits are lost for scientific notation', () => {
    expect(checkIdNumber('1.31002E+17', TODAY)).toEqual({ ok: false, problem: { key: 'idcard.scientific' }, reason: expect.stringContaining('科学计数法') });
  });

  it('rejects wrong lengths', () => {
    expect(checkIdNumber('12345', TODAY).ok).toBe(false);
  });
});

describe('phones and masking', () => {
  it('normalises mobile numbers and warns on others', () => {
    expect(checkPhone('+86 138-0013-8000')).toEqual({ phone: '13800138000' });
    expect(checkPhone('0316-2345678')).toMatchObject({ phone: '03162345678', warning: expect.stringContaining('不是常见的手机号码') });
    expect(checkPhone('')).toMatchObject({ phone: null, warning: expect.any(String) });
    expect(checkPhone('12800138000').warning).toBeTruthy();
  });
  it('masks first 6 + last 4 of an ID and first 3 + last 4 of a phone', () => {
    expect(maskIdNumber('13100219900112123X')).toBe('131002********123X');
    expect(maskPhone('13800135678')).toBe('138****5678');
  });
});

describe('the ID-number problem in the interface language', () => {
  it('carries a catalog message that reads in English as well as Chinese', async () => {
    const { renderMessage } = await import('../../electron/shared/messages/index.ts');
    const r = checkIdNumber('11010519491231', TODAY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem).toEqual({ key: 'idcard.length', params: { length: 14 } });
    expect(renderMessage('en', r.problem.key, r.problem.params)).toBe('An ID number has 18 digits (or 15 for an old one); this one has 14');
    expect(r.reason).toBe(renderMessage('zh', r.problem.key, r.problem.params));
  });
});

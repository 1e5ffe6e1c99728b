// Every channel validates its input before anything runs: malformed input is refused and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { channels } from '../../electron/api/contract.ts';

let t: TestEnv;
let admin: string;

async function snapshot() {
  const tables = t.handle.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const out: Record<string, number> = {};
  for (const name of tables) out[name] = (t.handle.sqlite.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n;
  out.__changes = (t.handle.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return out;
}

beforeAll(async () => {
  t = await makeEnv();
  admin = await t.login('admin');
});
afterAll(() => t.close());

describe('API input validation', () => {
  const malformed: [string, unknown][] = [
    ['an unknown field', { __bogus: 1 }],
    ['a string', 'DROP TABLE residents'],
    ['an array', [1, 2, 3]],
    ['a number', 42],
  ];
  it.each(channels.map((c) => [c]))('%s rejects malformed input with nothing written', async (channel) => {
    for (const [, input] of malformed) {
      const before = await snapshot();
      const r = await t.dispatch(channel, input, admin);
      expect(r.ok, `${channel} accepted ${JSON.stringify(input)}`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('VALIDATION');
        expect(r.error.message).toMatch(/输入不正确/);
      }
      expect(await snapshot()).toEqual(before);
    }
  });

  it('an unknown channel is refused', async () => {
    const r = await t.dispatch('residents.dropAll', {}, admin);
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('a missing permission is refused before the handler runs', async () => {
    const official = await t.login('official');
    const before = await snapshot();
    const r = await t.dispatch('places.createCommunity', { name: '新社区' }, official);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await snapshot()).toEqual(before);
  });
});

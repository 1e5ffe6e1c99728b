// Every channel validates its input before anything runs: malformed input is refused and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { channels, contract } from '../../electron/api/contract.ts';
import { call } from '../../electron/api/dispatch.ts';
import { can } from '../../electron/domain/actor.ts';

let t: TestEnv;
let admin: string;
/** A cadre's session: the channels of their own tasks are theirs alone (an admin is refused them before validation). */
let cadre: string;

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
  const clerk = await t.login('clerk');
  const cadreId = (await call(t.env, 'cadres.create', { name: '吴干部', homeUnit: '市住建局', phone: '13922223333', communityId: t.communities.a }, clerk)).id;
  await call(t.env, 'users.create', { username: 'cadre1', displayName: '吴干部', role: 'cadre', cadreId, password: 'demo1234' }, admin);
  cadre = await t.login('cadre1');
});

/** A session allowed to call the channel (its permission checked before its input). */
function sessionFor(channel: (typeof channels)[number]): string {
  const access = contract[channel].access;
  if (access === 'public' || access === 'session') return admin;
  return can(t.env.sessions.get(admin)!.actor, access) ? admin : cadre;
}
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
      const r = await t.dispatch(channel, input, sessionFor(channel));
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

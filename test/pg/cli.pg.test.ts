// The CLI with --db postgres://…: init builds the schema in an empty database (made by its administrator) and sets the
// names, a second init changes nothing, seed-demo fills it (counters equal to a recount, id sequences past the seeded
// ids), stats reads it in read-only transactions; the password never appears in any output; a missing database, a
// non-empty one for seed-demo and --encrypt are refused with the reason and nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { latestVersion } from '../../electron/db/migrations/index.ts';
import { openPostgres } from '../../electron/db/postgres.ts';
import { checkCountersPg } from '../../electron/db/pg/counters.ts';
import { cliHidingPassword } from '../helpers/pg-cli.ts';
import { adminQuery, pgDatabaseUrl } from '../helpers/pg-db.ts';

const NAME = `idesk_cli${process.pid}`;
let url: string;
let password: string;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${NAME}`);
  url = pgDatabaseUrl(NAME);
  password = decodeURIComponent(new URL(url).password);
});

afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
});

const cli = (...argv: string[]) => cliHidingPassword(password, argv);

describe('CLI on PostgreSQL', () => {
  it('init builds the schema and sets the names; again, it changes nothing', async () => {
    const r = await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '解放道街道', '--json');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, engine: 'postgres', created: true, schemaVersion: latestVersion, district: '广阳区', subdistrict: '解放道街道', placeholder: false });
    const again = await cli('init', '--db', url);
    expect(again.code).toBe(0);
    expect(again.text).toContain(`已是当前版本（${latestVersion}）`);
    expect(again.text).toContain('区：广阳区　街道：解放道街道');
  });

  it('seed-demo fills it; counters equal a recount; stats counts what is there', async () => {
    const r = await cli('seed-demo', '--db', url, '--residents', '500', '--today', '2022-01-20', '--json');
    expect(r.code, r.text).toBe(0);
    const counts = (r.json as { counts: Record<string, number> }).counts;
    expect(counts.residents).toBe(500);
    const h = await openPostgres(url);
    try {
      expect(await checkCountersPg(h.db)).toEqual([]);
      // The field work (issue 14) is there, as the seed counted it: 包联组, roster, visits, needs, schedules, a round.
      const rows = async (table: 'cadreGroups' | 'cadreShifts' | 'doorVisits' | 'residentNeeds' | 'needSchedules' | 'testRounds' | 'roundExemptions') =>
        Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      for (const t of ['cadreGroups', 'cadreShifts', 'doorVisits', 'residentNeeds', 'needSchedules', 'testRounds', 'roundExemptions'] as const) {
        expect(await rows(t), t).toBe(counts[t]);
        expect(counts[t], t).toBeGreaterThan(0);
      }
      const roundTests = Number((await h.db.selectFrom('tests').where('roundId', 'is not', null).where('episodeId', 'is', null).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(roundTests).toBeGreaterThan(0);
      expect(roundTests).toBeLessThanOrEqual((r.json as { roundTests: number }).roundTests);
      expect(await h.db.selectFrom('users').where('username', '=', 'cadre').select('cadreId').executeTakeFirst()).toMatchObject({ cadreId: expect.any(Number) });
      // A plain INSERT after the seed's own ids gets a fresh one.
      const { id } = await h.db.insertInto('importBatches').values({ kind: 'residents', fileName: 'x', userName: 'x', at: 'x', counts: '{}' }).returning('id').executeTakeFirstOrThrow();
      expect(id).toBeGreaterThan(0);
      const s = await cli('stats', '--db', url, '--json');
      expect(s.code).toBe(0);
      const n = async (table: 'residents' | 'households' | 'checkins' | 'cadres' | 'supplyRequests') =>
        Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(s.json).toMatchObject({
        ok: true,
        residents: await n('residents'),
        households: await n('households'),
        checkins: await n('checkins'),
        cadres: await n('cadres'),
        supplyRequests: await n('supplyRequests'),
      });
      expect((s.json as { file: string }).file).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\//);
      const text = await cli('stats', '--db', url);
      expect(text.text).toContain(`居民 ${counts.residents} 人`);
    } finally {
      await h.close();
    }
  });

  it('refuses a second seed, --encrypt, and a database that does not exist — with the reason, nothing written', async () => {
    const h = await openPostgres(url);
    const before = Number((await h.db.selectFrom('residents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    try {
      const again = await cli('seed-demo', '--db', url, '--residents', '10');
      expect(again.code).not.toBe(0);
      const enc = await cli('seed-demo', '--db', url, '--residents', '10', '--encrypt');
      expect(enc.code).toBe(2);
      expect(enc.text).toContain('--encrypt 只适用于 SQLite 数据库文件');
      const initEnc = await cli('init', '--db', url, '--encrypt');
      expect(initEnc.code).toBe(2);
      expect(Number((await h.db.selectFrom('residents').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(before);
      const missing = await cli('stats', '--db', pgDatabaseUrl(`${NAME}_nope`));
      expect(missing.code).toBe(2);
      expect(missing.text).toMatch(/无法连接 PostgreSQL 数据库 .*does not exist/);
    } finally {
      await h.close();
    }
  });

  it('verify: sound after the seed; a drifted counter and a quietly edited audit row make it unsound (exit 1)', async () => {
    const good = await cli('verify', '--db', url);
    expect(good.code, good.text).toBe(0);
    expect(good.text).toMatch(/审计链：完好，共 \d+ 条.*保护触发器齐全/);
    expect(good.text).toContain('结论：数据库完好。');
    const h = await openPostgres(url);
    try {
      await h.db.updateTable('checkinCounts').set((eb) => ({ done: eb('done', '+', 1) })).where('day', '=', (eb) => eb.selectFrom('checkinCounts').select((x) => x.fn.max('day').as('d'))).execute();
      const drift = await cli('verify', '--db', url, '--json');
      expect(drift.code).toBe(1);
      expect(JSON.stringify(drift.json)).toContain('统计计数与原始记录有');
      expect((await cli('init', '--db', url)).text).toContain('已按原始记录重新计算');
      expect((await cli('verify', '--db', url)).code).toBe(0);
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`.execute(h.db);
      await sql`UPDATE audit_log SET user_name = 'someone' WHERE id = (SELECT min(id) FROM audit_log)`.execute(h.db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`.execute(h.db);
      const bad = await cli('verify', '--db', url);
      expect(bad.code).toBe(1);
      expect(bad.text).toMatch(/审计链：第 \d+ 条起校验未通过/);
    } finally {
      await h.close();
    }
  });
});

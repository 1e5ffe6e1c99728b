// The demo seeder: a small subdistrict seeded with a fixed "today", checked against the domain's own rules —
// valid ID numbers, denormalised resident columns, release and test rules, alerts for abnormal check-ins,
// supply workflows, demo accounts that can log in with the right scope — and determinism for a given seed.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { checkIdNumber, checkPhone } from '../../electron/shared/idcard.ts';
import { login } from '../../electron/domain/users.ts';
import { namePinyin } from '../../electron/domain/pinyin.ts';
import { listResidents } from '../../electron/domain/residents-list.ts';
import { releaseBlockers } from '../../electron/domain/episodes-release.ts';
import { abnormalReasons } from '../../electron/domain/checkins.ts';
import { canTransition } from '../../electron/domain/supplyRules.ts';
import { apportion } from '../../electron/cli/seed/index.ts';
import { CADRE_UNITS, COMMUNITIES } from '../../electron/cli/seed/tables.ts';
import { tempDir } from '../helpers/env.ts';

const TODAY = '2022-01-20';
const NOW = '2022-01-20T15:00:00+08:00';
const dir = tempDir('idesk-seed-');
const file = path.join(dir, 'demo.db');
let seedJson: any;
let handle: DbHandle;
let raw: SqliteDatabase.Database;
let ctx: Ctx;

const all = (sql: string, ...p: unknown[]) => raw.prepare(sql).all(...p) as any[];
const one = (sql: string, ...p: unknown[]) => raw.prepare(sql).pluck().get(...p) as any;

beforeAll(async () => {
  const r = await runCli(['seed-demo', '--db', file, '--residents', '300', '--today', TODAY, '--seed', '7', '--json']);
  expect(r.result.code).toBe(0);
  seedJson = r.result.json;
  handle = await openDatabase(file);
  raw = handle.sqlite;
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(NOW) };
});

afterAll(async () => {
  await handle?.close();
});

describe('seed-demo: what it wrote', () => {
  it('reports counts that match the file, and stats agrees with direct counts', async () => {
    const c = seedJson.counts;
    expect(c.residents).toBe(300);
    expect(one('SELECT COUNT(*) FROM residents')).toBe(300);
    expect(one('SELECT COUNT(*) FROM checkins')).toBe(c.checkins);
    expect(one('SELECT COUNT(*) FROM supply_requests')).toBe(c.supplyRequests);
    const s = await runCli(['stats', '--db', file, '--json']);
    expect(s.result.code).toBe(0);
    expect(s.result.json).toEqual({
      ok: true,
      file,
      residents: one('SELECT COUNT(*) FROM residents'),
      households: one('SELECT COUNT(*) FROM households'),
      activeEpisodes: one("SELECT COUNT(*) FROM episodes WHERE status = 'active'"),
      checkins: one('SELECT COUNT(*) FROM checkins'),
      openAlerts: one("SELECT COUNT(*) FROM alerts WHERE status = 'open'"),
      supplyRequests: one('SELECT COUNT(*) FROM supply_requests'),
      cadres: one('SELECT COUNT(*) FROM cadres'),
    });
    expect(one('SELECT COUNT(*) FROM cadres')).toBeGreaterThan(0);
  });

  it('is sound: integrity, every foreign key, schema version (verify exits 0)', async () => {
    const v = await runCli(['verify', '--db', file, '--json']);
    expect(v.result.code).toBe(0);
    expect(v.result.json).toMatchObject({ sound: true, foreignKeyViolations: [] });
  });

  it('writes one audit record for the seeding, as the cli actor, besides naming the office', () => {
    const audit = all('SELECT user_name, action, details FROM audit_log ORDER BY id');
    expect(audit.map((a) => a.action)).toEqual(['org.create', 'settings.update', 'demo.seed']);
    expect(new Set(audit.map((a) => a.user_name))).toEqual(new Set(['cli']));
    expect(JSON.parse(audit[2].details)).toMatchObject({ seed: 7, residents: 300, counts: { residents: 300 } });
  });

  it('builds the place tree down to rooms, one household per room, addresses as the domain formats them', () => {
    const names = all("SELECT name FROM places WHERE level = 'community' ORDER BY id").map((r) => r.name);
    expect(names).toEqual(COMMUNITIES.slice(0, 3));
    const bad = all(`SELECT h.address, c.name AS compound, b.name AS building, u.name AS unit, r.name AS room, h.compound_id, c.id AS cid, c.parent_id AS community
      FROM households h JOIN places r ON r.id = h.room_id JOIN places u ON u.id = r.parent_id JOIN places b ON b.id = u.parent_id JOIN places c ON c.id = b.parent_id`)
      .filter((h) => h.address !== h.compound + h.building + h.unit + h.room || h.compound_id !== h.cid);
    expect(bad).toEqual([]);
    expect(one("SELECT COUNT(*) FROM households h JOIN places c ON c.id = h.compound_id WHERE c.parent_id != h.community_id")).toBe(0);
    expect(one('SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE r.community_id != h.community_id')).toBe(0);
    const sizes = all('SELECT COUNT(*) AS n FROM residents GROUP BY household_id').map((r) => r.n);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
  });

  it('gives every resident ID number a valid check character, matching birth date and sex; documents are unique', () => {
    const people = all("SELECT doc_number, birth_date, sex FROM residents WHERE doc_type = '居民身份证'");
    expect(people.length).toBeGreaterThan(250);
    for (const p of people) {
      const r = checkIdNumber(p.doc_number, TODAY);
      expect(r, p.doc_number).toMatchObject({ ok: true, number: p.doc_number, birthDate: p.birth_date, sex: p.sex });
    }
    expect(one('SELECT COUNT(DISTINCT doc_type || doc_number) FROM residents WHERE doc_number IS NOT NULL')).toBe(one('SELECT COUNT(*) FROM residents WHERE doc_number IS NOT NULL'));
    const noDoc = all("SELECT r.birth_date, r.guardian_id, g.household_id = r.household_id AS same FROM residents r LEFT JOIN residents g ON g.id = r.guardian_id WHERE r.doc_type = '无证件'");
    for (const p of noDoc) expect(p).toMatchObject({ birth_date: expect.any(String), same: 1 });
    for (const p of all('SELECT phone FROM residents WHERE phone IS NOT NULL')) expect(checkPhone(p.phone).warning).toBeUndefined();
  });

  it("keeps residents' denormalised columns as the domain does: current episode, status, dates, latest temperature, pinyin", () => {
    const mismatched = all(`SELECT r.id FROM residents r JOIN episodes e ON e.id = r.current_episode_id
      WHERE e.resident_id != r.id OR e.start_date != r.start_date OR e.last_day != r.last_day OR e.release_date != r.release_date
         OR r.status != CASE WHEN e.status = 'active' THEN (CASE e.kind WHEN 'home_isolation' THEN 'isolating' ELSE 'monitoring' END) ELSE e.status END
         OR e.id != (SELECT MAX(id) FROM episodes x WHERE x.resident_id = r.id)`);
    expect(mismatched).toEqual([]);
    expect(one('SELECT COUNT(*) FROM residents WHERE current_episode_id IS NULL')).toBe(0);
    const temps = all(`SELECT r.latest_temperature AS t,
      (SELECT temperature FROM checkins c WHERE c.resident_id = r.id AND c.temperature IS NOT NULL ORDER BY date DESC, slot DESC LIMIT 1) AS latest FROM residents r`);
    for (const t of temps) expect(t.t).toBe(t.latest);
    for (const p of all('SELECT name, name_pinyin, name_initials FROM residents')) {
      const py = namePinyin(p.name);
      expect([p.name_pinyin, p.name_initials]).toEqual([py.full, py.initials]);
    }
  });

  it('releases only when the tests allow it (or with an override reason); leaves some 待解除, some blocked', async () => {
    const episodes = await handle.db.selectFrom('episodes').selectAll().execute();
    let blockedDue = 0;
    for (const e of episodes) {
      expect(e.lastDay <= e.releaseDate).toBe(true);
      if (e.status === 'released' && e.kind === 'home_isolation') {
        expect(e.endedOn! >= e.releaseDate).toBe(true);
        expect(e.endedOn! <= TODAY).toBe(true);
        const blockers = await releaseBlockers(ctx, e);
        if (e.overrideReason) expect(blockers.length).toBeGreaterThan(0);
        else expect(blockers).toEqual([]);
      }
      if (e.status === 'active' && e.lastDay < TODAY && (await releaseBlockers(ctx, e)).length) blockedDue++;
      expect(e.startDate >= '2022-01-11' && e.startDate <= TODAY).toBe(true);
    }
    expect(episodes.some((e) => e.status === 'released')).toBe(true);
    const due = one("SELECT COUNT(*) FROM residents WHERE status IN ('isolating', 'monitoring') AND last_day < ?", TODAY);
    expect(due).toBeGreaterThan(0);
    expect(blockedDue).toBeGreaterThan(0);
    expect(one("SELECT COUNT(*) FROM episodes WHERE test_days != '[1,7]' AND kind = 'home_isolation'")).toBe(0);
  });

  it('has tests only on test days, mostly negative, none in the future (the 全员核酸 round apart)', () => {
    const tests = all('SELECT t.sample_date, t.result, e.start_date, e.test_days FROM tests t JOIN episodes e ON e.id = t.episode_id WHERE t.round_id IS NULL');
    expect(tests.length).toBeGreaterThan(0);
    for (const t of tests) {
      const day = Math.round((Date.parse(t.sample_date) - Date.parse(t.start_date)) / 86_400_000) + 1;
      expect(JSON.parse(t.test_days)).toContain(day);
      expect(t.sample_date <= TODAY).toBe(true);
    }
    expect(tests.filter((t) => t.result === '阴性').length / tests.length).toBeGreaterThan(0.8);
    expect(one("SELECT COUNT(*) FROM tests WHERE source = 'checkin' AND checkin_id IS NULL")).toBe(0);
  });

  it('records check-ins only for slots that have begun, inside the episode, with the abnormal flag and an alert each', () => {
    expect(one('SELECT COUNT(*) FROM checkins WHERE date > ? OR created_at > ?', TODAY, NOW)).toBe(0);
    expect(one('SELECT COUNT(*) FROM checkins c JOIN episodes e ON e.id = c.episode_id WHERE c.date < e.start_date OR (e.ended_on IS NOT NULL AND c.date >= e.ended_on)')).toBe(0);
    const checkins = all('SELECT * FROM checkins');
    for (const c of checkins) {
      const reasons = abnormalReasons(
        { temperature: c.temperature, symptoms: JSON.parse(c.symptoms), symptomOther: c.symptom_other, testType: c.test_type, testResult: c.test_result, healthCode: c.health_code },
        37.3,
      );
      expect(c.abnormal).toBe(reasons.length ? 1 : 0);
    }
    const abnormal = checkins.filter((c) => c.abnormal).length;
    expect(abnormal / checkins.length).toBeGreaterThan(0.005);
    expect(abnormal / checkins.length).toBeLessThan(0.08);
    expect(one('SELECT COUNT(*) FROM checkins c WHERE abnormal = 1 AND (SELECT COUNT(*) FROM alerts a WHERE a.checkin_id = c.id) != 1')).toBe(0);
    expect(one('SELECT COUNT(*) FROM alerts a JOIN checkins c ON c.id = a.checkin_id WHERE c.abnormal = 0')).toBe(0);
    expect(one("SELECT COUNT(*) FROM alerts WHERE status = 'open'")).toBeGreaterThan(0);
    expect(one("SELECT COUNT(*) FROM alerts WHERE status = 'closed' AND (action IS NULL OR closed_at IS NULL OR closed_at < created_at)")).toBe(0);
    // Overdue (未报): this morning's slot has passed at 15:00 and not everyone in isolation reported.
    const active = one("SELECT COUNT(*) FROM residents WHERE status IN ('isolating', 'monitoring')");
    const am = one("SELECT COUNT(*) FROM checkins WHERE date = ? AND slot = 'am'", TODAY);
    expect(am).toBeGreaterThan(0);
    expect(am).toBeLessThan(active);
  });

  it('has supply requests in every status, each with items and a consistent, signed transition history', () => {
    const statuses = all('SELECT DISTINCT status FROM supply_requests').map((r) => r.status).sort();
    expect(statuses).toEqual(['assigned', 'cancelled', 'delivered', 'delivering', 'new']);
    expect(one('SELECT COUNT(*) FROM supply_requests s WHERE NOT EXISTS (SELECT 1 FROM supply_items i WHERE i.request_id = s.id)')).toBe(0);
    const reqs = all('SELECT * FROM supply_requests');
    const transitions = all('SELECT * FROM supply_transitions ORDER BY id');
    for (const r of reqs) {
      const t = transitions.filter((x) => x.request_id === r.id);
      expect(t[0]).toMatchObject({ from_status: null, to_status: 'new', at: r.created_at });
      for (let i = 1; i < t.length; i++) {
        expect(t[i].from_status).toBe(t[i - 1].to_status);
        expect(canTransition(t[i].from_status, t[i].to_status)).toBe(true);
        expect(t[i].at >= t[i - 1].at).toBe(true);
      }
      expect(t[t.length - 1]).toMatchObject({ to_status: r.status, at: r.status_at });
      expect(r.status_at <= NOW).toBe(true);
      expect(r.cadre_id === null).toBe(r.status === 'new' || r.status === 'cancelled');
      if (r.status === 'cancelled') expect(r.cancel_reason).toBeTruthy();
      if (r.urgency === 'normal') expect(['药品', '就医']).not.toContain(r.category);
    }
  });

  it('sends cadres down from city departments, assigned to communities and their compounds', () => {
    const units = new Set(CADRE_UNITS.map((u) => u[0]));
    for (const c of all('SELECT home_unit, title, community_id FROM cadres')) {
      expect(units.has(c.home_unit)).toBe(true);
      expect(c.title).toBeTruthy();
    }
    expect(one("SELECT COUNT(*) FROM cadre_compounds cc JOIN cadres c ON c.id = cc.cadre_id JOIN places p ON p.id = cc.compound_id WHERE p.parent_id != c.community_id")).toBe(0);
    expect(one("SELECT COUNT(DISTINCT community_id) FROM cadres")).toBe(3);
  });

  it('creates demo accounts that log in with the password; committee1 sees only the first community', async () => {
    for (const u of ['admin', 'clerk', 'committee1', 'official']) {
      const actor = await login(ctx, u, 'demo1234');
      expect(actor.username).toBe(u);
    }
    await expect(login(ctx, 'admin', 'wrong1234')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const first = one("SELECT id FROM places WHERE level = 'community' AND name = ?", COMMUNITIES[0]);
    const committee = await login(ctx, 'committee1', 'demo1234');
    expect(committee).toMatchObject({ role: 'committee', communityId: first });
    const page = await listResidents({ ...ctx, actor: committee }, { limit: 1000 });
    expect(page.total).toBe(one('SELECT COUNT(*) FROM residents WHERE community_id = ?', first));
    expect(page.total).toBeLessThan(300);
    expect(new Set(page.rows.map((r) => r.communityId))).toEqual(new Set([first]));
  });
});

describe('seed-demo: determinism and refusals', () => {
  /** Every table's rows, except what is random by design (password salts) or wall-clock (migration time). */
  function dump(f: string): Record<string, unknown[]> {
    const db = new SqliteDatabase(f, { readonly: true });
    try {
      // Every database has an identity of its own (random, db/identity.ts): two files never share it.
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'database_identity' ORDER BY name")
        .pluck()
        .all() as string[];
      const out: Record<string, unknown[]> = {};
      for (const t of tables) {
        // WITHOUT ROWID tables (the counters) are ordered by their primary key anyway.
        const withoutRowid = /WITHOUT ROWID/i.test(String(db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(t) ?? ''));
        out[t] = (db.prepare(`SELECT * FROM "${t}"${withoutRowid ? '' : ' ORDER BY rowid'}`).all() as Record<string, unknown>[]).map((r) => {
          // Salted password hashes, migration times and the audit chain's random nonces (hence its hashes) differ by design.
          const { password_hash: _h, applied_at: _a, nonce: _n, hash: _c, ...rest } = r;
          return rest;
        });
      }
      return out;
    } finally {
      db.close();
    }
  }

  it('the same seed and today give the same data; another seed gives other data', async () => {
    // Two fresh files (the first file has been logged into by the tests above, which writes to it).
    const [one7, two7, other] = ['seed7a.db', 'seed7b.db', 'seed8.db'].map((f) => path.join(dir, f));
    for (const [f, seed] of [[one7, '7'], [two7, '7'], [other, '8']]) {
      expect((await runCli(['seed-demo', '--db', f, '--residents', '300', '--today', TODAY, '--seed', seed])).result.code).toBe(0);
    }
    const a = dump(one7);
    expect(dump(two7)).toEqual(a);
    const b = dump(other);
    expect(b.residents).toHaveLength(300);
    expect(b.residents).not.toEqual(a.residents);
  });

  it('refuses a database that already has residents or accounts (exit 1), writing nothing', async () => {
    const before = fs.statSync(file).size;
    const counts = one('SELECT COUNT(*) FROM audit_log');
    const r = await runCli(['seed-demo', '--db', file, '--residents', '10', '--today', TODAY, '--json']);
    expect(r.result.code).toBe(1);
    expect(r.result.json).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(one('SELECT COUNT(*) FROM residents')).toBe(300);
    expect(one('SELECT COUNT(*) FROM audit_log')).toBe(counts);
    expect(fs.statSync(file).size).toBe(before);
  });

  it('refuses a weak password before creating the file (exit 1)', async () => {
    const f = path.join(dir, 'weak.db');
    const r = await runCli(['seed-demo', '--db', f, '--residents', '10', '--password', 'short']);
    expect(r.result.code).toBe(1);
    expect(fs.existsSync(f)).toBe(false);
  });

  it('seeds into a database made by init, keeping its names', async () => {
    const f = path.join(dir, 'inited.db');
    expect((await runCli(['init', '--db', f, '--district', '安次区', '--subdistrict', '银河南路街道'])).result.code).toBe(0);
    const r = await runCli(['seed-demo', '--db', f, '--residents', '40', '--today', TODAY, '--json']);
    expect(r.result.code).toBe(0);
    expect(r.result.json).toMatchObject({ district: '安次区', subdistrict: '银河南路街道' });
    expect((await runCli(['verify', '--db', f])).result.code).toBe(0);
  });

  it('splits totals exactly (largest remainder)', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [0.5, 2, 1]).reduce((a, b) => a + b, 0)).toBe(7);
  });
});

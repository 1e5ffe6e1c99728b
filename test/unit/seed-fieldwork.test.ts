// The demo seed's field work (issue 14): 包联组 with the named 市国资委包联华夏里社区组, the duty roster and door visits,
// 特殊需求 flags, 定期需求 schedules with their runs, and a 全员核酸 round whose coverage (counted live by the domain)
// equals a recount from the raw rows — all read back through the domain functions the screens use.
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import type { Ctx } from '../../electron/domain/context.ts';
import { listGroups, listShifts, shiftMinutes } from '../../electron/domain/fieldwork.ts';
import { listVisits } from '../../electron/domain/visits.ts';
import { needCounts } from '../../electron/domain/needs-counts.ts';
import { isoWeekday, runNeedSchedules, scheduleItems } from '../../electron/domain/need-schedules.ts';
import { listRounds } from '../../electron/domain/rounds.ts';
import { roundCoverage } from '../../electron/domain/rounds-coverage.ts';
import { cadreWork } from '../../electron/domain/fieldwork-report.ts';
import { myTasks } from '../../electron/domain/fieldwork-mine.ts';
import { login } from '../../electron/domain/users.ts';
import { CADRE_POSTS, NEEDS, ROUND_EXEMPT_REASONS } from '../../electron/shared/enums.ts';
import { seedDemo } from '../../electron/cli/seed/index.ts';
import { tempDir } from '../helpers/env.ts';

const TODAY = '2022-01-20';
const NOW = '2022-01-20T15:00:00+08:00';
const ROUND_DAY = '2022-01-17';
const RESIDENTS = 1200;
const dir = tempDir('idesk-seedfield-');
const file = path.join(dir, 'demo.db');
let seedJson: any;
let handle: DbHandle;
let raw: SqliteDatabase.Database;
let ctx: Ctx;

const all = (sql: string, ...p: unknown[]) => raw.prepare(sql).all(...p) as any[];
const one = (sql: string, ...p: unknown[]) => raw.prepare(sql).pluck().get(...p) as any;

beforeAll(async () => {
  const r = await runCli(['seed-demo', '--db', file, '--residents', String(RESIDENTS), '--today', TODAY, '--seed', '11', '--json']);
  expect(r.result.code).toBe(0);
  seedJson = r.result.json;
  handle = await openDatabase(file);
  raw = handle.sqlite;
  ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock(NOW) };
});

afterAll(async () => {
  await handle?.close();
});

describe('seed-demo: 包联组', () => {
  it('binds each department to one community, with the named 市国资委包联华夏里社区组 and a leader from its cadres', async () => {
    const groups = await listGroups(ctx);
    const named = groups.find((g) => g.name === '市国资委包联华夏里社区组');
    expect(named).toMatchObject({ homeUnit: '市国资委', community: '华夏里社区' });
    expect(named!.leaderId).not.toBeNull();
    expect(named!.members.map((m) => m.id)).toContain(named!.leaderId);
    // One community per department; every member of the group's unit and community; the leader noted 带队负责人.
    expect(new Set(groups.map((g) => g.homeUnit)).size).toBe(groups.length);
    for (const g of groups) {
      expect(g.name).toBe(`${g.homeUnit}包联${g.community}组`);
      const bad = one('SELECT COUNT(*) FROM cadres WHERE group_id = ? AND (home_unit != ? OR community_id != ?)', g.id, g.homeUnit, g.communityId);
      expect(bad).toBe(0);
      expect(one('SELECT notes FROM cadres WHERE id = ?', g.leaderId)).toBe('带队负责人');
    }
    expect(one("SELECT COUNT(*) FROM cadres WHERE notes = '带队负责人'")).toBe(groups.length);
    // Every cadre whose department is bound to their community is in its group; every community has a group.
    expect(one('SELECT COUNT(*) FROM cadres k JOIN cadre_groups g ON g.home_unit = k.home_unit AND g.community_id = k.community_id WHERE k.group_id IS NOT g.id')).toBe(0);
    expect(one('SELECT COUNT(DISTINCT community_id) FROM cadre_groups')).toBe(one("SELECT COUNT(*) FROM places WHERE level = 'community'"));
    expect(seedJson.counts.cadreGroups).toBe(groups.length);
  });
});

describe('seed-demo: duty roster and door visits', () => {
  it('gives the seeded days and tomorrow a roster on every post, a night at a gate, no overlapping shifts of one cadre', async () => {
    const shifts = all('SELECT s.*, k.community_id AS k_community, k.status, k.duty_from, k.duty_to FROM cadre_shifts s JOIN cadres k ON k.id = s.cadre_id ORDER BY s.cadre_id, s.date');
    const days = new Set(shifts.map((s) => s.date));
    for (let d = 11; d <= 21; d++) expect(days.has(`2022-01-${d}`)).toBe(true);
    expect(new Set(shifts.map((s) => s.post))).toEqual(new Set(CADRE_POSTS));
    // 核酸点秩序维护 on the round's day only; most of that day's shifts at the test sites.
    expect(new Set(shifts.filter((s) => s.post === 'test_site_order').map((s) => s.date))).toEqual(new Set([ROUND_DAY]));
    const nights = shifts.filter((s) => s.start_time === '22:00' && s.end_time === '06:00');
    expect(nights.length).toBeGreaterThan(0);
    expect(nights.every((s) => s.post === 'gate')).toBe(true);
    for (const s of shifts) {
      expect(s.community_id).toBe(s.k_community);
      if (s.duty_from) expect(s.date >= s.duty_from).toBe(true);
      if (s.duty_to) expect(s.date <= s.duty_to).toBe(true);
      expect(s.created_at <= NOW).toBe(true);
    }
    // The rule of createShifts: one cadre is never on two shifts at once (a night runs into the next day).
    const byCadre = new Map<number, any[]>();
    for (const s of shifts) byCadre.set(s.cadre_id, [...(byCadre.get(s.cadre_id) ?? []), s]);
    for (const list of byCadre.values()) {
      const spans = list.map((s) => {
        const start = Date.parse(`${s.date}T${s.start_time}:00+08:00`);
        return [start, start + shiftMinutes(s.start_time, s.end_time) * 60_000];
      });
      spans.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0] >= spans[i - 1][1]).toBe(true);
    }
    const today = await listShifts(ctx, { from: TODAY, to: TODAY });
    expect(today.length).toBe(shifts.filter((s) => s.date === TODAY).length);
    expect(today.length).toBeGreaterThan(0);
  });

  it('has door visits made with results and follow-ups, and planned ones, each from a 入户走访 shift in the cadre’s community', async () => {
    const visits = all('SELECT v.*, h.community_id AS h_community, k.community_id AS k_community FROM door_visits v JOIN households h ON h.id = v.household_id JOIN cadres k ON k.id = v.cadre_id');
    const made = visits.filter((v) => v.result !== null);
    const planned = visits.filter((v) => v.result === null);
    expect(made.length).toBeGreaterThan(20);
    expect(planned.length).toBeGreaterThan(0);
    expect(new Set(made.map((v) => v.result))).toEqual(new Set(['home_ok', 'no_answer', 'abnormal', 'other']));
    for (const v of visits) {
      expect(v.community_id).toBe(v.h_community);
      expect(v.community_id).toBe(v.k_community);
      expect(one("SELECT COUNT(*) FROM cadre_shifts WHERE cadre_id = ? AND date = ? AND post = 'door_visit'", v.cadre_id, v.planned_date)).toBe(1);
    }
    for (const v of made) {
      expect(v.visited_at.slice(0, 10)).toBe(v.planned_date);
      expect(v.visited_at <= NOW).toBe(true);
      expect(v.recorded_by).toBeTruthy();
      // recordVisit's rules: 发现异常 and 其他 say what; 发现异常 says what to follow up.
      if (v.result === 'abnormal' || v.result === 'other') expect(v.note).toBeTruthy();
      if (v.result === 'abnormal') expect(v.follow_up_note).toBeTruthy();
    }
    for (const v of planned) expect(v.visited_at === null && v.follow_up_done === 0).toBe(true);
    // Planned for later today or tomorrow only: nothing of an earlier day left unrecorded.
    expect(planned.every((v) => v.planned_date >= TODAY)).toBe(true);
    expect(visits.filter((v) => v.follow_up_note && v.follow_up_done).length).toBeGreaterThan(0);
    const open = await listVisits(ctx, { status: 'followUp' });
    expect(open.length).toBe(visits.filter((v) => v.follow_up_note && !v.follow_up_done).length);
    expect(open.length).toBeGreaterThan(0);
    // The cadres report counts them.
    const work = await cadreWork(ctx, { from: '2022-01-11', to: TODAY });
    expect(work.cadres.reduce((a, c) => a + c.visits, 0)).toBe(made.length);
    expect(work.cadres.reduce((a, c) => a + c.shifts, 0)).toBe(one('SELECT COUNT(*) FROM cadre_shifts WHERE date <= ?', TODAY));
  });
});

describe('seed-demo: the demo cadre account', () => {
  it('logs in as cadre, a member of the 市国资委 group, and sees their own shifts and visits with names masked', async () => {
    const actor = await login(ctx, 'cadre', 'demo1234');
    expect(actor.role).toBe('cadre');
    const tasks = await myTasks({ ...ctx, actor });
    expect(tasks.cadre.group).toBe('市国资委包联华夏里社区组');
    expect(tasks.shifts.length + tasks.upcoming.length).toBeGreaterThan(0);
    expect([...tasks.shifts, ...tasks.upcoming].every((s) => s.cadreId === tasks.cadre.id)).toBe(true);
    expect(tasks.visits.every((v) => v.cadreId === tasks.cadre.id)).toBe(true);
    const names = new Set(all('SELECT name FROM residents').map((r) => r.name));
    for (const v of tasks.visits) for (const p of v.people) expect(names.has(p.name)).toBe(false);
    expect(seedJson.accounts).toContainEqual({ username: 'cadre', displayName: tasks.cadre.name, role: 'cadre', community: '华夏里社区' });
  });
});

describe('seed-demo: 特殊需求 and 定期需求', () => {
  it('flags a realistic share of residents with every need, consistent with who they are', async () => {
    const byNeed = Object.fromEntries(all('SELECT need, COUNT(*) AS n FROM resident_needs GROUP BY need').map((r) => [r.need, r.n]));
    for (const need of NEEDS) expect(byNeed[need], need).toBeGreaterThan(0);
    expect(byNeed['独居老人'] / RESIDENTS).toBeGreaterThan(0.015);
    expect(byNeed['独居老人'] / RESIDENTS).toBeLessThan(0.05);
    expect(one('SELECT COUNT(DISTINCT resident_id) FROM resident_needs') / RESIDENTS).toBeLessThan(0.3);
    expect(one("SELECT COUNT(*) FROM resident_needs n JOIN residents r ON r.id = n.resident_id WHERE n.need = '独居老人' AND (SELECT COUNT(*) FROM residents x WHERE x.household_id = r.household_id) != 1")).toBe(0);
    expect(one("SELECT COUNT(*) FROM resident_needs n JOIN residents r ON r.id = n.resident_id WHERE n.need = '婴幼儿' AND r.birth_date <= '2019-01-20'")).toBe(0);
    expect(one("SELECT COUNT(*) FROM resident_needs n JOIN residents r ON r.id = n.resident_id WHERE n.need = '孕产妇' AND r.sex != 'F'")).toBe(0);
    expect(one("SELECT COUNT(*) FROM resident_needs WHERE need = '其他' AND (note IS NULL OR note = '')")).toBe(0);
    // The dashboard's counts agree with the rows.
    const counts = await needCounts(ctx, TODAY);
    for (const t of counts.totals) expect(t.registered).toBe(byNeed[t.need] ?? 0);
    expect(counts.totals.find((t) => t.need === '定期就医')!.underControl).toBeGreaterThan(0);
  });

  it('has a dialysis schedule (Tue/Thu/Sat) and a weekly prescription, whose runs are the requests runNeedSchedules would have made', async () => {
    const schedules = all('SELECT * FROM need_schedules');
    expect(schedules.some((s) => s.kind === '就医' && s.weekdays === '2,4,6' && s.items.includes('透析'))).toBe(true);
    expect(schedules.some((s) => s.kind === '药品' && s.weekdays.length === 1)).toBe(true);
    expect(one("SELECT COUNT(*) FROM need_schedules s WHERE NOT EXISTS (SELECT 1 FROM resident_needs n WHERE n.resident_id = s.resident_id AND n.need IN ('定期就医', '慢性病长期用药'))")).toBe(0);
    const runs = all(`SELECT u.*, s.kind, s.items, s.weekdays, s.start_date, s.resident_id, r.household_id, r.name, q.category, q.household_id AS q_household, q.requested_by, q.notes, q.urgency, q.created_at AS q_created
      FROM need_schedule_runs u JOIN need_schedules s ON s.id = u.schedule_id JOIN residents r ON r.id = s.resident_id JOIN supply_requests q ON q.id = u.request_id`);
    expect(runs.length).toBe(one('SELECT COUNT(*) FROM need_schedule_runs'));
    expect(runs.length).toBeGreaterThan(2);
    for (const u of runs) {
      expect(u.weekdays.split(',').map(Number)).toContain(isoWeekday(u.date));
      expect(u.date >= u.start_date && u.date <= TODAY).toBe(true);
      expect(u).toMatchObject({ category: u.kind, q_household: u.household_id, requested_by: u.name, urgency: 'urgent' });
      expect(u.notes).toMatch(/^定期需求（/);
      expect(u.q_created.slice(0, 10)).toBe(u.date);
      const items = all('SELECT name, quantity FROM supply_items WHERE request_id = ? ORDER BY id', u.request_id);
      expect(items).toEqual(scheduleItems(u.items).map((i) => ({ name: i.name, quantity: i.quantity })));
      // Under isolation or monitoring that day (coversDate).
      expect(one("SELECT COUNT(*) FROM episodes e WHERE e.resident_id = ? AND e.start_date <= ? AND (e.status = 'active' OR e.ended_on > ?)", u.resident_id, u.date, u.date)).toBeGreaterThan(0);
    }
    // The app's own run for today finds every one of today's requests already made: nothing created twice.
    const todays = runs.filter((u) => u.date === TODAY).length;
    expect(todays).toBeGreaterThan(0);
    const r = await runNeedSchedules(ctx, TODAY);
    expect(r.created).toEqual([]);
    expect(r.alreadyDone).toBe(todays);
  });
});

describe('seed-demo: the 全员核酸 round', () => {
  it('has one whole-subdistrict round a few days ago whose coverage equals a recount, most people tested', async () => {
    const rounds = await listRounds(ctx);
    expect(rounds).toHaveLength(1);
    const round = rounds[0];
    expect(round).toMatchObject({ startDate: ROUND_DAY, wholeSubdistrict: true, status: 'open' });
    const cov = await runCli(['rounds', 'coverage', '--db', file, '--round', String(round.id), '--json']);
    expect(cov.result.code).toBe(0);
    const c = cov.result.json as { due: number; tested: number; untested: number; positive: number; byCompound: { compound: string; due: number; tested: number }[] };
    // The recount, from the raw rows, written here independently of rounds-coverage.ts.
    const people = all(`SELECT r.id, h.compound_id AS compound,
        EXISTS (SELECT 1 FROM tests t WHERE t.resident_id = r.id AND t.round_id = ?) AS tested,
        EXISTS (SELECT 1 FROM tests t WHERE t.resident_id = r.id AND t.round_id = ? AND t.pooled = 0 AND t.result = '阳性') AS positive
      FROM residents r JOIN households h ON h.id = r.household_id
      WHERE r.status != 'transferred' AND NOT EXISTS (SELECT 1 FROM round_exemptions x WHERE x.round_id = ? AND x.resident_id = r.id)`, round.id, round.id, round.id);
    const due = people.length;
    const tested = people.filter((p) => p.tested).length;
    const positive = people.filter((p) => p.positive).length;
    expect({ due: c.due, tested: c.tested, untested: c.untested, positive: c.positive }).toEqual({ due, tested, untested: due - tested, positive });
    for (const b of c.byCompound) {
      const id = one("SELECT id FROM places WHERE level = 'compound' AND name = ? AND id IN (SELECT compound_id FROM households)", b.compound);
      const mine = people.filter((p) => p.compound === id);
      expect(b.due).toBe(mine.length);
      expect(b.tested).toBe(mine.filter((p) => p.tested).length);
    }
    expect(round).toMatchObject({ due, tested, positive });
    expect(tested / due).toBeGreaterThan(0.9);
    expect(tested).toBeLessThan(due);
    expect(positive).toBeGreaterThan(0);
    expect(positive).toBeLessThan(8);
    const reasons = all('SELECT DISTINCT reason FROM round_exemptions').map((r) => r.reason);
    expect(reasons.length).toBeGreaterThan(1);
    for (const r of reasons) expect(ROUND_EXEMPT_REASONS).toContain(r);
    expect(one("SELECT COUNT(*) FROM round_exemptions WHERE reason = '其他' AND note IS NULL")).toBe(0);
    expect(seedJson.roundTests).toBe(one('SELECT COUNT(*) FROM tests WHERE round_id IS NOT NULL'));
    // Nothing recorded of a person before they were registered, nor after now.
    for (const t of ['(SELECT * FROM tests WHERE round_id IS NOT NULL)', 'round_exemptions', 'resident_needs', 'need_schedules']) {
      expect(one(`SELECT COUNT(*) FROM ${t} x JOIN residents r ON r.id = x.resident_id WHERE x.created_at < r.created_at OR x.created_at > ?`, NOW), t).toBe(0);
    }
    expect(one("SELECT COUNT(*) FROM alerts a JOIN residents r ON r.id = a.resident_id JOIN tests t ON t.id = a.test_id WHERE t.round_id IS NOT NULL AND (a.created_at < r.created_at OR a.closed_at < a.created_at)")).toBe(0);
    expect(one("SELECT COUNT(*) FROM door_visits v JOIN households h ON h.id = v.household_id WHERE v.visited_at < h.created_at")).toBe(0);
  });

  it('flags one pooled tube (10混1): each of its people with an alert, re-tested one tube each or waiting (待复核)', async () => {
    const tubes = all("SELECT tube_no, COUNT(*) AS n, SUM(result = '阳性') AS pos FROM tests WHERE round_id IS NOT NULL AND pooled = 1 GROUP BY tube_no");
    expect(Math.max(...tubes.map((t) => t.n))).toBeLessThanOrEqual(10);
    const flagged = tubes.filter((t) => t.pos > 0);
    expect(flagged).toHaveLength(1);
    expect(flagged[0].pos).toBe(flagged[0].n);
    expect(flagged[0].n).toBeGreaterThan(1);
    const members = all("SELECT t.id, t.resident_id FROM tests t WHERE t.tube_no = ? AND t.pooled = 1", flagged[0].tube_no);
    for (const m of members) expect(one("SELECT COUNT(*) FROM alerts WHERE test_id = ? AND reason LIKE '混管阳性%'", m.id)).toBe(1);
    // Single-tube tubes are one person each; every round positive of a single tube was on the flagged tube and has its alert.
    expect(one('SELECT COUNT(*) FROM (SELECT tube_no FROM tests WHERE round_id IS NOT NULL AND pooled = 0 GROUP BY tube_no HAVING COUNT(*) > 1)')).toBe(0);
    const positives = all("SELECT id, resident_id FROM tests WHERE round_id IS NOT NULL AND pooled = 0 AND result = '阳性'");
    expect(positives.length).toBeGreaterThan(0);
    for (const p of positives) {
      expect(members.map((m) => m.resident_id)).toContain(p.resident_id);
      expect(one("SELECT COUNT(*) FROM alerts WHERE test_id = ? AND status = 'open'", p.id)).toBe(1);
    }
    const cov = await roundCoverage(ctx, { roundId: one('SELECT id FROM test_rounds') });
    const retested = one('SELECT COUNT(DISTINCT resident_id) FROM tests WHERE round_id IS NOT NULL AND pooled = 0 AND resident_id IN (SELECT resident_id FROM tests WHERE tube_no = ? AND pooled = 1)', flagged[0].tube_no);
    expect(cov.retest).toBe(members.length - retested);
    expect(cov.retest).toBeGreaterThan(0);
    expect(one("SELECT COUNT(*) FROM alerts WHERE status = 'closed' AND reason LIKE '混管阳性%'")).toBe(retested);
  });

  it('leaves the file sound: verify passes, counters equal their recount', async () => {
    const v = await runCli(['verify', '--db', file, '--json']);
    expect(v.result.code).toBe(0);
    expect(v.result.json).toMatchObject({ sound: true, foreignKeyViolations: [] });
  });
});

describe('seed-demo: field work with foreign keys enforced as it writes', () => {
  it('writes parents first outside a bulk load too (groups after their leaders, runs after their requests)', async () => {
    const f = path.join(dir, 'ordered.db');
    expect((await runCli(['init', '--db', f])).result.code).toBe(0);
    const h = await openDatabase(f);
    try {
      expect(h.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      const s = await seedDemo({ db: h.db, actor: CLI_ACTOR, clock: fixedClock(NOW) }, { residents: 250, days: 10, seed: 3, password: 'demo1234' });
      expect(s.counts.cadreGroups).toBeGreaterThan(0);
      expect(s.counts.needScheduleRuns).toBeGreaterThan(0);
      expect(s.roundTests).toBeGreaterThan(200);
      expect(h.sqlite.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
      expect(h.sqlite.prepare("SELECT COUNT(*) FROM cadre_groups WHERE name = '市国资委包联华夏里社区组'").pluck().get()).toBe(1);
    } finally {
      await h.close();
    }
  });
});

// 下沉干部工作量统计 (the cadres report): shifts, hours, visits and deliveries per cadre and per department over a date
// range, exported through the command line (export cadre-work) into a real xlsx, read back and checked against a
// recount made here from the raw rows (shift lengths by the clock, a night shift across midnight included).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../electron/api/dispatch.ts';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { ensureHousehold } from '../../electron/domain/places.ts';
import { runCli } from '../../electron/cli/run.ts';
import { readBack } from './export-fixture.ts';
import { rawAll } from '../helpers/raw.ts';
import { cliDbArg } from '../helpers/pg-db.ts';

const dir = tempDir('idesk-cadre-work-');
const file = path.join(dir, 'work.db');
const FROM = '2022-01-18';
const TO = '2022-01-20';
let t: TestEnv;
const cadres: Record<string, number> = {};

beforeAll(async () => {
  t = await makeEnv({ file, now: '2022-01-17T01:00:00.000Z' });
  let clerk = await t.login('clerk');
  const hs: number[] = [];
  for (const room of ['101', '102', '103', '104', '105', '106']) hs.push((await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '1', unit: '1', room })).id);
  const people: [string, string, number][] = [
    ['吴干部', '市住建局', t.communities.a],
    ['郑干部', '市住建局', t.communities.a],
    ['钱干部', '市国资委', t.communities.a],
    ['孙干部', '市国资委', t.communities.b],
  ];
  for (const [name, homeUnit, communityId] of people) cadres[name] = (await call(t.env, 'cadres.create', { name, homeUnit, communityId }, clerk)).id;
  await call(t.env, 'cadreGroups.create', { name: '市国资委包联西大街社区组', homeUnit: '市国资委', communityId: t.communities.a, leaderId: cadres['钱干部'] }, clerk);
  const shift = (names: string[], date: string, startTime: string, endTime: string, post = 'gate') =>
    call(t.env, 'shifts.create', { cadreIds: names.map((n) => cadres[n]), date, startTime, endTime, post: post as 'gate', place: '北门' }, clerk);
  await shift(['吴干部', '郑干部'], '2022-01-17', '08:00', '12:00'); // before the range
  await shift(['吴干部'], '2022-01-18', '07:30', '12:15', 'test_site_order');
  await shift(['吴干部'], '2022-01-19', '22:00', '06:30'); // a night at the gate: 8.5 h
  await shift(['郑干部', '钱干部'], '2022-01-20', '13:00', '17:45', 'temperature');
  await shift(['钱干部'], '2022-01-21', '08:00', '12:00'); // after the range
  // Visits: planned for the days, made (or not) as the clock moves.
  const plan = async (name: string, householdIds: number[], date: string) => (await call(t.env, 'visits.plan', { cadreId: cadres[name], householdIds, date }, clerk)).ids;
  const wu = await plan('吴干部', hs.slice(0, 3), '2022-01-18');
  const zheng = await plan('郑干部', hs.slice(3, 5), '2022-01-19');
  await plan('钱干部', [hs[5]], '2022-01-20'); // never made: 计划未走访
  const record = async (id: number, at: string, result: 'home_ok' | 'no_answer' | 'abnormal', note?: string) => {
    t.clock.set(at);
    clerk = await t.login('clerk');
    const v = (await rawAll<{ version: number }>(t.handle.db, 'SELECT version FROM door_visits WHERE id = ?', id))[0].version;
    await call(t.env, 'visits.record', { id, version: v, result, note, followUpNote: result === 'abnormal' ? '复查' : undefined }, clerk);
  };
  await record(wu[0], '2022-01-17T09:00:00.000Z', 'home_ok'); // made the day before it was planned, outside the range
  await record(wu[1], '2022-01-18T03:00:00.000Z', 'abnormal', '咳嗽');
  await record(wu[2], '2022-01-20T15:30:00.000Z', 'no_answer'); // 23:30 on the 20th in Shanghai: inside
  await record(zheng[0], '2022-01-19T02:00:00.000Z', 'home_ok');
  await record(zheng[1], '2022-01-20T16:30:00.000Z', 'home_ok'); // 00:30 on the 21st: outside
  // Deliveries: assigned and delivered on given days.
  const deliver = async (name: string, household: number, at: string) => {
    t.clock.set(at);
    clerk = await t.login('clerk');
    const s = await call(t.env, 'supplies.create', { householdId: household, category: '蔬菜', items: [{ name: '白菜' }] }, clerk);
    const a = await call(t.env, 'supplies.assign', { id: s.id, version: s.version, cadreId: cadres[name] }, clerk);
    const d = await call(t.env, 'supplies.startDelivery', { id: a.id, version: a.version }, clerk);
    await call(t.env, 'supplies.deliver', { id: d.id, version: d.version }, clerk);
  };
  await deliver('吴干部', hs[0], '2022-01-18T02:00:00.000Z');
  await deliver('吴干部', hs[1], '2022-01-20T02:00:00.000Z');
  await deliver('钱干部', hs[5], '2022-01-19T02:00:00.000Z');
  await deliver('钱干部', hs[5], '2022-01-21T02:00:00.000Z'); // after the range
}, 60_000);
afterAll(() => t.close());

interface Count {
  shifts: number;
  hours: number;
  visits: number;
  abnormal: number;
  missed: number;
  delivered: number;
}

/** The counts from the raw rows, by other means than the report's: Date arithmetic, office-time strings. */
async function recount(): Promise<Map<number, Count>> {
  const out = new Map<number, Count>();
  const get = (id: number) => out.get(id) ?? (out.set(id, { shifts: 0, hours: 0, visits: 0, abnormal: 0, missed: 0, delivered: 0 }), out.get(id)!);
  for (const id of Object.values(cadres)) get(id);
  for (const s of await rawAll<{ c: number; date: string; a: string; b: string }>(t.handle.db, 'SELECT cadre_id AS c, date, start_time AS a, end_time AS b FROM cadre_shifts')) {
    if (s.date < FROM || s.date > TO) continue;
    const start = Date.parse(`${s.date}T${s.a}:00Z`);
    let end = Date.parse(`${s.date}T${s.b}:00Z`);
    if (end <= start) end += 86_400_000;
    get(s.c).shifts++;
    get(s.c).hours += (end - start) / 3_600_000;
  }
  for (const v of await rawAll<{ c: number; at: string | null; result: string | null; p: string }>(t.handle.db, 'SELECT cadre_id AS c, visited_at AS at, result, planned_date AS p FROM door_visits')) {
    if (v.at && v.at.slice(0, 10) >= FROM && v.at.slice(0, 10) <= TO) {
      get(v.c).visits++;
      if (v.result === 'abnormal') get(v.c).abnormal++;
    }
    if (!v.result && v.p >= FROM && v.p <= TO) get(v.c).missed++;
  }
  const moves = await rawAll<{ c: number; at: string }>(t.handle.db, "SELECT s.cadre_id AS c, t.at FROM supply_transitions t JOIN supply_requests s ON s.id = t.request_id WHERE t.to_status = 'delivered'");
  for (const m of moves) if (m.at.slice(0, 10) >= FROM && m.at.slice(0, 10) <= TO) get(m.c).delivered++;
  return out;
}

/** The data rows of a sheet as objects keyed by header text (the sub-header under a merged group). */
function table(rows: unknown[][], first: string): Record<string, unknown>[] {
  const headerAt = rows.findIndex((r) => r.includes(first));
  const headers = rows[headerAt].map((h, i) => (rows[headerAt + 1]?.[i] && rows[headerAt + 1][i] !== h ? String(rows[headerAt + 1][i]) : String(h ?? '')));
  const body = rows.slice(headerAt + 2).filter((r) => typeof r[0] === 'number');
  return body.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]])));
}

describe('the cadres report (export cadre-work)', () => {
  let out: string;
  beforeAll(async () => {
    out = path.join(dir, 'work.xlsx');
    const r = await runCli(['export', 'cadre-work', '--db', cliDbArg(t.handle, file), '--date', TO, '--from', FROM, '--to', TO, '--out', out, '--json']);
    expect(r.result.code, JSON.stringify(r.result)).toBe(0);
  }, 60_000);

  it('per cadre: shifts, hours, visits, 发现异常, planned and not made, deliveries — as recounted', async () => {
    const rb = await readBack(out, 0);
    expect(String(rb.rows[0][0])).toContain('下沉干部工作量统计（2022年1月18日至2022年1月20日）');
    const rows = table(rb.rows, '姓名');
    const counts = await recount();
    expect(rows.map((r) => r['姓名']).sort()).toEqual(Object.keys(cadres).sort());
    for (const r of rows) {
      const c = counts.get(cadres[String(r['姓名'])])!;
      expect(
        { shifts: r['班次'], hours: r['时长（小时）'], visits: r['已走访（户次）'], abnormal: r['其中发现异常'], missed: r['计划未走访'], delivered: r['送达（单）'] },
        String(r['姓名']),
      ).toEqual({ shifts: c.shifts, hours: Math.round(c.hours * 10) / 10, visits: c.visits, abnormal: c.abnormal, missed: c.missed, delivered: c.delivered });
    }
    // The scenario's own numbers, so the recount cannot agree with a report that counts nothing.
    const wu = counts.get(cadres['吴干部'])!;
    expect(wu).toEqual({ shifts: 2, hours: 4.75 + 8.5, visits: 2, abnormal: 1, missed: 0, delivered: 2 });
    expect(rows.find((r) => r['姓名'] === '钱干部')).toMatchObject({ 包联组: '市国资委包联西大街社区组', 计划未走访: 1, '送达（单）': 1 });
  });

  it('per department: the sums of its cadres', async () => {
    const rb = await readBack(out, 1);
    const rows = table(rb.rows, '派出单位');
    const counts = await recount();
    const unitOf: Record<string, string> = { 吴干部: '市住建局', 郑干部: '市住建局', 钱干部: '市国资委', 孙干部: '市国资委' };
    for (const unit of ['市住建局', '市国资委']) {
      const mine = Object.keys(cadres).filter((n) => unitOf[n] === unit).map((n) => counts.get(cadres[n])!);
      const sum = (k: keyof Count) => mine.reduce((s, c) => s + c[k], 0);
      const row = rows.find((r) => r['派出单位'] === unit)!;
      expect([row['人数'], row['班次'], row['时长（小时）'], row['已走访（户次）'], row['送达（单）']], unit).toEqual([mine.length, sum('shifts'), Math.round(sum('hours') * 10) / 10, sum('visits'), sum('delivered')]);
    }
  });

  it('a committee member’s report covers their community’s cadres only', async () => {
    const { cadreWork } = await import('../../electron/domain/fieldwork-report.ts');
    const actor = { userId: 4, username: 'committee2', displayName: '华夏里赵主任', role: 'committee' as const, communityId: t.communities.b };
    const w = await cadreWork(t.ctx(actor), { from: FROM, to: TO });
    expect(w.cadres.map((c) => c.name)).toEqual(['孙干部']);
  });
});

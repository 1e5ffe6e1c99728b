// 每日工作日报's sheet 特殊人群: per community, the people under control on the date carrying each need, against a
// recount from the tables, with 合计; a committee member's report holds their community only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { exportReport } from '../../electron/excel/export/index.ts';
import { setResidentNeeds } from '../../electron/domain/needs.ts';
import { NEED_LABELS } from '../../electron/shared/labels.ts';
import { NEEDS, type Need } from '../../electron/shared/enums.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { buildScenario, readBack } from './export-fixture.ts';

let t: TestEnv;
const DATE = '2022-01-20';
beforeAll(async () => {
  t = await makeEnv();
  await buildScenario(t);
  const people = await t.handle.db.selectFrom('residents').select(['id', 'version']).orderBy('id').execute();
  const plan: Need[][] = [['独居老人', '行动不便'], ['孕产妇'], ['行动不便'], ['定期就医', '慢性病长期用药'], ['残疾']];
  for (const [i, p] of people.entries()) {
    const needs = plan[i % plan.length];
    await setResidentNeeds(t.ctx(), { residentId: p.id, version: p.version, needs: needs.map((need) => ({ need })) });
  }
});
afterAll(() => t.close());

/** Per community name and need: flagged people with an episode covering DATE (a recount, not the counters). */
async function recount(): Promise<Map<string, Map<string, number>>> {
  const rows = await t.handle.db
    .selectFrom('residentNeeds as n')
    .innerJoin('residents as r', 'r.id', 'n.residentId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .innerJoin('episodes as e', 'e.residentId', 'r.id')
    .select(['c.name', 'n.need', 'r.id', 'e.startDate', 'e.status', 'e.endedOn'])
    .execute();
  const seen = new Set<string>();
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const covers = r.startDate <= DATE && (r.status === 'active' || (r.endedOn !== null && r.endedOn > DATE));
    const key = `${r.id}|${r.need}`;
    if (!covers || seen.has(key)) continue;
    seen.add(key);
    const m = out.get(r.name) ?? new Map<string, number>();
    out.set(r.name, m);
    m.set(r.need, (m.get(r.need) ?? 0) + 1);
  }
  return out;
}

describe('每日工作日报 › 特殊人群', () => {
  it('one row per community, a column per need, 合计; equal to a recount', async () => {
    const r = await exportReport(t.ctx(), { report: 'daily-report', date: DATE, outDir: tempDir('idesk-export-needs-') });
    const rb = await readBack(r.path, 2);
    expect(rb.ws.name).toBe('特殊人群');
    expect(String(rb.rows[0][0])).toContain('（特殊人群）');
    const header = rb.rows[3];
    const col = (need: Need) => header.indexOf(NEED_LABELS[need].zh);
    for (const need of NEEDS) expect(col(need), need).toBeGreaterThan(0);
    const expected = await recount();
    const body = rb.rows.slice(4, -1);
    expect(body.map((row) => row[0]).sort()).toEqual(['华夏里社区', '西大街社区']);
    let any = 0;
    for (const row of body) {
      for (const need of NEEDS) {
        const n = expected.get(String(row[0]))?.get(need) ?? 0;
        any += n;
        expect(row[col(need)], `${row[0]} ${need}`).toBe(n);
      }
    }
    expect(any).toBeGreaterThan(0);
    const total = rb.rows[rb.rows.length - 1];
    expect(total[0]).toBe('合计');
    for (const need of NEEDS) expect(total[col(need)]).toBe(body.reduce((a, row) => a + Number(row[col(need)]), 0));
  });

  it("a committee member's report holds their community only", async () => {
    const committee: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    const r = await exportReport(t.ctx(committee), { report: 'daily-report', date: DATE, outDir: tempDir('idesk-export-needs-') });
    const rb = await readBack(r.path, 2);
    expect(rb.rows.slice(4, -1).map((row) => row[0])).toEqual(['西大街社区']);
  });
});

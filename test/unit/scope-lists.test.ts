// A committee member's screens show no community selector (issue 15 §5): their scope must then be the core's, not the
// screen's. Through the API, committee1 (西大街, community a) asking the lists behind those selectors for 华夏里
// (community b) gets nothing of b's, and for no community only 西大街's rows and counts: 物资需求 (list, board
// counts), 下沉干部, the community tree, and a report export.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { ensureHousehold } from '../../electron/domain/places.ts';
import { createSupplyRequest } from '../../electron/domain/supplies.ts';
import { createCadre } from '../../electron/domain/cadres.ts';
import { exportReport } from '../../electron/excel/export/index.ts';
import type { Actor } from '../../electron/domain/actor.ts';
import { readBack } from './export-fixture.ts';

let t: TestEnv;
let key: string;
beforeEach(async () => {
  t = await makeEnv();
  const ha = await ensureHousehold(t.ctx(), { communityId: t.communities.a, compound: '金桥小区', building: '3', unit: '2', room: '501' });
  const hb = await ensureHousehold(t.ctx(), { communityId: t.communities.b, compound: '华夏里小区', building: '1', unit: '1', room: '101' });
  await createSupplyRequest(t.ctx(), { householdId: ha.id, category: '蔬菜', items: [{ name: '白菜', quantity: '2棵' }] });
  for (const room of ['101', '102']) {
    const h = room === '101' ? hb : await ensureHousehold(t.ctx(), { communityId: t.communities.b, compound: '华夏里小区', building: '1', unit: '1', room });
    await createSupplyRequest(t.ctx(), { householdId: h.id, category: '药品', items: [{ name: '感冒灵', quantity: '1盒' }] });
  }
  await createCadre(t.ctx(), { name: '刘建国', homeUnit: '市住建局', communityId: t.communities.a });
  await createCadre(t.ctx(), { name: '孙立', homeUnit: '市体育局', communityId: t.communities.b });
  key = await t.login('committee1');
});
afterEach(() => t.close());

async function data<T>(channel: string, input: unknown): Promise<T> {
  const r = await t.dispatch(channel, input, key);
  if (!r.ok) throw new Error(`${channel}: ${JSON.stringify(r.error)}`);
  return r.data as T;
}

describe("a committee member's lists are scoped in the core, whatever community the call names", () => {
  it('物资需求: list and board counts hold only their community', async () => {
    // [input, what it may show]: no community → their own; the other community → nothing.
    for (const [input, n] of [[{}, 1], [{ communityId: t.communities.b }, 0]] as const) {
      const list = await data<{ rows: { communityId: number; address: string }[]; total: number | null }>('supplies.list', { ...input, status: 'open', withTotal: true });
      expect(list.rows.map((r) => r.communityId)).toEqual(n ? [t.communities.a] : []);
      expect(list.total).toBe(n);
      const board = await data<{ open: number; byStatus: Record<string, number> }>('supplies.board', input);
      expect(board.open).toBe(n);
      expect(board.byStatus.new).toBe(n);
    }
    // The clerk sees all three: the data are there, the scope hides them.
    const clerk = await t.login('clerk');
    const all = await t.dispatch('supplies.list', { status: 'open', withTotal: true }, clerk);
    expect(all.ok && (all.data as { total: number }).total).toBe(3);
  });

  it('下沉干部 and the community tree hold only their community', async () => {
    expect((await data<{ name: string }[]>('cadres.list', {})).map((c) => c.name)).toEqual(['刘建国']);
    expect(await data<{ name: string }[]>('cadres.list', { communityId: t.communities.b })).toEqual([]);
    const tree = await data<{ id: number }[]>('places.communities', {});
    expect(tree.map((c) => c.id)).toEqual([t.communities.a]);
  });

  it('a report asked for another community is written for their own', async () => {
    const committee1: Actor = { userId: 3, username: 'committee1', displayName: '西大街李主任', role: 'committee', communityId: t.communities.a };
    const out = tempDir('idesk-scope-');
    const r = await exportReport(t.ctx(committee1), { report: 'supplies', date: '2022-01-20', communityId: t.communities.b, outDir: out }).catch((e: unknown) => e);
    if (r instanceof Error) {
      expect(r).toMatchObject({ code: 'FORBIDDEN' });
      return;
    }
    const text = JSON.stringify((await readBack((r as { path: string }).path)).rows);
    expect(text).not.toContain('华夏里');
    expect(text).not.toContain('感冒灵');
  });
});

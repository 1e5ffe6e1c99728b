// Chinese text survives a 50,000-row import: every name, address and place name comes out of the database exactly as
// it went into the .xlsx, with no U+FFFD anywhere (exceljs's streaming reader garbles CJK split across chunks, #2063).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest, people, STANDARD_HEADER, standardRows, xlsxStreamBuffer } from '../helpers/lists.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

const N = 50_000;
let dir: string;
let env: TestEnv;
beforeAll(async () => {
  dir = tempDir('idesk-import-50k-');
  env = await makeEnv();
});
afterAll(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a 50,000-row list', () => {
  it('imports every person with names and addresses intact, no replacement character anywhere', async () => {
    const list = people(N);
    // Longer, varied CJK text too: notes with rare characters and punctuation that straddle XML chunk boundaries.
    const rows = standardRows(list).map((r, i) => [...r, `备注：第${i + 1}位，居住于${list[i].compound}，㐀䶵𠀀（扩展区）`]);
    // Written with the streaming writer: exceljs's writeBuffer itself splits 𠀀 at 16K boundaries (see lists.ts).
    const file = await listFile(dir, '五万人名单.xlsx', await xlsxStreamBuffer({ titles: ['广阳区解放道街道居家隔离人员名单（五万行）'], rows: [[...STANDARD_HEADER, '备注'], ...rows] }));
    const s = (await runImport(env.ctx(), listRequest(file))) as ImportSummary;
    expect(s.errors).toEqual([]);
    expect(s.status).toBe('written');
    expect(s.imported).toBe(N);

    const got = await env.handle.db
      .selectFrom('residents as r')
      .innerJoin('households as h', 'h.id', 'r.householdId')
      .innerJoin('places as c', 'c.id', 'r.communityId')
      .select(['r.name', 'r.docNumber', 'r.notes', 'h.address', 'c.name as community'])
      .execute();
    expect(got).toHaveLength(N);
    const byId = new Map(got.map((g) => [g.docNumber, g]));
    let bad = 0;
    for (let i = 0; i < N; i++) {
      const p = list[i];
      const g = byId.get(p.id);
      const want = { name: p.name, community: p.community, address: `${p.compound}${p.building}号楼${p.unit}单元${p.room}`, notes: rows[i][10] };
      if (!g || g.name !== want.name || g.community !== want.community || g.address !== want.address || g.notes !== want.notes) {
        if (bad++ < 5) expect({ name: g?.name, community: g?.community, address: g?.address, notes: g?.notes }, `row ${i + 3}`).toEqual(want);
      }
    }
    expect(bad).toBe(0);
    const fffd = (t: string) => `SELECT count(*) AS n FROM ${t}`;
    for (const [table, cols] of [
      ['residents', ['name', 'notes', 'name_pinyin']],
      ['households', ['address']],
      ['places', ['name']],
    ] as const) {
      for (const col of cols) {
        const row = env.handle.sqlite.prepare(`${fffd(table)} WHERE instr(${col}, char(65533)) > 0`).get() as { n: number };
        expect(row.n, `${table}.${col}`).toBe(0);
      }
    }
  }, 600_000);
});

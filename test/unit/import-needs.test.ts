// The 特殊需求 / 特殊人群 column of a resident list, on real .xlsx files through the real reader and analysis: several
// needs per cell in the words lists use, 其他 with its note, an unknown word as a row error in Chinese (the list then
// refused whole, nothing written), and the flags added to the people written or recognised by the import's write path
// (addImportedNeeds), never removing one set by hand.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest, people, STANDARD_HEADER, standardRows } from '../helpers/lists.ts';
import { loadImportTable, previewImport, runImport } from '../../electron/excel/import/run.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { parseNeedsCell } from '../../electron/excel/import/needs-column.ts';
import { addImportedNeeds, needsOf } from '../../electron/domain/needs.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-needs-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const list = people(5);
function rows(cells: string[], header = '特殊需求') {
  return [[...STANDARD_HEADER, header], ...standardRows(list).map((r, i) => [...r, cells[i] ?? ''])];
}

describe('the 特殊需求 column', () => {
  it('reads several needs per cell in the words lists use; 其他 keeps its note', () => {
    expect(parseNeedsCell('独居老人、行动不便')).toEqual({ ok: true, needs: [{ need: '独居老人', note: null }, { need: '行动不便', note: null }] });
    expect(parseNeedsCell('透析，孕妇')).toEqual({ ok: true, needs: [{ need: '孕产妇', note: null }, { need: '定期就医', note: null }] });
    expect(parseNeedsCell('残疾人, 其他：需要助听器')).toEqual({ ok: true, needs: [{ need: '残疾', note: null }, { need: '其他', note: '需要助听器' }] });
    expect(parseNeedsCell('')).toEqual({ ok: true, needs: [] });
    expect(parseNeedsCell('其他')).toMatchObject({ ok: false, code: 'needs-other-note' });
  });

  it('maps 特殊人群 too; an unknown value is a row error in Chinese naming the cell, and the list is refused whole', async () => {
    const file = await listFile(dir, `needs-${++n}.xlsx`, { rows: rows(['独居老人', '高血压、孕妇', '', '婴儿', '化疗'], '特殊人群') });
    const p = await previewImport(env.ctx(), listRequest(file));
    if (p.kind !== 'residents') throw new Error('not residents');
    expect(p.mapping.find((m) => m.header === '特殊人群')).toMatchObject({ field: 'needs', label: '特殊需求' });
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]).toMatchObject({ row: 3, column: '特殊人群', cell: 'K3', value: '高血压、孕妇', code: 'needs-unknown' });
    expect(p.errors[0].reason).toContain('特殊需求“高血压”无法识别');
    expect(p.errors[0].reason).toMatch(/[\u4e00-\u9fff]/);
    const before = await env.handle.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const summary = (await runImport(env.ctx(), listRequest(file))) as ImportSummary;
    expect(summary.status).toBe('rejected');
    const after = await env.handle.db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(await env.handle.db.selectFrom('residentNeeds').selectAll().execute()).toEqual([]);
  });

  it('a valid column: each person planned with their flags, which are added (never removed) once they are written', async () => {
    const cells = ['独居老人', '孕产妇、慢性病', '', '婴幼儿', '透析 其他（需要轮椅）'];
    const file = await listFile(dir, `needs-${++n}.xlsx`, { rows: rows(cells) });
    const table = await loadImportTable(env.ctx(), listRequest(file));
    const a = analyseResidents(table, {}, { today: '2022-01-20', orgNames: ['广阳区', '解放道街道'] });
    expect(a.errors).toEqual([]);
    expect(a.people.map((p) => p.needs.map((x) => (x.note ? `${x.need}:${x.note}` : x.need)))).toEqual([['独居老人'], ['孕产妇', '慢性病长期用药'], [], ['婴幼儿'], ['定期就医', '其他:需要轮椅']]);

    const summary = (await runImport(env.ctx(), listRequest(file))) as ImportSummary;
    expect(summary.status).toBe('written');
    const ids = new Map((await env.handle.db.selectFrom('residents').select(['id', 'docNumber']).execute()).map((r) => [r.docNumber, r.id]));
    const planned = a.people.map((p) => ({ residentId: ids.get(p.value.docNumber)!, needs: p.needs }));
    let flags = await needsOf(env.ctx(), planned.map((p) => p.residentId));
    expect(flags.get(planned[0].residentId)).toEqual([{ need: '独居老人', note: null }]);
    expect(flags.get(planned[1].residentId)?.map((f) => f.need)).toEqual(['孕产妇', '慢性病长期用药']);
    expect(flags.get(planned[4].residentId)).toEqual([{ need: '定期就医', note: null }, { need: '其他', note: '需要轮椅' }]);
    expect(flags.has(planned[2].residentId)).toBe(false);
    const count = async () => Number((await env.handle.db.selectFrom('residentNeeds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count()).toBe(6);

    // A flag set by hand stays when the same list comes again: the list adds, it does not replace, and adds nothing twice.
    await env.handle.db.insertInto('residentNeeds').values({ residentId: planned[0].residentId, need: '残疾', note: null, createdBy: 'clerk', createdAt: '2022-01-19T10:00:00+08:00' }).execute();
    const again = (await runImport(env.ctx(), listRequest(file))) as ImportSummary;
    expect(again.status).toBe('written');
    flags = await needsOf(env.ctx(), planned.map((p) => p.residentId));
    expect(flags.get(planned[0].residentId)?.map((f) => f.need)).toEqual(['独居老人', '残疾']);
    expect(await count()).toBe(7);
    expect(await addImportedNeeds(env.ctx(), planned.map((p) => ({ ...p, needs: p.needs.filter((x) => !x.note) })))).toBe(0);
  });
});
